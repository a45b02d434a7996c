"""The audit sinks against real files and a real redis-server, and the served stack's trail end to end:
every action and endpoint recorded, and Redis killed and restarted mid-load without a failed request."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis

from proxy.audit.record import AuditRecord
from proxy.audit.sinks import FileSink, RedisStreamSink
from proxy.cli.audit import file_records
from proxy.policy.decision import Action, Phase
from proxy.settings.cache import CacheConfig
from tests.fixtures.echo_model import EchoModel
from tests.fixtures.redis_server import RedisServers
from tests.fixtures.stack import Stack, StartStack


def record(n: int, action: Action = Action.BLOCK, tenant: str | None = None) -> AuditRecord:
    return AuditRecord(time.time(), f"req-{n}", tenant, "default", "chat_completions", Phase.PROMPT,
                       action, (), "rev", "evaluated", 0.1, "sha256:x")  # fmt: skip


def _sizes(directory: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in directory.iterdir()}


async def test_the_file_rotates_by_size_and_keeps_a_bounded_count(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    sink = FileSink(path, max_bytes=2_000, backups=2)
    for n in range(60):
        await sink.write([record(n)])
    sizes = _sizes(tmp_path)
    assert sorted(sizes) == ["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2"]
    assert all(size <= 2_000 for size in sizes.values())
    ids = [int(r["request_id"].removeprefix("req-")) for r in file_records(path)]
    assert ids == list(range(ids[0], 60)) and ids[0] > 0, "oldest rotated away, the rest in order"


async def test_the_redis_sink_appends_to_a_capped_stream(redis_url: str, redis_prefix: str) -> None:
    stream = f"{redis_prefix}audit"
    sink = RedisStreamSink(CacheConfig(redis_url=redis_url, prefix=redis_prefix), stream, maxlen=10)
    try:
        for start in range(0, 1_000, 100):
            await sink.write([record(n, tenant="web") for n in range(start, start + 100)])
    finally:
        await sink.close()
    client = aioredis.Redis.from_url(redis_url)
    try:
        length = await client.xlen(stream)
        [(_, fields)] = await client.xrevrange(stream, count=1)
    finally:
        await client.aclose()
    assert 10 <= length < 1_000, "trimmed approximately (whole stream nodes)"
    assert fields[b"action"] == b"block" and fields[b"tenant"] == b"web"
    assert json.loads(fields[b"record"])["request_id"] == "req-999"


POLICIES = """
policies:
  - {id: weapons, category: violence, action: block, keywords: [bomb]}
  - {id: secret, category: confidential, action: redact, keywords: [codename], replacement: "[X]"}
  - {id: rude, category: tone, action: flag, keywords: [darn]}
  - id: email
    category: pii
    action: pseudonymize
    regex: ['[\\w.]+@[\\w.]+\\.[a-z]{2,}']
    replacement: "[EMAIL]"
"""

# (path, body) per endpoint; "{text}" is where the prompt goes.
ENDPOINTS: dict[str, tuple[str, dict[str, Any]]] = {
    "chat_completions": (
        "/v1/chat/completions",
        {"model": "m", "messages": [{"role": "user", "content": "{text}"}]},
    ),
    "completions": ("/v1/completions", {"model": "m", "prompt": "{text}"}),
    "responses": ("/v1/responses", {"model": "m", "input": "{text}"}),
    "messages": (
        "/v1/messages",
        {"model": "m", "max_tokens": 9, "messages": [{"role": "user", "content": "{text}"}]},
    ),
    "embeddings": ("/v1/embeddings", {"model": "m", "input": "{text}"}),
    "images_generations": ("/v1/images/generations", {"model": "m", "prompt": "{text}"}),
}
ACTIONS = {"block": "a bomb", "redact": "the codename", "flag": "darn", "pseudonymize": "mail a@b.io"}


def _body(template: dict[str, Any], text: str) -> dict[str, Any]:
    return json.loads(json.dumps(template).replace("{text}", text))


async def _audited_stack(start_stack: StartStack, echo: EchoModel, tmp_path: Path, **settings: Any) -> Stack:
    policies = tmp_path / "policies.yaml"
    policies.write_text(POLICIES)
    return await start_stack(policies=policies, settings={"upstream.url": echo.url, **settings})


async def test_every_action_on_every_endpoint_is_recorded_without_the_text(
    start_stack: StartStack, echo_model: EchoModel, tmp_path: Path
) -> None:
    path = tmp_path / "audit.jsonl"
    stack = await _audited_stack(
        start_stack, echo_model, tmp_path, **{"audit.sinks": ["log", "file"], "audit.file_path": path}
    )
    expected = set()
    async with aiohttp.ClientSession() as http:
        for endpoint, (url, template) in ENDPOINTS.items():
            for action, text in ACTIONS.items():
                async with http.post(stack.url + url, json=_body(template, text)) as response:
                    assert response.status == (400 if action == "block" else 200), (endpoint, action)
                    expected.add((endpoint, action, response.headers["x-request-id"]))
    await asyncio.wait_for(stack.parts.audit.drained(), 10)
    records = list(file_records(path))
    prompts = {(r["endpoint"], r["action"], r["request_id"]) for r in records if r["phase"] == "prompt"}
    assert prompts == expected
    assert "a@b.io" not in echo_model.sent() and "codename" not in echo_model.sent()
    for r in records:
        assert r["revision"] and r["digest"].startswith("sha256:") and r["cache"] in ("evaluated", "local")
        assert not any(text in json.dumps(r) for text in ("a@b.io", "the codename", "a bomb"))
    assert stack.sample("modproxy_audit_records_total", {"sink": "file", "result": "written"}) == len(records)
    assert stack.sample("modproxy_audit_records_total", {"sink": "log", "result": "written"}) == len(records)


async def test_streamed_answers_are_recorded_by_the_relay(
    start_stack: StartStack, echo_model: EchoModel, tmp_path: Path
) -> None:
    path = tmp_path / "audit.jsonl"
    stack = await _audited_stack(
        start_stack, echo_model, tmp_path, **{"audit.sinks": ["file"], "audit.file_path": path}
    )
    echo_model.reply = lambda prompt: "well darn it"
    body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    async with aiohttp.ClientSession() as http, http.post(stack.url + "/v1/chat/completions", json=body) as r:
        await r.read()
        request_id = r.headers["x-request-id"]
    await asyncio.wait_for(stack.parts.audit.drained(), 10)
    [streamed] = [r for r in file_records(path) if r["phase"] == "response"]
    assert streamed["request_id"] == request_id and streamed["action"] == "flag"
    assert streamed["policies"] == ["rude"] and streamed["stream_mode"] == "window"


async def test_redis_killed_and_restarted_mid_load_fails_no_request_and_counts_the_gap(
    start_stack: StartStack,
    echo_model: EchoModel,
    tmp_path: Path,
    redis_servers: RedisServers,
    redis_prefix: str,
) -> None:
    server = redis_servers.start()
    stack = await _audited_stack(
        start_stack, echo_model, tmp_path,
        **{"redis.url": server.url, "cache.prefix": redis_prefix, "audit.sinks": ["redis"],
           "audit.queue_size": 5, "audit.retry_seconds": 0.02},
    )  # fmt: skip
    body = {"model": "m", "messages": [{"role": "user", "content": "a bomb"}]}
    sent = 0

    async def load(http: aiohttp.ClientSession, n: int) -> None:
        nonlocal sent
        replies = await asyncio.gather(
            *(http.post(stack.url + "/v1/chat/completions", json=body) for _ in range(n))
        )
        for reply in replies:
            assert reply.status == 400 and (await reply.json())["error"]["code"] == "content_filter"
            reply.release()
        sent += n

    def audit(result: str) -> float:
        return stack.sample("modproxy_audit_records_total", {"sink": "redis", "result": result})

    async with aiohttp.ClientSession() as http:
        for _ in range(4):  # no more at once than the queue holds: nothing is dropped while Redis is up
            await load(http, 5)
            await asyncio.wait_for(stack.parts.audit.drained(), 10)
        assert audit("written") == 20
        server.kill()
        await load(http, 30)  # the sink is down: 5 wait in the queue, the rest are dropped
        assert audit("dropped") == 25
        restarted = redis_servers.start(port=server.port)
        await asyncio.wait_for(stack.parts.audit.drained(), 10)  # the queued 5 go through
        for _ in range(2):
            await load(http, 5)
            await asyncio.wait_for(stack.parts.audit.drained(), 10)
    assert audit("written") + audit("dropped") == sent == 60
    client = aioredis.Redis.from_url(restarted.url)
    try:
        assert await client.xlen(f"{redis_prefix}audit") == 15
    finally:
        await client.aclose()


@pytest.mark.parametrize("sinks", [["redis"], ["redis", "log"]])
async def test_the_redis_stream_is_the_cache_prefix_s_by_default(
    start_stack: StartStack,
    echo_model: EchoModel,
    tmp_path: Path,
    redis_url: str,
    redis_prefix: str,
    sinks: list[str],
) -> None:
    stack = await _audited_stack(
        start_stack,
        echo_model,
        tmp_path,
        **{"redis.url": redis_url, "cache.prefix": redis_prefix, "audit.sinks": sinks},
    )
    async with aiohttp.ClientSession() as http:
        body = {"model": "m", "messages": [{"role": "user", "content": "a bomb"}]}
        async with http.post(stack.url + "/v1/chat/completions", json=body) as reply:
            assert reply.status == 400
    await asyncio.wait_for(stack.parts.audit.drained(), 10)
    client = aioredis.Redis.from_url(redis_url)
    try:
        assert await client.xlen(f"{redis_prefix}audit") == 1
    finally:
        await client.aclose()
