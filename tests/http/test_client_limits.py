"""Slow and greedy clients on raw loopback sockets: 408 for stalled headers or bodies, 503 past the cap."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from prometheus_client import CollectorRegistry

from proxy.http.app import create_app
from proxy.http.client_limits import ConnectionGuard, GuardedRunner
from proxy.metrics.exporter import Metrics
from proxy.settings.load import load_settings
from tests.fixtures.upstream import LoopbackUpstream

CHAT = b'{"model": "m", "messages": [{"role": "user", "content": "hi"}]}'
BOUND = 5.0
"""Seconds any answer below may take on a busy machine; the configured timeouts are far shorter."""


@dataclass
class Guarded:
    host: str
    port: int
    metrics: Metrics
    guard: ConnectionGuard

    def sample(self, name: str, **labels: str) -> float:
        return self.metrics.registry.get_sample_value(name, labels) or 0.0


StartGuarded = Callable[..., Awaitable[Guarded]]


@pytest.fixture
async def start_guarded(upstream: LoopbackUpstream) -> AsyncIterator[StartGuarded]:
    runners: list[web.AppRunner] = []

    async def start(**limits: Any) -> Guarded:
        overrides = {"upstream.url": upstream.url, **{f"limits.{k}": v for k, v in limits.items()}}
        settings = load_settings(env={}, overrides=overrides)
        metrics = Metrics(CollectorRegistry())
        guard = ConnectionGuard(settings.limits, metrics.limits)
        runner = GuardedRunner(
            create_app(settings, metrics=metrics), guard, handler_cancellation=True, access_log=None
        )
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        host, port = runner.addresses[0][:2]
        return Guarded(host, port, metrics, guard)

    yield start
    for runner in reversed(runners):
        await runner.cleanup()


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes
    closed: bool
    """The server closed the connection after this answer."""


async def answer_of(reader: asyncio.StreamReader) -> Answer:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), BOUND)
    lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), BOUND)
    closed = await asyncio.wait_for(reader.read(1), BOUND) == b""
    return Answer(int(lines[0].split()[1]), headers, body, closed)


async def until(condition: Callable[[], bool]) -> None:
    """Poll a state the server exposes no event for, within the bound."""
    deadline = time.monotonic() + BOUND
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


def post(body: bytes, *, declared: int | None = None) -> bytes:
    length = len(body) if declared is None else declared
    return (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {length}\r\n\r\n".encode()
        + body
    )


def error_code(answer: Answer) -> str:
    error = json.loads(answer.body)["error"]
    assert set(error) == {"message", "type", "param", "code"}
    return str(error["code"])


@pytest.mark.parametrize("sent", [b"", b"POST /v1/chat/completions HTTP/1.1\r\nHost: pro"])
async def test_stalled_headers_get_408_then_close(start_guarded: StartGuarded, sent: bytes) -> None:
    server = await start_guarded(header_timeout=0.3)
    started = time.monotonic()
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(sent)
    answer = await answer_of(reader)
    elapsed = time.monotonic() - started
    writer.close()
    assert (answer.status, error_code(answer), answer.closed) == (408, "request_timeout", True)
    assert 0.3 <= elapsed < BOUND
    assert server.sample("modproxy_client_timeouts_total", phase="header") == 1


async def test_a_stalled_body_gets_408_in_the_openai_shape_then_close(
    start_guarded: StartGuarded, upstream: LoopbackUpstream
) -> None:
    server = await start_guarded(body_idle_timeout=0.3, header_timeout=30)
    reader, writer = await asyncio.open_connection(server.host, server.port)
    started = time.monotonic()
    writer.write(post(CHAT[:1], declared=100_000))
    answer = await answer_of(reader)
    elapsed = time.monotonic() - started
    writer.close()
    assert (answer.status, error_code(answer), answer.closed) == (408, "request_timeout", True)
    assert 0.3 <= elapsed < BOUND
    assert server.sample("modproxy_client_timeouts_total", phase="body") == 1
    assert upstream.requests == []


async def test_a_slow_but_moving_body_is_served(start_guarded: StartGuarded) -> None:
    """The body timeout bounds each silence, not the whole body."""
    server = await start_guarded(body_idle_timeout=1.0)
    reader, writer = await asyncio.open_connection(server.host, server.port)
    request = post(CHAT)
    for start in range(0, len(request), 20):
        writer.write(request[start : start + 20])
        await writer.drain()
        await asyncio.sleep(0.05)  # the slowness under test: a client trickling its request
    answer = await answer_of_kept(reader)
    writer.close()
    assert answer == 200


async def answer_of_kept(reader: asyncio.StreamReader) -> int:
    """The status of an answer on a connection that stays open; its body is read and dropped."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), BOUND)
    lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), BOUND)
    return int(lines[0].split()[1])


async def test_the_header_deadline_restarts_with_each_request_on_a_kept_connection(
    start_guarded: StartGuarded,
) -> None:
    server = await start_guarded(header_timeout=0.4, keepalive_timeout=30)
    reader, writer = await asyncio.open_connection(server.host, server.port)
    for _ in range(3):  # idle for longer than the header timeout between requests: still served
        writer.write(post(CHAT))
        assert await answer_of_kept(reader) == 200
        await asyncio.sleep(0.5)  # idle on purpose: longer than header_timeout
    writer.write(b"POST /v1/chat/completions HTTP/1.1\r\n")
    answer = await answer_of(reader)
    writer.close()
    assert (answer.status, answer.closed) == (408, True)


async def test_an_idle_keepalive_connection_is_closed(start_guarded: StartGuarded) -> None:
    server = await start_guarded(keepalive_timeout=0.3)
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(post(CHAT))
    assert await answer_of_kept(reader) == 200
    started = time.monotonic()
    assert await asyncio.wait_for(reader.read(1), BOUND) == b""
    assert time.monotonic() - started < BOUND
    writer.close()


async def test_connections_past_the_cap_get_503_with_retry_after(start_guarded: StartGuarded) -> None:
    server = await start_guarded(max_connections=2, retry_after=7)
    held = [await asyncio.open_connection(server.host, server.port) for _ in range(2)]
    for reader, writer in held:  # each is admitted and served
        writer.write(post(CHAT))
        assert await answer_of_kept(reader) == 200
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(post(CHAT))
    answer = await answer_of(reader)
    writer.close()
    assert (answer.status, error_code(answer), answer.closed) == (503, "overloaded", True)
    assert answer.headers["retry-after"] == "7"
    assert server.sample("modproxy_shed_requests_total", reason="connections") == 1
    assert server.sample("modproxy_client_connections") == 2

    _, first = held.pop()
    first.close()
    await until(lambda: server.guard.open == 1)
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(post(CHAT))
    assert await answer_of_kept(reader) == 200  # a freed place is taken again
    writer.close()
    for _, other in held:
        other.close()
