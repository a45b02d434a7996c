"""Upstream faults against a raw loopback server: each ends in a well-formed error or a cleanly ended
stream within the configured timeouts, and other requests keep flowing meanwhile."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator

import aiohttp
import openai
import pytest

from tests.fixtures.moderators import WordModerator
from tests.fixtures.raw_upstream import (
    LAST_CHUNK,
    SSE_HEAD,
    RawRequest,
    RawUpstream,
    chunk,
    framed,
    head,
    json_reply,
    reset,
)
from tests.fixtures.upstream import RunningProxy, StartProxy

READ_TIMEOUT = 0.5
BOUND = READ_TIMEOUT + 4.0
"""Seconds within which every fault must be answered (the read timeout plus a busy machine's slack)."""
CHAT = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
STREAM = {**CHAT, "stream": True}


@pytest.fixture
async def proxy(start_proxy: StartProxy, raw_upstream: RawUpstream) -> RunningProxy:
    return await start_proxy(
        upstream_url=raw_upstream.url,
        moderator=WordModerator(),
        settings={"upstream.read_timeout": READ_TIMEOUT, "upstream.connect_timeout": 1.0},
    )


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def still_flowing(http: aiohttp.ClientSession, proxy: RunningProxy) -> None:
    """Another request, to a healthy path of the same upstream, is answered at once."""
    started = time.monotonic()
    async with http.get(f"{proxy.url}/v1/models") as response:
        assert response.status == 200
    assert time.monotonic() - started < 4  # not stuck behind the faulty call


async def answer(http: aiohttp.ClientSession, proxy: RunningProxy, body: object) -> tuple[int, bytes]:
    """Status and body of one request, checked to end within the bound while others flow."""
    started = time.monotonic()

    async def call() -> tuple[int, bytes]:
        async with http.post(f"{proxy.url}/v1/chat/completions", json=body) as response:
            return response.status, await response.read()

    pending = asyncio.create_task(call())
    await still_flowing(http, proxy)
    status, data = await asyncio.wait_for(pending, BOUND)
    assert time.monotonic() - started < BOUND
    await still_flowing(http, proxy)
    return status, data


def error_of(data: bytes) -> dict[str, object]:
    error: dict[str, object] = json.loads(data)["error"]
    assert set(error) == {"message", "type", "param", "code"}
    return error


def last_event(data: bytes) -> dict[str, object]:
    """The final SSE event of a stream that ended with an error event."""
    events = [e for e in data.split(b"\n\n") if e.startswith(b"data: ")]
    return json.loads(events[-1][len(b"data: ") :])  # type: ignore[no-any-return]


async def test_connection_refused_is_502(start_proxy: StartProxy, http: aiohttp.ClientSession) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        proxy = await start_proxy(upstream_url=f"http://127.0.0.1:{port}", moderator=WordModerator())
        started = time.monotonic()
        async with http.post(f"{proxy.url}/v1/chat/completions", json=CHAT) as response:
            assert response.status == 502
            error = error_of(await response.read())
    assert error["code"] == "upstream_unavailable"
    assert time.monotonic() - started < BOUND


@pytest.mark.parametrize("body", [CHAT, STREAM], ids=["json", "stream"])
async def test_reset_before_the_response_is_502(
    proxy: RunningProxy, raw_upstream: RawUpstream, http: aiohttp.ClientSession, body: object
) -> None:
    async def behaviour(request: RawRequest, writer: asyncio.StreamWriter) -> None:
        reset(writer)

    raw_upstream.on("/v1/chat/completions", behaviour)
    status, data = await answer(http, proxy, body)
    assert (status, error_of(data)["code"]) == (502, "upstream_unavailable")
    assert len([r for r in raw_upstream.requests if r.path == "/v1/chat/completions"]) == 1


async def test_reset_during_a_stream_ends_it_with_an_error_event(
    proxy: RunningProxy, raw_upstream: RawUpstream, http: aiohttp.ClientSession
) -> None:
    async def behaviour(request: RawRequest, writer: asyncio.StreamWriter) -> None:
        writer.write(SSE_HEAD + chunk("Hello") + chunk(" world"))
        await writer.drain()
        reset(writer)

    raw_upstream.on("/v1/chat/completions", behaviour)
    status, data = await answer(http, proxy, STREAM)
    assert status == 200
    assert b"Hello" in data
    assert last_event(data)["error"] == {
        "message": "The upstream stream broke off.",
        "type": "upstream_error",
        "param": None,
        "code": "upstream_broken",
    }


async def test_the_openai_sdk_raises_on_a_broken_stream(
    proxy: RunningProxy, raw_upstream: RawUpstream
) -> None:
    async def behaviour(request: RawRequest, writer: asyncio.StreamWriter) -> None:
        writer.write(SSE_HEAD + chunk("Hello"))
        await writer.drain()
        reset(writer)

    raw_upstream.on("/v1/chat/completions", behaviour)
    async with openai.AsyncOpenAI(
        base_url=proxy.base_url, api_key="k", max_retries=0, timeout=BOUND
    ) as client:
        stream = await client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        with pytest.raises(openai.APIError, match="broke off"):
            async for _ in stream:
                pass


async def test_a_stall_before_the_first_byte_is_504(
    proxy: RunningProxy, raw_upstream: RawUpstream, http: aiohttp.ClientSession
) -> None:
    async def behaviour(request: RawRequest, writer: asyncio.StreamWriter) -> None:
        await raw_upstream.stall.wait()

    raw_upstream.on("/v1/chat/completions", behaviour)
    for body in (CHAT, STREAM):
        started = time.monotonic()
        status, data = await answer(http, proxy, body)
        assert (status, error_of(data)["code"]) == (504, "upstream_timeout")
        assert time.monotonic() - started >= READ_TIMEOUT


async def test_a_stall_between_events_ends_the_stream_with_an_error_event(
    proxy: RunningProxy, raw_upstream: RawUpstream, http: aiohttp.ClientSession
) -> None:
    async def behaviour(request: RawRequest, writer: asyncio.StreamWriter) -> None:
        writer.write(SSE_HEAD + chunk("Hello"))
        await writer.drain()
        await raw_upstream.stall.wait()

    raw_upstream.on("/v1/chat/completions", behaviour)
    status, data = await answer(http, proxy, STREAM)
    assert status == 200 and b"Hello" in data
    assert last_event(data)["error"]["code"] == "upstream_timeout"  # type: ignore[index]


@pytest.mark.parametrize(
    "body",
    [b'{"choices": [', b"[1, 2]", b"\xff\xfe", b"[" * 100_000],
    ids=["truncated", "not-an-object", "not-utf8", "100k-nested"],
)
async def test_malformed_json_is_502(
    proxy: RunningProxy, raw_upstream: RawUpstream, http: aiohttp.ClientSession, body: bytes
) -> None:
    raw_upstream.on("/v1/chat/completions", json_reply(200, body))
    status, data = await answer(http, proxy, CHAT)
    assert (status, error_of(data)["code"]) == (502, "upstream_malformed")


@pytest.mark.parametrize(
    ("events", "code"),
    [
        (chunk("Hello") + framed(b"data: \xff\xfe broken utf-8\n\n") + LAST_CHUNK, "upstream_broken"),
        (
            chunk("Hello") + framed(b"data: " + b"x" * (10 * 1024 * 1024) + b"\n\n") + LAST_CHUNK,
            "event_too_long",
        ),
    ],
    ids=["not-utf8", "10MB-event"],
)
async def test_malformed_sse_ends_the_stream_with_an_error_event(
    proxy: RunningProxy, raw_upstream: RawUpstream, http: aiohttp.ClientSession, events: bytes, code: str
) -> None:
    async def behaviour(request: RawRequest, writer: asyncio.StreamWriter) -> None:
        writer.write(SSE_HEAD + events)
        await writer.drain()

    raw_upstream.on("/v1/chat/completions", behaviour)
    status, data = await answer(http, proxy, STREAM)
    assert status == 200 and b"Hello" in data
    assert last_event(data)["error"]["code"] == code  # type: ignore[index]
    assert len(data) < 100_000  # the huge event never reached the client


async def test_garbage_events_are_relayed_and_the_stream_ends_cleanly(
    proxy: RunningProxy, raw_upstream: RawUpstream, http: aiohttp.ClientSession
) -> None:
    async def behaviour(request: RawRequest, writer: asyncio.StreamWriter) -> None:
        garbage = framed(b"data: {not json\n\nevent\n\n: note\ndata: [DONE]\n\n")
        writer.write(SSE_HEAD + chunk("Hello") + garbage + LAST_CHUNK)
        await writer.drain()

    raw_upstream.on("/v1/chat/completions", behaviour)
    status, data = await answer(http, proxy, STREAM)
    assert status == 200
    assert data.endswith(b"data: [DONE]\n\n")


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("body", [CHAT, STREAM], ids=["json", "stream"])
async def test_429_and_503_pass_through_with_retry_after_and_are_never_retried(
    proxy: RunningProxy, raw_upstream: RawUpstream, http: aiohttp.ClientSession, status: int, body: object
) -> None:
    error = {"error": {"message": "slow down", "type": "rate_limit", "param": None, "code": None}}
    raw_upstream.on("/v1/chat/completions", json_reply(status, error, {"Retry-After": "17"}))
    started = time.monotonic()
    async with http.post(f"{proxy.url}/v1/chat/completions", json=body) as response:
        assert response.status == status
        assert response.headers["Retry-After"] == "17"
        assert await response.json() == error
    assert time.monotonic() - started < BOUND
    assert [r.path for r in raw_upstream.requests] == ["/v1/chat/completions"]


async def test_a_status_line_then_silence_is_504(
    proxy: RunningProxy, raw_upstream: RawUpstream, http: aiohttp.ClientSession
) -> None:
    async def behaviour(request: RawRequest, writer: asyncio.StreamWriter) -> None:
        writer.write(head(200, {"Content-Type": "application/json"}, length=100))
        writer.write(b'{"choices"')
        await writer.drain()
        await raw_upstream.stall.wait()

    raw_upstream.on("/v1/chat/completions", behaviour)
    status, data = await answer(http, proxy, CHAT)
    assert (status, error_of(data)["code"]) == (504, "upstream_timeout")
