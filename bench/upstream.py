"""The benchmarks' upstream: a different answer to every request, as JSON or as a 50-chunk SSE stream.

Each answer (~1.4 KB of English and Chinese sentences) is seeded from a hash of the request
body, so unique prompts get unique answers. Runs as its own process:

    python -m bench.upstream PORT
"""

from __future__ import annotations

import itertools
import json
import random
import sys
import time
import zlib

from aiohttp import web

from bench import process
from bench.workload import ANSWER_BYTES, STREAM_CHUNKS, sentences

_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def answer_for(body: bytes) -> tuple[int, str]:
    seed = zlib.crc32(body)
    return seed, f"Answer {seed:08x}. " + sentences(random.Random(seed), ANSWER_BYTES)


def pieces(text: str, count: int) -> list[str]:
    """``text`` cut into ``count`` pieces that join back into it."""
    cuts = [len(text) * i // count for i in range(count + 1)]
    return [text[a:b] for a, b in itertools.pairwise(cuts)]


async def chat(request: web.Request) -> web.StreamResponse:
    body = await request.read()
    seed, text = answer_for(body)
    completion_id = f"chatcmpl-{seed:08x}"
    created = int(time.time())
    if b'"stream":true' not in body.replace(b" ", b""):
        reply = {
            "id": completion_id,
            "object": "chat.completion",
            "created": created,
            "model": "bench",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
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
    for number, piece in enumerate(pieces(text, STREAM_CHUNKS)):
        role = '"role":"assistant",' if number == 0 else ""
        delta = f'{{{role}"content":{_ENCODE(piece)}}}'
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
    return app


if __name__ == "__main__":
    process.serve_app(create_upstream_app, int(sys.argv[1]))
