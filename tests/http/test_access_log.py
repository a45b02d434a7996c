"""The access log of a real ``modproxy serve``: off by default, one short line per request when on."""

from __future__ import annotations

import asyncio
import signal

import aiohttp

from tests.fixtures.upstream import LoopbackUpstream
from tests.http.test_server import ServerProcess, start_server

CHAT = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
REQUEST_ID = {"X-Request-ID": "req-42"}


async def one_chat(server: ServerProcess) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{server.url}/v1/chat/completions", json=CHAT, headers=REQUEST_ID) as reply,
    ):
        assert reply.status == 200
        await reply.read()


async def stopped_output(server: ServerProcess) -> bytes:
    server.process.send_signal(signal.SIGTERM)
    assert server.process.stderr is not None
    rest = await asyncio.wait_for(server.process.stderr.read(), 10)
    assert await asyncio.wait_for(server.process.wait(), 10) == 0
    return rest


async def test_one_line_per_request_when_on(upstream: LoopbackUpstream) -> None:
    server = await start_server(upstream.url, grace=1, env={"MODPROXY_LOGGING_ACCESS_LOG": "true"})
    await one_chat(server)
    lines = [line for line in (await stopped_output(server)).splitlines() if b"proxy.access" in line]
    assert len(lines) == 1
    fields = lines[0].split(b"proxy.access: ")[1].split()
    assert fields[:4] == [b"127.0.0.1", b"POST", b"/v1/chat/completions", b"200"]
    assert int(fields[4]) > 0
    assert fields[5].endswith(b"ms")
    assert fields[6] == b"req-42"


async def test_off_by_default(upstream: LoopbackUpstream) -> None:
    server = await start_server(upstream.url, grace=1)
    await one_chat(server)
    assert b"proxy.access" not in await stopped_output(server)
