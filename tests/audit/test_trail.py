"""The audit trail's queues: batches, retries while a sink is down, counted drops, flush at shutdown."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import aiohttp
from aiohttp import web
from prometheus_client import CollectorRegistry

from proxy.audit.record import AuditingModerator, AuditRecord
from proxy.audit.sinks import FileSink
from proxy.audit.trail import AuditTrail
from proxy.http.app import create_app
from proxy.metrics.exporter import Metrics
from proxy.policy.decision import Action, Phase
from proxy.settings.load import load_settings
from tests.fixtures.pattern_scanner import PatternScanner, Rule, ScannerModerator


def record(n: int) -> AuditRecord:
    return AuditRecord(time.time(), f"req-{n}", None, "default", "chat_completions", Phase.PROMPT,
                       Action.BLOCK, (), "rev", "evaluated", 0.1, "sha256:x")  # fmt: skip


def count(metrics: Metrics, result: str) -> float:
    value = metrics.registry.get_sample_value(
        "modproxy_audit_records_total", {"sink": "file", "result": result}
    )
    return value or 0.0


def lines(path: Path) -> list[str]:
    return [json.loads(line)["request_id"] for line in path.read_text().splitlines()]


async def test_records_are_written_in_order_and_counted(tmp_path: Path) -> None:
    metrics = Metrics(CollectorRegistry())
    path = tmp_path / "audit.jsonl"
    trail = AuditTrail([FileSink(path, max_bytes=10**6, backups=2)], metrics, batch_size=3)
    async with trail.running():
        for n in range(10):
            trail.record(record(n))
        await asyncio.wait_for(trail.drained(), 10)
    assert lines(path) == [f"req-{n}" for n in range(10)]
    assert count(metrics, "written") == 10 and count(metrics, "dropped") == 0


async def test_a_sink_that_is_down_is_retried_and_a_full_queue_drops_and_counts(tmp_path: Path) -> None:
    metrics = Metrics(CollectorRegistry())
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the sink needs a directory")
    path = blocker / "audit.jsonl"
    trail = AuditTrail(
        [FileSink(path, max_bytes=10**6, backups=2)], metrics, queue_size=4, retry_seconds=0.02
    )
    async with trail.running():
        for n in range(6):
            trail.record(record(n))  # never waits, even with the sink down
        assert count(metrics, "dropped") == 2
        blocker.unlink()  # the sink comes back: the retried batch goes through
        await asyncio.wait_for(trail.drained(), 10)
    assert lines(path) == ["req-0", "req-1", "req-2", "req-3"]
    assert count(metrics, "written") == 4


async def test_shutdown_writes_the_queue_out_and_counts_what_a_dead_sink_never_took(tmp_path: Path) -> None:
    metrics = Metrics(CollectorRegistry())
    good = tmp_path / "good.jsonl"
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    dead = FileSink(blocker / "audit.jsonl", max_bytes=10**6, backups=2)
    trail = AuditTrail([FileSink(good, max_bytes=10**6, backups=2), dead], metrics, retry_seconds=60,
                       flush_seconds=0.5)  # fmt: skip
    for n in range(3):  # queued before the writers even start: only the shutdown flush can write them
        trail.record(record(n))
    async with trail.running():
        pass
    assert lines(good) == ["req-0", "req-1", "req-2"]
    assert count(metrics, "written") == 3 and count(metrics, "dropped") == 3


async def test_the_app_runs_the_trail(tmp_path: Path) -> None:
    """The trail starts and stops with the app (its cleanup_ctx)."""
    metrics = Metrics(CollectorRegistry())
    path = tmp_path / "audit.jsonl"
    trail = AuditTrail([FileSink(path, max_bytes=10**6, backups=2)], metrics, retry_seconds=60)
    scanner = PatternScanner([Rule("bomb", Action.BLOCK)])
    settings = load_settings(
        env={}, overrides={"upstream.url": "http://127.0.0.1:9", "logging.access_log": False}
    )
    app = create_app(settings, moderator=AuditingModerator(ScannerModerator(scanner), trail), audit=trail)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    body = {"model": "m", "messages": [{"role": "user", "content": "a bomb"}]}
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"http://{host}:{port}/v1/chat/completions", json=body) as reply,
        ):
            assert reply.status == 400
            request_id = reply.headers["x-request-id"]
    finally:
        await runner.cleanup()
    assert lines(path) == [request_id]
