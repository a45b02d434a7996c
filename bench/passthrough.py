"""The baseline: the least a JSON-aware proxy does, in bare aiohttp.

It reads each request body and parses it as JSON (a proxy that moderates must at least do
that), forwards the bytes on a shared pooled session, and relays the answer: a JSON body
whole, an SSE stream chunk by chunk. No moderation, no metrics, no access log. Runs as its
own process:

    python -m bench.passthrough PORT UPSTREAM_URL
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from bench import process

SESSION = web.AppKey("session", aiohttp.ClientSession)


def create_passthrough_app(upstream: str) -> web.Application:
    async def session_ctx(app: web.Application) -> AsyncIterator[None]:
        app[SESSION] = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=100), timeout=aiohttp.ClientTimeout(total=300)
        )
        yield
        await app[SESSION].close()

    async def forward(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        try:
            json.loads(body)
        except ValueError:
            return web.json_response({"error": {"message": "invalid JSON"}}, status=400)
        headers = {"Content-Type": request.headers.get("Content-Type", "application/json")}
        async with request.app[SESSION].post(upstream + request.path_qs, data=body, headers=headers) as up:
            if up.content_type == "text/event-stream":
                response = web.StreamResponse(status=up.status, headers={"Content-Type": "text/event-stream"})
                await response.prepare(request)
                async for chunk in up.content.iter_any():
                    await response.write(chunk)
                await response.write_eof()
                return response
            return web.Response(status=up.status, body=await up.read(), content_type=up.content_type)

    async def models(request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": []})

    app = web.Application()
    app.cleanup_ctx.append(session_ctx)
    app.router.add_get("/v1/models", models)
    app.router.add_post("/{tail:.*}", forward)
    return app


if __name__ == "__main__":
    process.serve_app(lambda: create_passthrough_app(sys.argv[2]), int(sys.argv[1]))
