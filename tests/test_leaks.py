"""No leaks: after each storm, a real ``modproxy serve`` holds no client socket, no more upstream
sockets than before, and its resident memory is back within a bound; in-process, the number of
asyncio tasks returns to its baseline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import aiohttp

from tests.fixtures.raw_upstream import SSE_HEAD, RawRequest, RawUpstream, chunk, reset
from tests.fixtures.served import Served, Sockets, serve_proxy
from tests.fixtures.upstream import LoopbackUpstream, Reply, StartProxy, chat_chunks

STORM = 100
"""Clients per storm (per stage, for aborted streams)."""
RSS_BOUND = 8 * 1024 * 1024
"""How far above its warmed-up baseline the resident memory may settle after a storm."""
SETTLE = 15.0
"""Seconds the sockets may take to return to baseline (the slow-client storm's timeouts are 0.5 s)."""
SHORT_TIMEOUTS = {"MODPROXY_LIMITS_HEADER_TIMEOUT": "0.5", "MODPROXY_LIMITS_BODY_IDLE_TIMEOUT": "0.5"}
"""For the slow-client storm only: elsewhere a busy machine may take longer to send 100 requests' headers."""
CHAT = {"model": "m", "messages": [{"role": "user", "content": "hello there"}]}
HEAD = b"POST /v1/chat/completions HTTP/1.1\r\nHost: p\r\nContent-Type: application/json\r\n"


async def warm_up(served: Served, count: int = 50) -> None:
    async with aiohttp.ClientSession() as http:
        for index in range(count):
            body = {
                "model": "m",
                "stream": index % 2 == 0,
                "messages": [{"role": "user", "content": f"hi {index}"}],
            }
            async with http.post(f"{served.url}/v1/chat/completions", json=body) as response:
                assert response.status == 200
                await response.read()


async def after_storm(served: Served, baseline: Sockets, baseline_rss: int) -> Sockets:
    settled = await served.settle(lambda s: s.clients == 0 and s.upstream <= baseline.upstream, SETTLE)
    grown = served.rss() - baseline_rss
    print(f"rss {baseline_rss / 2**20:.1f} MiB, after the storm +{grown / 2**20:.1f} MiB; {settled}")
    assert grown < RSS_BOUND, grown / 2**20
    await warm_up(served, 4)  # and it still serves
    return settled


Storm = Callable[[Served], Awaitable[None]]


async def run_storm(upstream_url: str, storm: Storm, env: dict[str, str] | None = None) -> None:
    async with serve_proxy(upstream_url, env) as served:
        await warm_up(served)
        baseline, baseline_rss = await served.settle(lambda s: s.clients == 0, SETTLE), served.rss()
        for _ in range(2):  # twice: a leak grows with each round, a warm-up cost does not
            await storm(served)
            await after_storm(served, baseline, baseline_rss)


async def slow_clients(served: Served) -> None:
    partial_headers = HEAD[:30]
    partial_body = HEAD + b"Content-Length: 100000\r\n\r\n{"
    connections = [await asyncio.open_connection("127.0.0.1", served.port) for _ in range(STORM)]
    try:
        for index, (_, writer) in enumerate(connections):
            writer.write(partial_headers if index % 2 else partial_body)
        # The measure sees them while they are held (once the proxy has accepted them: the kernel
        # completes a connection before the process takes it from the backlog).
        await served.settle(lambda s: s.clients > STORM // 2, SETTLE)

        async def answered(reader: asyncio.StreamReader) -> bytes:
            return await asyncio.wait_for(reader.read(), SETTLE)  # the answer, then the server closes

        answers = await asyncio.gather(*(answered(reader) for reader, _ in connections))
        assert all(answer.startswith(b"HTTP/1.1 408") for answer in answers)
    finally:
        for _, writer in connections:
            writer.close()


async def test_slow_clients_leave_nothing_behind(upstream: LoopbackUpstream) -> None:
    await run_storm(upstream.url, slow_clients, SHORT_TIMEOUTS)


async def pause() -> None:
    """Long enough for the proxy to have read what was sent (no event tells when it has)."""
    await asyncio.sleep(0.2)


async def _abort_after(served: Served, sent: bytes, until: Callable[[], Awaitable[None]]) -> None:
    _, writer = await asyncio.open_connection("127.0.0.1", served.port)
    try:
        writer.write(sent)
        await until()
    finally:
        writer.transport.abort()


async def test_streams_aborted_at_every_stage_leave_nothing_behind(upstream: LoopbackUpstream) -> None:
    # Chat completions echo (the warm-up); a completions stream holds after one event; the
    # Responses API (relayed as it is) takes a minute to say anything.
    upstream.script("/v1/completions", Reply(events=chat_chunks("a", " b", " c"), hold_after=1))
    upstream.script("/v1/responses", Reply(json={"output": []}, delay=60))
    stream_body = b'{"model": "m", "stream": true, "prompt": "x"}'
    full = HEAD.replace(b"/chat", b"") + f"Content-Length: {len(stream_body)}\r\n\r\n".encode() + stream_body
    waiting = full.replace(b"/v1/completions", b"/v1/responses")

    async def stages(served: Served) -> None:
        seen = len(upstream.requests)

        async def upstream_has(count: int) -> None:
            deadline = time.monotonic() + SETTLE
            while len(upstream.requests) < count:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.02)

        async def first_event(reader: asyncio.StreamReader) -> None:
            await asyncio.wait_for(reader.readuntil(b"\n\n"), SETTLE)

        async def mid_stream() -> None:
            reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
            try:
                writer.write(full)
                await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), SETTLE)  # response head
                await first_event(reader)
            finally:
                writer.transport.abort()

        await asyncio.gather(
            *(_abort_after(served, HEAD[:30], pause) for _ in range(STORM)),  # mid-headers
            *(_abort_after(served, full[:-10], pause) for _ in range(STORM)),  # mid-body
        )
        await asyncio.gather(
            *(_abort_after(served, waiting, lambda: upstream_has(seen + STORM)) for _ in range(STORM)),
        )  # before the first byte: the upstream is still thinking
        await asyncio.gather(*(mid_stream() for _ in range(STORM)))

    await run_storm(upstream.url, stages)
    assert upstream.cancelled.is_set()  # the proxy cancelled the upstream calls it no longer needed


async def test_upstream_resets_leave_nothing_behind(raw_upstream: RawUpstream) -> None:
    async def behaviour(request: RawRequest, writer: asyncio.StreamWriter) -> None:
        if b'"stream": true' not in request.body:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
            return
        writer.write(SSE_HEAD + chunk("Hello"))
        await writer.drain()
        reset(writer)

    raw_upstream.on("/v1/chat/completions", behaviour)

    async def resets(served: Served) -> None:
        async with aiohttp.ClientSession() as http:

            async def one() -> None:
                async with http.post(f"{served.url}/v1/chat/completions", json={**CHAT, "stream": True}) as r:
                    assert b"upstream_broken" in await r.read()

            await asyncio.gather(*(one() for _ in range(STORM)))

    await run_storm(raw_upstream.url, resets)


async def test_in_process_tasks_return_to_baseline(
    start_proxy: StartProxy, upstream: LoopbackUpstream
) -> None:
    """Tasks are only countable inside the process: the same storms against an in-process proxy."""
    upstream.script("/v1/chat/completions", Reply(events=chat_chunks("a", " b"), hold_after=1))
    proxy = await start_proxy(settings={"limits.body_idle_timeout": 0.3})
    baseline = len(asyncio.all_tasks())
    async with aiohttp.ClientSession() as http:
        for _ in range(3):
            responses = [
                await http.post(f"{proxy.url}/v1/chat/completions", json={**CHAT, "stream": True})
                for _ in range(20)
            ]
            for response in responses:
                await response.content.readuntil(b"\n\n")
                response.close()  # aborted mid-stream
            deadline = time.monotonic() + SETTLE
            while len(asyncio.all_tasks()) > baseline:
                assert time.monotonic() < deadline, f"{len(asyncio.all_tasks())} tasks, baseline {baseline}"
                await asyncio.sleep(0.05)
