"""The audit sinks: a JSON line on the ``modproxy.audit`` logger, a size-rotated file, a Redis stream.

Each takes a batch of records and writes all of them or raises :class:`SinkDown`;
:mod:`proxy.audit.trail` queues, batches and retries. A record is the JSON of
:meth:`proxy.audit.record.AuditRecord.to_json`; on the Redis stream it is the entry's ``record``
field, beside a few flat fields (``action``, ``phase``, ``tenant``, ``route``, ``policies``)
that consumers can read without parsing it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from redis.exceptions import RedisError

from proxy.audit.record import AuditRecord
from proxy.audit.trail import AuditTrail, Sink, SinkDown
from proxy.cache.redis_tier import build_clients
from proxy.metrics.exporter import AuditSink, Metrics
from proxy.settings.cache import CacheConfig
from proxy.settings.load import Settings, cache_config

log = logging.getLogger("modproxy.audit")

REDIS_SOCKET_TIMEOUT = 2.0
"""A batch of a few hundred XADDs is one round trip but more than the cache's 0.1 s lookups."""
REDIS_CONNECT_TIMEOUT = 1.0


def record_line(record: AuditRecord) -> str:
    return json.dumps(record.to_json(), ensure_ascii=False, separators=(",", ":"))


class LogSink:
    name = AuditSink.LOG

    async def write(self, records: Sequence[AuditRecord]) -> None:
        if log.isEnabledFor(logging.INFO):
            for record in records:
                log.info("%s", record_line(record))

    async def close(self) -> None:
        return None


class FileSink:
    """JSON lines appended to ``path``; past ``max_bytes`` it becomes ``path.1`` (``.1`` → ``.2``...),
    and ``backups`` rotated files are kept. Writes run in a thread: a slow disk never holds the loop.
    One file per process: with several workers, give each its own ``audit.file_path``."""

    name = AuditSink.FILE

    def __init__(self, path: Path, *, max_bytes: int, backups: int) -> None:
        self._path = path
        self._max = max_bytes
        self._backups = backups

    async def write(self, records: Sequence[AuditRecord]) -> None:
        data = "".join(record_line(r) + "\n" for r in records).encode()
        try:
            await asyncio.to_thread(self._append, data)
        except OSError as exc:
            raise SinkDown(f"{self._path}: {exc.strerror or exc}") from None

    def _append(self, data: bytes) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        try:
            size = self._path.stat().st_size
        except FileNotFoundError:
            size = 0
        if size and size + len(data) > self._max:
            self._rotate()
        with self._path.open("ab") as out:
            out.write(data)

    def _rotate(self) -> None:
        oldest = self._numbered(self._backups)
        oldest.unlink(missing_ok=True)
        for n in range(self._backups - 1, 0, -1):
            source = self._numbered(n)
            if source.exists():
                os.replace(source, self._numbered(n + 1))
        os.replace(self._path, self._numbered(1))

    def _numbered(self, n: int) -> Path:
        return self._path.with_name(f"{self._path.name}.{n}")

    async def close(self) -> None:
        return None


class RedisStreamSink:
    """``XADD stream MAXLEN ~ maxlen * ...`` per record, a whole batch in one pipeline."""

    name = AuditSink.REDIS

    def __init__(self, config: CacheConfig, stream: str, maxlen: int) -> None:
        config = dataclasses.replace(
            config, socket_timeout=REDIS_SOCKET_TIMEOUT, connect_timeout=REDIS_CONNECT_TIMEOUT, retries=0
        )
        self._clients = build_clients(config)
        self.stream = stream
        self._maxlen = maxlen

    async def write(self, records: Sequence[AuditRecord]) -> None:
        pipe = self._clients.client.pipeline(transaction=False)
        for record in records:
            data = record.to_json()
            fields: dict[Any, Any] = {
                "action": data["action"],
                "phase": data["phase"],
                "tenant": data["tenant"] or "",
                "route": data["route"],
                "policies": ",".join(data["policies"]),
                "record": json.dumps(data, ensure_ascii=False, separators=(",", ":")),
            }
            pipe.xadd(self.stream, fields, maxlen=self._maxlen, approximate=True)
        try:
            await pipe.execute()
        except (RedisError, OSError) as exc:
            raise SinkDown(type(exc).__name__) from None

    async def close(self) -> None:
        await self._clients.client.aclose()
        for sentinel in self._clients.sentinels:
            await sentinel.aclose()


def stream_key(settings: Settings) -> str:
    return settings.audit.redis_stream or f"{settings.cache.prefix}audit"


def build_sinks(settings: Settings) -> list[Sink]:
    audit = settings.audit
    sinks: list[Sink] = []
    for name in audit.sinks:
        if name == AuditSink.LOG:
            sinks.append(LogSink())
        elif name == AuditSink.FILE and audit.file_path is not None:
            sinks.append(
                FileSink(audit.file_path, max_bytes=audit.file_max_bytes, backups=audit.file_backups)
            )
        elif name == AuditSink.REDIS:
            sinks.append(RedisStreamSink(cache_config(settings), stream_key(settings), audit.redis_maxlen))
    return sinks


def build_trail(settings: Settings, metrics: Metrics) -> AuditTrail:
    audit = settings.audit
    return AuditTrail(
        build_sinks(settings),
        metrics,
        queue_size=audit.queue_size,
        batch_size=audit.batch_size,
        retry_seconds=audit.retry_seconds,
    )
