"""The bench upstream's other wire formats: the OpenAI Responses API and Anthropic Messages.

The same answer as a chat completion (:func:`bench.workload.answer_for`: seeded from the request
body, so unique prompts get unique answers), as a JSON body or streamed in the API's own events,
the text in :data:`~bench.workload.STREAM_CHUNKS` deltas. The events carry every field the
official SDKs' event types require (``openai.types.responses``, ``anthropic.types``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from aiohttp import web

from bench.workload import STREAM_CHUNKS, answer_for, pieces

_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def add_api_routes(app: web.Application) -> None:
    app.router.add_post("/v1/responses", _responses)
    app.router.add_post("/v1/messages", _messages)


def asks_for_stream(body: bytes) -> bool:
    """Whether a request body says ``"stream": true`` (a look at the bytes: the upstream parses nothing)."""
    return b'"stream":true' in body.replace(b" ", b"")


async def _responses(request: web.Request) -> web.StreamResponse:
    body = await request.read()
    seed, text = answer_for(body)
    rid, mid = f"resp_{seed:08x}", f"msg_{seed:08x}"
    created = int(time.time())
    usage = {
        "input_tokens": len(body) // 4,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 350,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": len(body) // 4 + 350,
    }

    def response(status: str, output: list[dict[str, Any]], counts: dict[str, Any] | None) -> dict[str, Any]:
        return {
            "id": rid, "object": "response", "created_at": created, "status": status, "model": "bench",
            "output": output, "error": None, "incomplete_details": None, "instructions": None,
            "metadata": {}, "parallel_tool_calls": True, "temperature": 1.0, "tool_choice": "auto",
            "tools": [], "top_p": 1.0, "usage": counts,
        }  # fmt: skip

    part = {"type": "output_text", "text": text, "annotations": []}
    item = {"id": mid, "type": "message", "status": "completed", "role": "assistant", "content": [part]}
    if not asks_for_stream(body):
        return web.Response(
            body=_ENCODE(response("completed", [item], usage)), content_type="application/json"
        )
    where = {"item_id": mid, "output_index": 0, "content_index": 0}
    opening: list[dict[str, Any]] = [
        {"type": "response.created", "response": response("in_progress", [], None)},
        {"type": "response.in_progress", "response": response("in_progress", [], None)},
        {"type": "response.output_item.added", "output_index": 0,
         "item": {**item, "status": "in_progress", "content": []}},
        {"type": "response.content_part.added", **where, "part": {**part, "text": ""}},
    ]  # fmt: skip
    closing: list[dict[str, Any]] = [
        {"type": "response.output_text.done", **where, "text": text, "logprobs": []},
        {"type": "response.content_part.done", **where, "part": part},
        {"type": "response.output_item.done", "output_index": 0, "item": item},
        {"type": "response.completed", "response": response("completed", [item], usage)},
    ]
    delta = '"type":"response.output_text.delta","item_id":"' + mid
    delta += '","output_index":0,"content_index":0,"logprobs":[],"delta":'

    def events() -> Iterator[str]:
        number = 0
        for event in opening:
            yield _event(event["type"], _ENCODE({**event, "sequence_number": number}))
            number += 1
        for piece in pieces(text, STREAM_CHUNKS):
            yield _event(
                "response.output_text.delta", f'{{{delta}{_ENCODE(piece)},"sequence_number":{number}}}'
            )
            number += 1
        for event in closing:
            yield _event(event["type"], _ENCODE({**event, "sequence_number": number}))
            number += 1

    return await _stream(request, events())


async def _messages(request: web.Request) -> web.StreamResponse:
    body = await request.read()
    seed, text = answer_for(body)
    usage = {"input_tokens": len(body) // 4, "output_tokens": 350}
    message = {
        "id": f"msg_{seed:08x}", "type": "message", "role": "assistant", "model": "bench",
        "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
        "usage": usage,
    }  # fmt: skip
    if not asks_for_stream(body):
        return web.Response(body=_ENCODE(message), content_type="application/json")
    start = {**message, "content": [], "stop_reason": None, "usage": {**usage, "output_tokens": 1}}
    finish = {"stop_reason": "end_turn", "stop_sequence": None}

    def events() -> Iterator[str]:
        yield _event("message_start", _ENCODE({"type": "message_start", "message": start}))
        yield _event(
            "content_block_start",
            '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
        )
        for piece in pieces(text, STREAM_CHUNKS):
            data = '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":'
            yield _event("content_block_delta", f"{data}{_ENCODE(piece)}}}}}")
        yield _event("content_block_stop", '{"type":"content_block_stop","index":0}')
        yield _event(
            "message_delta",
            _ENCODE({"type": "message_delta", "delta": finish, "usage": {"output_tokens": 350}}),
        )
        yield _event("message_stop", '{"type":"message_stop"}')

    return await _stream(request, events())


def _event(name: str, data: str) -> str:
    return f"event: {name}\ndata: {data}\n\n"


async def _stream(request: web.Request, events: Iterator[str]) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    for event in events:
        await response.write(event.encode())
    await response.write_eof()
    return response
