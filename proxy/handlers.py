"""The request story, top to bottom: read → moderate prompt → forward → moderate response or relay → reply.

A blocked prompt is a local reply: the upstream is never called. Everything the handlers
need travels in one :class:`Services` value that ``create_app`` builds at startup.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

from proxy import openai_api
from proxy.errors import PayloadTooLarge
from proxy.moderation import AllowAll, Moderation, Moderator, RequestContext
from proxy.openai_api import ParsedRequest, TextSlot
from proxy.policy.decision import Phase
from proxy.policy.stream import NO_PATTERNS, Scanner
from proxy.settings import Settings
from proxy.streaming import (
    NullObserver,
    StreamMode,
    StreamObserver,
    StreamPlan,
    expected_choices,
    moderate_stream,
)
from proxy.upstream import REQUEST_ID, Upstream, response_headers

ReadyCheck = Callable[[], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    moderator: Moderator
    upstream: Upstream
    ready_checks: Mapping[str, ReadyCheck] = field(default_factory=dict)
    scanner: Callable[[], Scanner] = lambda: NO_PATTERNS
    """The current policy set, pinned by each stream for its whole life (window mode)."""
    stream_observer: StreamObserver = field(default_factory=NullObserver)

    @property
    def moderates(self) -> bool:
        """False with no policies at all: answers then go out as they came, without annotations."""
        return not isinstance(self.moderator, AllowAll)


SERVICES = web.AppKey("services", Services)
REQUEST_ID_KEY = web.RequestKey("request_id", str)

ACTION_HEADER = "x-modproxy-action"
REVISION_HEADER = "x-modproxy-revision"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:/+=-]{1,128}")


async def chat_completions(request: web.Request) -> web.StreamResponse:
    return await _moderated_exchange(request, openai_api.parse_chat_request, openai_api.chat_response_slots)


async def completions(request: web.Request) -> web.StreamResponse:
    return await _moderated_exchange(
        request, openai_api.parse_completion_request, openai_api.completion_response_slots
    )


async def _moderated_exchange(
    request: web.Request,
    parse: Callable[[dict[str, Any]], ParsedRequest],
    response_slots: Callable[[dict[str, Any]], list[TextSlot]],
) -> web.StreamResponse:
    services = request.app[SERVICES]
    ctx = RequestContext(request[REQUEST_ID_KEY])

    # 1. Read and validate.
    raw = await read_body(request, services.settings.server.max_body_bytes)
    parsed = parse(openai_api.parse_json_object(raw))

    # 2. Moderate the prompt; a block is answered here and the upstream never sees it.
    prompt = await services.moderator.moderate(parsed.texts, Phase.PROMPT, ctx)
    if prompt.blocked:
        return _json(400, openai_api.prompt_blocked_body(prompt), moderation_headers(prompt))
    body = openai_api.with_redactions(parsed.body, parsed.slots, prompt)
    payload = raw if body is parsed.body else json.dumps(body).encode()

    # 3. Forward.
    upstream = await services.upstream.send("POST", request.path_qs, request.headers, payload, ctx.request_id)
    try:
        # 4b. A stream is relayed event by event.
        if parsed.stream and upstream.status == 200 and upstream.content_type == "text/event-stream":
            return await _relay(
                request,
                upstream,
                _stream_plan(services, parsed, ctx, request.path),
                moderation_headers(prompt),
            )
        data = await services.upstream.read(upstream)
    finally:
        _finish(upstream)
    if upstream.status != 200 or upstream.content_type != "application/json":
        return web.Response(status=upstream.status, body=data, headers=response_headers(upstream.headers))
    if not services.moderates:
        headers = response_headers(upstream.headers)
        headers.update(moderation_headers(prompt))
        return web.Response(status=upstream.status, body=data, headers=headers)
    try:
        reply = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return web.Response(status=upstream.status, body=data, headers=response_headers(upstream.headers))

    # 4a. Moderate each choice of the response on its own.
    slots = response_slots(reply)
    verdict = await services.moderator.moderate([s.text for s in slots], Phase.RESPONSE, ctx)
    if verdict.blocked:
        moderation = services.settings.moderation
        refusal = openai_api.refusal_for(
            parsed.texts, moderation.refusal_message, moderation.refusal_messages
        )
    else:
        refusal = ""  # never used: only blocked choices are replaced
    openai_api.apply_response_moderation(reply, slots, verdict, refusal)
    openai_api.annotate_prompt(reply, parsed.slots, prompt)

    # 5. Reply.
    headers = response_headers(upstream.headers)
    headers.update(moderation_headers(prompt, verdict))
    return _json(upstream.status, reply, headers)


def _stream_plan(services: Services, parsed: ParsedRequest, ctx: RequestContext, route: str) -> StreamPlan:
    streaming = services.settings.streaming
    moderation = services.settings.moderation
    refusal = openai_api.refusal_for(parsed.texts, moderation.refusal_message, moderation.refusal_messages)

    async def moderate(texts: Sequence[str]) -> Moderation:
        return await services.moderator.moderate(texts, Phase.RESPONSE, ctx)

    return StreamPlan(
        mode=StreamMode(streaming.route_modes.get(route, streaming.mode)),
        scanner=services.scanner(),
        moderate=moderate,
        refusal=refusal if streaming.refusal_in_stream else None,
        max_event_bytes=streaming.max_event_bytes,
        buffer_max_chars=streaming.buffer_max_chars,
        expected_choices=expected_choices(parsed.body),
        observer=services.stream_observer,
    )


async def _relay(
    request: web.Request,
    upstream: aiohttp.ClientResponse,
    plan: StreamPlan,
    headers: Mapping[str, str],
) -> web.StreamResponse:
    response = web.StreamResponse(status=upstream.status, headers=response_headers(upstream.headers))
    response.headers.update(headers)
    await response.prepare(request)
    try:
        await moderate_stream(upstream, response, plan)
        await response.write_eof()
    except ConnectionResetError:
        pass  # the client left; the caller closes the upstream response, cancelling it
    return response


async def moderations(request: web.Request) -> web.Response:
    """Our own policies in the OpenAI moderation shape; never calls the upstream."""
    services = request.app[SERVICES]
    body = openai_api.parse_json_object(await read_body(request, services.settings.server.max_body_bytes))
    texts = openai_api.moderation_inputs(body)
    verdict = await services.moderator.moderate(texts, Phase.PROMPT, RequestContext(request[REQUEST_ID_KEY]))
    model = body.get("model") if isinstance(body.get("model"), str) else "modproxy-policies"
    return _json(200, openai_api.moderations_body(str(model), verdict), moderation_headers(verdict))


async def passthrough(request: web.Request) -> web.StreamResponse:
    """Any other ``/v1/*`` call (models, responses, files, ...), streamed through unchanged."""
    services = request.app[SERVICES]
    body = (
        await read_body(request, services.settings.server.max_body_bytes) if request.can_read_body else None
    )
    upstream = await services.upstream.send(
        request.method, request.path_qs, request.headers, body, request[REQUEST_ID_KEY]
    )
    try:
        response = web.StreamResponse(status=upstream.status, headers=response_headers(upstream.headers))
        if upstream.content_length is not None and "Content-Encoding" not in upstream.headers:
            response.content_length = upstream.content_length
        await response.prepare(request)
        try:
            async for chunk in upstream.content.iter_any():
                await response.write(chunk)
            await response.write_eof()
        except (TimeoutError, aiohttp.ClientError, ConnectionResetError):
            # Status already sent: cutting the connection is the only honest signal left.
            response.force_close()
        return response
    finally:
        _finish(upstream)


async def healthz(request: web.Request) -> web.Response:
    return _json(200, {"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    checks = request.app[SERVICES].ready_checks
    results = await asyncio.gather(*(check() for check in checks.values()))
    status = dict(zip(checks, results, strict=True))
    ready = all(results)
    return _json(200 if ready else 503, {"status": "ready" if ready else "unready", "checks": status})


async def read_body(request: web.Request, limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"The request body exceeds the {limit}-byte limit.")
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise PayloadTooLarge(f"The request body exceeds the {limit}-byte limit.") from None


def request_id_for(headers: Mapping[str, str]) -> str:
    given = headers.get(REQUEST_ID, "")
    return given if _VALID_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def moderation_headers(*phases: Moderation) -> dict[str, str]:
    action = max(m.action for m in phases)
    return {ACTION_HEADER: action.label, REVISION_HEADER: phases[-1].revision}


_JSON = json.JSONEncoder(ensure_ascii=False)  # built once; json.dumps with options builds one per call


def _json(status: int, body: Any, headers: Mapping[str, str] | None = None) -> web.Response:
    out = CIMultiDict(headers or {})
    out["Content-Type"] = "application/json"
    return web.Response(status=status, body=_JSON.encode(body).encode(), headers=out)


def _finish(upstream: aiohttp.ClientResponse) -> None:
    """Reuse the connection after a complete body; otherwise close it, which cancels the upstream."""
    if upstream.content.at_eof():
        upstream.release()
    else:
        upstream.close()
