"""The pass-through relay: events leave as soon as they are complete, however the bytes were split."""

from __future__ import annotations

import aiohttp

from tests.fixtures.upstream import LoopbackUpstream, Reply, StartProxy, read_stream, stream_request


async def _stream(url: str) -> bytes:
    _, body = await read_stream(url)
    return body


async def test_events_split_across_writes_arrive_whole(
    start_proxy: StartProxy, upstream: LoopbackUpstream
) -> None:
    events = [b'data: {"a"', b": 1}\n", b'\ndata: {"b": 2}\r\n\r\n', b"data: [DONE]\n\n"]
    upstream.script("/v1/chat/completions", Reply(events=events))
    proxy = await start_proxy()
    # Events are re-framed with "\n" line ends; their content is unchanged.
    assert await _stream(proxy.url) == b"".join(events).replace(b"\r\n", b"\n")


async def test_first_event_is_relayed_before_the_stream_ends(
    start_proxy: StartProxy, upstream: LoopbackUpstream
) -> None:
    upstream.script("/v1/chat/completions", Reply(events=[b"data: 1\n\n", b"data: 2\n\n"], hold_after=1))
    proxy = await start_proxy()
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{proxy.url}/v1/chat/completions",
            json=stream_request(),
        ) as response,
    ):
        assert await response.content.readuntil(b"\n\n") == b"data: 1\n\n"  # upstream is still holding
        upstream.release.set()
        assert await response.read() == b"data: 2\n\n"


async def test_overlong_event_ends_the_stream_with_an_error_event(
    start_proxy: StartProxy, upstream: LoopbackUpstream
) -> None:
    upstream.script("/v1/chat/completions", Reply(events=[b"data: ok\n\n", b"data: " + b"x" * 5000]))
    proxy = await start_proxy(settings={"streaming.max_event_bytes": 1024})
    body = await _stream(proxy.url)
    assert body.startswith(b"data: ok\n\n")
    assert b'"code": "event_too_long"' in body
    assert b"x" * 2000 not in body


async def test_silent_stream_ends_with_timeout_event(
    start_proxy: StartProxy, upstream: LoopbackUpstream
) -> None:
    upstream.script("/v1/chat/completions", Reply(events=[b"data: 1\n\n", b"data: 2\n\n"], hold_after=1))
    proxy = await start_proxy(settings={"upstream.read_timeout": 0.2})
    body = await _stream(proxy.url)
    assert body.startswith(b"data: 1\n\n")
    assert b'"code": "upstream_timeout"' in body
