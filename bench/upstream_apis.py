"""The bench upstream's other wire formats: the OpenAI Responses API and Anthropic Messages.

The same answer as a chat completion (:func:`bench.workload.answer_for`: seeded from the request
body, so unique prompts get unique answers), as a JSON body or streamed in the API's own events,
the text in :data:`~bench.workload.STREAM_CHUNKS` deltas. The events carry every field the
official SDKs' event types require (``openai.types.responses``, ``anthropic.types``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Iterator
from typing import Any

from aiohttp import web

from bench.workload import STREAM_CHUNKS, answer_for, pieces, reasoning_for, wants_reasoning

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
    # Extended thinking: a signed thinking block before the text, streamed as thinking deltas.
    thinking = reasoning_for(seed) if wants_reasoning(body) else None
    usage = {"input_tokens": len(body) // 4, "output_tokens": 350 if thinking is None else 700}
    content: list[dict[str, Any]] = [{"type": "text", "text": text}]
    if thinking is not None:
        content.insert(0, {"type": "thinking", "thinking": thinking, "signature": _signature(seed)})
    message = {
        "id": f"msg_{seed:08x}", "type": "message", "role": "assistant", "model": "bench",
        "content": content, "stop_reason": "end_turn", "stop_sequence": None, "usage": usage,
    }  # fmt: skip
    if not asks_for_stream(body):
        return web.Response(body=_ENCODE(message), content_type="application/json")
    start = {**message, "content": [], "stop_reason": None, "usage": {**usage, "output_tokens": 1}}
    finish = {"stop_reason": "end_turn", "stop_sequence": None}

    def block(index: int, kind: str, field: str, text: str) -> Iterator[str]:
        start_block = {
            "type": "content_block_start",
            "index": index,
            "content_block": {"type": kind, field: ""},
        }
        yield _event("content_block_start", _ENCODE(start_block))
        delta = f'{{"type":"content_block_delta","index":{index},"delta":{{"type":"{kind}_delta","{field}":'
        for piece in pieces(text, STREAM_CHUNKS):
            yield _event("content_block_delta", f"{delta}{_ENCODE(piece)}}}}}")

    def events() -> Iterator[str]:
        yield _event("message_start", _ENCODE({"type": "message_start", "message": start}))
        index = 0
        if thinking is not None:
            yield from block(0, "thinking", "thinking", thinking)
            signature = {"type": "signature_delta", "signature": _signature(seed)}
            yield _event(
                "content_block_delta",
                _ENCODE({"type": "content_block_delta", "index": 0, "delta": signature}),
            )
            yield _event("content_block_stop", '{"type":"content_block_stop","index":0}')
            index = 1
        yield from block(index, "text", "text", text)
        yield _event("content_block_stop", _ENCODE({"type": "content_block_stop", "index": index}))
        yield _event(
            "message_delta",
            _ENCODE(
                {"type": "message_delta", "delta": finish, "usage": {"output_tokens": usage["output_tokens"]}}
            ),
        )
        yield _event("message_stop", '{"type":"message_stop"}')

    return await _stream(request, events())


def _signature(seed: int) -> str:
    """A stand-in for the signature Anthropic puts over a thinking block (opaque base64 to clients)."""
    return base64.b64encode(hashlib.sha256(seed.to_bytes(4, "big")).digest() * 3).decode()


def _event(name: str, data: str) -> str:
    return f"event: {name}\ndata: {data}\n\n"


async def _stream(request: web.Request, events: Iterator[str]) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    for event in events:
        await response.write(event.encode())
    await response.write_eof()
    return response
