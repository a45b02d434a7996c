"""``modproxy audit tail`` and ``modproxy audit query``: read the audit trail back.

From the Redis stream (``audit.redis_stream`` on ``redis.url``) by default, or from the file
sink's files (``--file``, rotated ones included, oldest first). Records print as JSON lines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from redis.exceptions import RedisError

from proxy.audit.sinks import stream_key
from proxy.cache.redis_tier import build_clients
from proxy.settings.load import Settings, SettingsError, cache_config, load_settings

_DURATION = re.compile(r"(\d+)([smhd])")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_FOLLOW_BLOCK_MS = 1000


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="read the audit trail (Redis stream or files)",
        description="Read audit records back from the Redis stream, or the file sink's files with --file.",
    )
    commands = parser.add_subparsers(dest="audit_command", metavar="COMMAND", required=True)
    tail = commands.add_parser("tail", help="the latest records (--follow: and then every new one)")
    _common(tail)
    tail.add_argument("-n", "--count", type=int, default=20, help="how many of the latest records")
    tail.add_argument("-f", "--follow", action="store_true", help="keep printing new records (Redis)")
    tail.set_defaults(func=run_tail)
    query = commands.add_parser("query", help="records since a time, filtered")
    _common(query)
    query.add_argument("--since", default="1h", help="a duration back from now (30m, 2h, 7d) or an ISO time")
    query.add_argument("--action", help="only records with this action (block, redact, ...)")
    query.add_argument("--policy", help="only records where this policy matched")
    query.add_argument("--tenant", help="only records of this tenant")
    query.add_argument("--limit", type=int, default=1000, help="stop after this many records")
    query.set_defaults(func=run_query)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, metavar="FILE", help="YAML config file (or MODPROXY_CONFIG)")
    parser.add_argument("--redis-url", help="the Redis holding the stream (default: redis.url)")
    parser.add_argument("--stream", help="the stream's key (default: audit.redis_stream)")
    parser.add_argument("--file", type=Path, help="read the file sink's files at this path instead of Redis")


@dataclass(frozen=True, slots=True)
class Filter:
    since_ms: int = 0
    action: str | None = None
    policy: str | None = None
    tenant: str | None = None

    def matches(self, record: dict[str, Any]) -> bool:
        if self.action is not None and record.get("action") != self.action:
            return False
        if self.policy is not None and self.policy not in (record.get("policies") or ()):
            return False
        return self.tenant is None or record.get("tenant") == self.tenant


def since_ms(value: str, now: float) -> int:
    """``30m``, ``2h``, ``7d`` back from ``now``, or an ISO 8601 time (UTC unless it says otherwise)."""
    match = _DURATION.fullmatch(value.strip())
    if match:
        return int((now - int(match.group(1)) * _SECONDS[match.group(2)]) * 1000)
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--since: {value!r} is neither a duration (30m, 2h, 7d) nor an ISO time") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.now().astimezone().tzinfo)
    return int(when.timestamp() * 1000)


def run_tail(args: argparse.Namespace) -> int:
    return _run(args, lambda settings: _tail(settings, args))


def run_query(args: argparse.Namespace) -> int:
    try:
        selected = Filter(since_ms(args.since, time.time()), args.action, args.policy, args.tenant)
    except ValueError as exc:
        print(f"modproxy: {exc}", file=sys.stderr)
        return 2
    return _run(args, lambda settings: _query(settings, args, selected))


def _run(args: argparse.Namespace, body: Any) -> int:
    overrides = {"redis.url": args.redis_url, "audit.redis_stream": args.stream}
    try:
        settings = load_settings(config_file=args.config, overrides=overrides, serving=False)
    except SettingsError as exc:
        print(f"modproxy: config error: {exc}", file=sys.stderr)
        return 2
    if args.file is None and settings.redis.url is None:
        print(
            "modproxy: no Redis to read (set redis.url or --redis-url), or read files with --file",
            file=sys.stderr,
        )
        return 2
    try:
        result: int = body(settings)
    except (RedisError, OSError) as exc:
        print(f"modproxy: cannot read the audit trail: {exc}", file=sys.stderr)
        return 1
    return result


def _emit(record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def _tail(settings: Settings, args: argparse.Namespace) -> int:
    if args.file is not None:
        records = list(file_records(args.file))
        for record in records[-args.count :] if args.count > 0 else []:
            _emit(record)
        return 0
    return asyncio.run(_tail_stream(settings, args.count, args.follow))


def _query(settings: Settings, args: argparse.Namespace, selected: Filter) -> int:
    if args.file is not None:
        shown = 0
        for record in file_records(args.file):
            if shown >= args.limit:
                break
            if _record_ms(record) >= selected.since_ms and selected.matches(record):
                _emit(record)
                shown += 1
        return 0
    return asyncio.run(_query_stream(settings, selected, args.limit))


async def _tail_stream(settings: Settings, count: int, follow: bool) -> int:
    clients = build_clients(cache_config(settings))
    client: Any = clients.client
    key = stream_key(settings)
    try:
        entries = await client.xrevrange(key, count=count) if count > 0 else []
        last = entries[0][0] if entries else b"$"
        for _, fields in reversed(entries):
            _emit(_decode(fields))
        while follow:
            batch = await client.xread({key: last}, block=_FOLLOW_BLOCK_MS, count=500)
            for _, items in batch or []:
                for entry_id, fields in items:
                    last = entry_id
                    _emit(_decode(fields))
    finally:
        await client.aclose()
    return 0


async def _query_stream(settings: Settings, selected: Filter, limit: int) -> int:
    clients = build_clients(cache_config(settings))
    client: Any = clients.client
    key = stream_key(settings)
    start: str | bytes = f"{selected.since_ms}-0"
    shown = 0
    try:
        while shown < limit:
            entries = await client.xrange(key, min=start, max="+", count=500)
            if not entries:
                break
            for _, fields in entries:
                record = _decode(fields)
                # The entry id says when it was added; the record's own time, when it was decided.
                if _record_ms(record) >= selected.since_ms and selected.matches(record) and shown < limit:
                    _emit(record)
                    shown += 1
            start = b"(" + entries[-1][0]
    finally:
        await client.aclose()
    return 0


def _decode(fields: Any) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(fields[b"record"])
    return value


def file_records(path: Path) -> Iterator[dict[str, Any]]:
    """Every record in ``path`` and its rotated files, oldest first; a torn last line is skipped."""
    rotated = sorted(
        (p for p in path.parent.glob(f"{path.name}.*") if p.suffix[1:].isdigit()),
        key=lambda p: int(p.suffix[1:]),
        reverse=True,
    )
    for file in [*rotated, path]:
        if not file.exists():
            continue
        with file.open(encoding="utf-8") as lines:
            for line in lines:
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    continue


def _record_ms(record: dict[str, Any]) -> int:
    try:
        return int(datetime.fromisoformat(str(record["time"]).replace("Z", "+00:00")).timestamp() * 1000)
    except (KeyError, ValueError):
        return 0
