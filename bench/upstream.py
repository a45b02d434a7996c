"""The benchmarks' upstream: a different answer to every request, as JSON or as a 50-chunk SSE stream.

Each answer (~1.4 KB of English and Chinese sentences) is seeded from a hash of the request
body, so unique prompts get unique answers. Chat completions are answered here; the Responses
API and Anthropic Messages (the same answers in their own events) in :mod:`bench.upstream_apis`.
Runs as its own process:

    python -m bench.upstream PORT
"""

from __future__ import annotations

import json
import sys
import time

from aiohttp import web

from bench import process
from bench.upstream_apis import add_api_routes, asks_for_stream
from bench.workload import STREAM_CHUNKS, answer_for, pieces, reasoning_for, wants_reasoning

_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


async def chat(request: web.Request) -> web.StreamResponse:
    body = await request.read()
    seed, text = answer_for(body)
    # A reasoning model thinks first: reasoning_content deltas, then the answer's content deltas.
    reasoning = reasoning_for(seed) if wants_reasoning(body) else None
    completion_id = f"chatcmpl-{seed:08x}"
    created = int(time.time())
    if not asks_for_stream(body):
        reply = {
            "id": completion_id,
            "object": "chat.completion",
            "created": created,
            "model": "bench",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text}
                    | ({} if reasoning is None else {"reasoning_content": reasoning}),
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": len(body) // 4, "completion_tokens": 350, "total_tokens": 650},
        }
        return web.Response(body=_ENCODE(reply).encode(), content_type="application/json")
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    head = f'data: {{"id":"{completion_id}","object":"chat.completion.chunk","created":{created},'
    head += '"model":"bench","choices":[{"index":0,"delta":'
    deltas = [("content", piece) for piece in pieces(text, STREAM_CHUNKS)]
    if reasoning is not None:
        deltas = [("reasoning_content", piece) for piece in pieces(reasoning, STREAM_CHUNKS)] + deltas
    for number, (field, piece) in enumerate(deltas):
        role = '"role":"assistant",' if number == 0 else ""
        delta = f'{{{role}"{field}":{_ENCODE(piece)}}}'
        await response.write(f'{head}{delta},"finish_reason":null}}]}}\n\n'.encode())
    await response.write(f'{head}{{}},"finish_reason":"stop"}}]}}\n\n'.encode())
    await response.write(b"data: [DONE]\n\n")
    await response.write_eof()
    return response


async def models(request: web.Request) -> web.Response:
    return web.json_response({"object": "list", "data": [{"id": "bench", "object": "model"}]})


def create_upstream_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat)
    app.router.add_get("/v1/models", models)
    add_api_routes(app)
    return app


if __name__ == "__main__":
    process.serve_app(create_upstream_app, int(sys.argv[1]))
