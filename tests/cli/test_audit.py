"""``modproxy audit tail`` and ``modproxy audit query`` over a real Redis stream and the file sink's files."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from proxy.audit.record import AuditRecord, IndexedFinding
from proxy.audit.sinks import FileSink, RedisStreamSink
from proxy.cli import main
from proxy.policy.decision import Action, Finding, Phase, RuleKind
from proxy.settings.cache import CacheConfig

HOUR = 3600.0


def record(n: int, action: Action, policy: str, tenant: str | None, age: float = 0.0) -> AuditRecord:
    finding = Finding(policy, "c", action, Phase.PROMPT, RuleKind.KEYWORD, 0, 1, "x")
    return AuditRecord(time.time() - age, f"req-{n}", tenant, "default", "messages", Phase.PROMPT, action,
                       (IndexedFinding(0, finding),), "rev", "evaluated", 0.2, "sha256:x")  # fmt: skip


RECORDS = [
    record(0, Action.BLOCK, "weapons", "web", age=3 * HOUR),
    record(1, Action.BLOCK, "weapons", "web"),
    record(2, Action.REDACT, "pii", "web"),
    record(3, Action.BLOCK, "weapons", "app"),
    record(4, Action.FLAG, "rude", None),
]


def ids(out: str) -> list[str]:
    return [json.loads(line)["request_id"] for line in out.splitlines()]


@pytest.fixture
def stream(redis_url: str, redis_prefix: str) -> str:
    key = f"{redis_prefix}audit"

    async def fill() -> None:
        sink = RedisStreamSink(CacheConfig(redis_url=redis_url, prefix=redis_prefix), key, 1000)
        try:
            await sink.write(RECORDS)
        finally:
            await sink.close()

    asyncio.run(fill())
    return key


@pytest.fixture
def files(tmp_path: Path) -> Path:
    path = tmp_path / "audit.jsonl"
    sink = FileSink(path, max_bytes=600, backups=5)  # small: the records span rotated files
    for r in RECORDS:
        asyncio.run(sink.write([r]))
    return path


QUERIES = [
    (["--since", "1h"], ["req-1", "req-2", "req-3", "req-4"]),
    (["--since", "4h", "--action", "block"], ["req-0", "req-1", "req-3"]),
    (["--since", "1h", "--action", "block", "--tenant", "web"], ["req-1"]),
    (["--since", "1h", "--policy", "pii"], ["req-2"]),
    (["--since", "1d", "--limit", "2"], ["req-0", "req-1"]),
]


@pytest.mark.parametrize(("flags", "expected"), QUERIES)
def test_query_reads_the_stream(
    redis_url: str, stream: str, flags: list[str], expected: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "query", "--redis-url", redis_url, "--stream", stream, *flags]) == 0
    assert ids(capsys.readouterr().out) == expected


@pytest.mark.parametrize(("flags", "expected"), QUERIES)
def test_query_reads_the_files(
    files: Path, flags: list[str], expected: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert len(list(files.parent.iterdir())) > 1, "rotated"
    assert main(["audit", "query", "--file", str(files), *flags]) == 0
    assert ids(capsys.readouterr().out) == expected


def test_tail_prints_the_latest_records_oldest_first(
    redis_url: str, stream: str, files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "tail", "-n", "2", "--redis-url", redis_url, "--stream", stream]) == 0
    assert ids(capsys.readouterr().out) == ["req-3", "req-4"]
    assert main(["audit", "tail", "-n", "3", "--file", str(files)]) == 0
    assert ids(capsys.readouterr().out) == ["req-2", "req-3", "req-4"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["audit", "query", "--since", "yesterday", "--file", "x"], "neither a duration"),
        (["audit", "tail"], "no Redis to read"),
    ],
)
def test_bad_input_gets_a_clear_message(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    assert message in capsys.readouterr().err
