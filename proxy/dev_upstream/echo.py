"""A development echo backend speaking the OpenAI and Anthropic APIs. It is NOT a language model.

It answers with the last user message (or the prompt), streamed word by word when asked,
with usage counts, so quick-starts, demos and tests have an upstream without a GPU.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from aiohttp import web

from proxy.dev_upstream.formats import add_format_routes, pieces, text_of

DEV_HEADER = "x-modproxy-dev-upstream"
MODEL = "modproxy-dev-echo"
BANNER = (
    "modproxy dev upstream: a development ECHO backend, not an LLM. "
    "It repeats the last user message; use a real OpenAI-compatible backend in production."
)


def create_dev_upstream_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/v1/chat/completions", _chat)
    app.router.add_post("/v1/completions", _completions)
    app.router.add_get("/v1/models", _models)
    add_format_routes(app)
    app.on_response_prepare.append(_label)
    return app


async def _label(request: web.Request, response: web.StreamResponse) -> None:
    response.headers[DEV_HEADER] = "echo"


async def _chat(request: web.Request) -> web.StreamResponse:
    body = await _json_body(request)
    if isinstance(body, web.Response):
        return body
    raw_messages = body.get("messages")
    messages: list[Any] = raw_messages if isinstance(raw_messages, list) else []
    prompt = _last_user_text(messages)
    model = str(body.get("model") or MODEL)
    completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    usage = _usage(" ".join(text_of(m.get("content")) for m in messages if isinstance(m, dict)), prompt)
    if body.get("stream") is True:
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return await _stream_chat(request, completion_id, model, prompt, usage if include_usage else None)
    return web.json_response(
        {
            "id": completion_id,
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": prompt},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": usage,
        }
    )


async def _stream_chat(
    request: web.Request, completion_id: str, model: str, text: str, usage: dict[str, int] | None
) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    created = int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None) -> bytes:
        data = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
        }
        return _event(data)

    await response.write(chunk({"role": "assistant", "content": ""}, None))
    for piece in pieces(text):
        await response.write(chunk({"content": piece}, None))
    await response.write(chunk({}, "stop"))
    if usage is not None:
        await response.write(
            _event(
                {
                    "id": completion_id,
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": model,
                    "choices": [],
                    "usage": usage,
                }
            )
        )
    await response.write(b"data: [DONE]\n\n")
    await response.write_eof()
    return response


async def _completions(request: web.Request) -> web.StreamResponse:
    body = await _json_body(request)
    if isinstance(body, web.Response):
        return body
    prompt = body.get("prompt", "")
    prompts = prompt if isinstance(prompt, list) else [prompt]
    texts = [p if isinstance(p, str) else "" for p in prompts]
    model = str(body.get("model") or MODEL)
    completion_id = f"cmpl-{uuid.uuid4().hex[:24]}"
    created = int(time.time())
    if body.get("stream") is True:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for index, text in enumerate(texts):
            for piece in pieces(text):
                choice = {"index": index, "text": piece, "finish_reason": None, "logprobs": None}
                await response.write(_event(_completion(completion_id, created, model, [choice])))
            done = {"index": index, "text": "", "finish_reason": "stop", "logprobs": None}
            await response.write(_event(_completion(completion_id, created, model, [done])))
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response
    choices = [
        {"index": i, "text": t, "finish_reason": "stop", "logprobs": None} for i, t in enumerate(texts)
    ]
    data = _completion(completion_id, created, model, choices)
    data["usage"] = _usage(" ".join(texts), " ".join(texts))
    return web.json_response(data)


async def _models(request: web.Request) -> web.Response:
    return web.json_response(
        {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "modproxy"}]}
    )


async def _json_body(request: web.Request) -> dict[str, Any] | web.Response:
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        error = {
            "message": "body must be a JSON object",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
        return web.json_response({"error": error}, status=400)
    return body


def _completion(
    completion_id: str, created: int, model: str, choices: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "text_completion",
        "created": created,
        "model": model,
        "choices": choices,
    }


def _last_user_text(messages: list[Any]) -> str:
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return text_of(message.get("content"))
    return ""


def _usage(prompt: str, completion: str) -> dict[str, int]:
    prompt_tokens, completion_tokens = len(prompt.split()), len(completion.split())
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def _event(data: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(data).encode() + b"\n\n"
