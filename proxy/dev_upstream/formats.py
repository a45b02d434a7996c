"""The development echo backend's other APIs: Responses, Anthropic Messages, embeddings. NOT a model.

Each echoes the last user text (JSON, or streamed word by word in the API's own events),
so ``make run`` shows every API modproxy moderates with nothing but Python installed.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

from aiohttp import web

MODEL = "modproxy-dev-echo"


def add_format_routes(app: web.Application) -> None:
    app.router.add_post("/v1/responses", _responses)
    app.router.add_post("/v1/messages", _messages)
    app.router.add_post("/v1/embeddings", _embeddings)


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text='{"error": {"message": "body must be a JSON object"}}')
    return body


async def _responses(request: web.Request) -> web.StreamResponse:
    body = await _body(request)
    text = _last_text(body.get("input"))
    model = str(body.get("model") or MODEL)
    rid, mid = f"resp_{uuid.uuid4().hex[:24]}", f"msg_{uuid.uuid4().hex[:24]}"
    usage = {"input_tokens": len(text.split()), "output_tokens": len(text.split())}
    usage["total_tokens"] = usage["input_tokens"] + usage["output_tokens"]

    def response(status: str, output: list[dict[str, Any]], counts: Any = None) -> dict[str, Any]:
        return {
            "id": rid, "object": "response", "created_at": int(time.time()), "status": status,
            "model": model, "output": output, "error": None, "incomplete_details": None,
            "instructions": body.get("instructions"), "metadata": {}, "parallel_tool_calls": True,
            "tool_choice": "auto", "tools": [], "temperature": 1.0, "top_p": 1.0, "usage": counts,
        }  # fmt: skip

    def item(content: str, status: str = "completed") -> dict[str, Any]:
        parts = [{"type": "output_text", "text": content, "annotations": []}] if status == "completed" else []
        return {"id": mid, "type": "message", "status": status, "role": "assistant", "content": parts}

    if body.get("stream") is not True:
        return web.json_response(response("completed", [item(text)], usage))
    where = {"item_id": mid, "output_index": 0, "content_index": 0}
    part = {"type": "output_text", "text": "", "annotations": []}
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": response("in_progress", [])},
        {"type": "response.in_progress", "response": response("in_progress", [])},
        {"type": "response.output_item.added", "output_index": 0, "item": item("", "in_progress")},
        {"type": "response.content_part.added", **where, "part": part},
        *({"type": "response.output_text.delta", **where, "delta": p, "logprobs": []} for p in pieces(text)),
        {"type": "response.output_text.done", **where, "text": text, "logprobs": []},
        {"type": "response.content_part.done", **where, "part": {**part, "text": text}},
        {"type": "response.output_item.done", "output_index": 0, "item": item(text)},
        {"type": "response.completed", "response": response("completed", [item(text)], usage)},
    ]
    return await _stream(request, [{**e, "sequence_number": n} for n, e in enumerate(events)])


async def _messages(request: web.Request) -> web.StreamResponse:
    body = await _body(request)
    text = _last_text(body.get("messages"))
    usage = {"input_tokens": len(text.split()), "output_tokens": len(text.split())}
    message = {
        "id": f"msg_{uuid.uuid4().hex[:24]}", "type": "message", "role": "assistant",
        "model": str(body.get("model") or MODEL), "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn", "stop_sequence": None, "usage": usage,
    }  # fmt: skip
    if body.get("stream") is not True:
        return web.json_response(message)
    delta = {"stop_reason": "end_turn", "stop_sequence": None}
    events: list[dict[str, Any]] = [
        {"type": "message_start", "message": {**message, "content": [], "stop_reason": None}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        *(
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}
            for p in pieces(text)
        ),
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": delta, "usage": {"output_tokens": usage["output_tokens"]}},
        {"type": "message_stop"},
    ]
    return await _stream(request, events)


async def _embeddings(request: web.Request) -> web.Response:
    """A stable pseudo-vector per input (a hash, not a meaning)."""
    body = await _body(request)
    value = body.get("input")
    inputs = value if isinstance(value, list) else [value]
    data = [
        {
            "object": "embedding",
            "index": i,
            "embedding": [b / 255 for b in hashlib.sha256(str(v).encode()).digest()[:8]],
        }
        for i, v in enumerate(inputs)
    ]
    tokens = sum(len(str(v).split()) for v in inputs)
    usage = {"prompt_tokens": tokens, "total_tokens": tokens}
    return web.json_response(
        {"object": "list", "data": data, "model": body.get("model") or MODEL, "usage": usage}
    )


async def _stream(request: web.Request, events: list[dict[str, Any]]) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    for event in events:
        await response.write(f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode())
    await response.write_eof()
    return response


def _last_text(value: Any) -> str:
    """The last user text of a Responses ``input`` or a Messages ``messages`` list (or the string itself)."""
    if isinstance(value, str):
        return value
    for item in reversed(value if isinstance(value, list) else []):
        if isinstance(item, dict) and item.get("role", "user") == "user":
            content = item.get("content")
            if isinstance(content, str | list):
                return text_of(content)
    return ""


def text_of(content: Any) -> str:
    """A message's text: its string, or the ``text`` of its parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def pieces(text: str) -> Iterator[str]:
    """Word-sized pieces that join back into ``text`` exactly."""
    start = 0
    for i, ch in enumerate(text):
        if ch == " " and i > start:
            yield text[start:i]
            start = i
    if start < len(text):
        yield text[start:]
