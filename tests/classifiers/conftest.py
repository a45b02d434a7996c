"""A scripted loopback HTTP server for the remote backends, and a client session.

Each test tells the server how to answer (``server.reply(...)``) and reads back what
the backend sent (``server.requests``), so request shapes and failure modes are both
checked against a real socket.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web


@dataclass(frozen=True)
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    raw: bytes | None = None
    hang: bool = False


@dataclass
class ScriptedServer:
    url: str = ""
    requests: list[Received] = field(default_factory=list)
    script: list[Reply] = field(default_factory=list)
    default: Reply = field(default_factory=lambda: Reply(body={}))
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def reply(
        self, body: Any = None, *, status: int = 200, raw: bytes | None = None, hang: bool = False
    ) -> None:
        """Answer every following request this way."""
        self.default = Reply(status, body, raw, hang)

    def then(
        self, body: Any = None, *, status: int = 200, raw: bytes | None = None, hang: bool = False
    ) -> None:
        """Queue a one-off answer for the next request (before the default applies)."""
        self.script.append(Reply(status, body, raw, hang))

    async def handle(self, request: web.Request) -> web.StreamResponse:
        raw_body = await request.read()
        self.requests.append(
            Received(
                request.path, dict(request.query), dict(request.headers), json.loads(raw_body or b"null")
            )
        )
        reply = self.script.pop(0) if self.script else self.default
        if reply.hang:
            await self.release.wait()
        if reply.raw is not None:
            return web.Response(status=reply.status, body=reply.raw, content_type="application/json")
        return web.json_response(reply.body, status=reply.status)


@pytest.fixture
async def server() -> AsyncIterator[ScriptedServer]:
    scripted = ScriptedServer()
    app = web.Application()
    app.router.add_route("POST", "/{tail:.*}", scripted.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    scripted.url = f"http://127.0.0.1:{port}"
    yield scripted
    scripted.release.set()
    await runner.cleanup()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


ClockFn = Callable[[], float]
