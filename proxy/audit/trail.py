"""Where audit records go: one bounded queue and one writer task per sink, so no sink slows a request.

:meth:`AuditTrail.record` only appends to each sink's queue (a full queue drops the record and
counts it). Each sink's writer takes up to ``batch_size`` records at a time and writes them in
one go (one pipelined round trip for Redis); a batch that fails is kept and tried again every
``retry_seconds`` while the sink is down, so records wait in the queue instead of being lost
until it fills. :meth:`AuditTrail.running` pairs start and stop (``cleanup_ctx``): on a
graceful shutdown the queues are written out, within ``flush_seconds``; what a sink still
down by then could not take is counted as dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Sequence
from typing import Protocol

from proxy.audit.record import AuditRecord
from proxy.metrics.exporter import AuditResult, AuditSink, Metrics

log = logging.getLogger("modproxy.audit_trail")


class SinkDown(Exception):
    """A sink could not take a batch (the Redis connection failed, the disk is full...)."""


class Sink(Protocol):
    @property
    def name(self) -> AuditSink: ...

    async def write(self, records: Sequence[AuditRecord]) -> None:
        """Write every record or raise :class:`SinkDown` (the batch is then tried again whole)."""
        ...

    async def close(self) -> None: ...


class _Lane:
    """One sink's queue and writer."""

    def __init__(self, sink: Sink, metrics: Metrics, queue_size: int, batch_size: int, retry: float) -> None:
        self.sink = sink
        self._metrics = metrics
        self._queue: deque[AuditRecord] = deque()
        self._size = queue_size
        self._batch = batch_size
        self._retry = retry
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self.idle = asyncio.Event()
        self.idle.set()
        self._down = False
        self.task: asyncio.Task[None] | None = None

    def offer(self, record: AuditRecord) -> None:
        if len(self._queue) >= self._size:
            self._metrics.record_audit(self.sink.name, AuditResult.DROPPED)
            return
        self._queue.append(record)
        self.idle.clear()
        self._wake.set()

    def start(self) -> None:
        self.task = asyncio.create_task(self._run(), name=f"audit-{self.sink.name}")

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._queue)

    def drop_all(self) -> None:
        if self._queue:
            self._metrics.record_audit(self.sink.name, AuditResult.DROPPED, len(self._queue))
            self._queue.clear()

    async def _run(self) -> None:
        while True:
            if not self._queue:
                self.idle.set()
                if self._stopping.is_set():
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            batch = [self._queue[i] for i in range(min(self._batch, len(self._queue)))]
            try:
                await self.sink.write(batch)
            except SinkDown as exc:
                if self._stopping.is_set():
                    return  # the last try at shutdown failed: what is left is counted as dropped
                if not self._down:
                    self._down = True
                    log.warning(
                        "audit sink %s is down (%s); retrying every %.1fs", self.sink.name, exc, self._retry
                    )
                # Woken early only by stop(): the flush then tries once more right away.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self._retry)
                continue
            if self._down:
                self._down = False
                log.warning("audit sink %s is back", self.sink.name)
            for _ in batch:
                self._queue.popleft()
            self._metrics.record_audit(self.sink.name, AuditResult.WRITTEN, len(batch))


class AuditTrail:
    def __init__(
        self,
        sinks: Sequence[Sink],
        metrics: Metrics,
        *,
        queue_size: int = 10_000,
        batch_size: int = 500,
        retry_seconds: float = 1.0,
        flush_seconds: float = 5.0,
    ) -> None:
        self._lanes = [_Lane(s, metrics, queue_size, batch_size, retry_seconds) for s in sinks]
        self._flush = flush_seconds

    @property
    def sinks(self) -> tuple[AuditSink, ...]:
        return tuple(lane.sink.name for lane in self._lanes)

    def record(self, record: AuditRecord) -> None:
        for lane in self._lanes:
            lane.offer(record)

    def pending(self, sink: AuditSink) -> int:
        return sum(lane.pending for lane in self._lanes if lane.sink.name is sink)

    async def drained(self) -> None:
        """Every record offered so far is written (or dropped)."""
        for lane in self._lanes:
            await lane.idle.wait()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[AuditTrail]:
        for lane in self._lanes:
            lane.start()
        try:
            yield self
        finally:
            await self._stop()

    async def _stop(self) -> None:
        for lane in self._lanes:
            lane.stop()
        tasks = [lane.task for lane in self._lanes if lane.task is not None]
        if tasks:
            done, late = await asyncio.wait(tasks, timeout=self._flush)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
            for task in done:
                task.result()
        for lane in self._lanes:
            lane.drop_all()
            await lane.sink.close()
