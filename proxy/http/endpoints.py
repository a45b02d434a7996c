"""The endpoints beside the moderated exchange of :mod:`proxy.http.handlers`.

A stored answer read back (moderated like a fresh one), ``/v1/moderations`` (our own policies,
never the upstream), every other ``/v1/*`` call streamed through unchanged, and the health probes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web

from proxy.apis import openai_chat
from proxy.apis.base import ApiFormat, parse_json_object, sealed_mask
from proxy.errors import NotFound
from proxy.http.handlers import (
    SERVICES,
    authenticate,
    json_object,
    json_response,
    moderation_headers,
    read_body,
    relay,
    release_upstream,
    route,
    send_upstream,
    stream_plan,
)
from proxy.http.upstream import response_headers
from proxy.metrics.exporter import BypassComponent, BypassReason
from proxy.policy.decision import Phase


def stored(fmt: ApiFormat) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The handler that reads back an answer the upstream stored (``GET /v1/responses/{id}``)."""

    async def handler(request: web.Request) -> web.StreamResponse:
        if request.can_read_body:  # a read with a body is no read: the rule for unknown paths decides
            return await passthrough(request)
        return await stored_answer(request, fmt)

    return handler


async def stored_answer(request: web.Request, fmt: ApiFormat) -> web.StreamResponse:
    """An upstream keeps the answer it generated, not the one the client got: read back, it goes
    through the same answer moderation (a resumed stream, ``?stream=true``, through the relay)."""
    assert fmt.response_slots is not None
    services = request.app[SERVICES]
    routed = route(services, request, authenticate(services, request), None)
    started = time.monotonic()
    upstream = await send_upstream(
        services, routed.upstream, "GET", request.path_qs, request.headers, None, routed.ctx
    )
    try:
        if upstream.status == 200 and upstream.content_type == "text/event-stream":
            plan = stream_plan(services, routed, (), {}, fmt, None, started)
            return await relay(request, upstream, plan, {}, started)
        data = await routed.upstream.read(upstream)
    finally:
        release_upstream(upstream)
        services.metrics.observe_upstream(upstream.status, time.monotonic() - started)
    reply = (
        json_object(data) if upstream.status == 200 and upstream.content_type == "application/json" else None
    )
    if reply is None or not routed.policies.active():
        return web.Response(status=upstream.status, body=data, headers=response_headers(upstream.headers))
    slots = fmt.response_slots(reply)
    verdict = await routed.moderator.moderate(
        [s.text for s in slots], Phase.RESPONSE, routed.ctx, sealed=sealed_mask(slots)
    )
    fmt.apply_response(reply, slots, verdict, routed.refusal(()) if verdict.blocked else "", ())
    headers = response_headers(upstream.headers)
    headers.update(moderation_headers(verdict))
    return json_response(upstream.status, reply, headers)


async def moderations(request: web.Request) -> web.Response:
    """Our own policies in the OpenAI moderation shape; never calls the upstream."""
    services = request.app[SERVICES]
    tenant = authenticate(services, request)
    raw = await read_body(request, services.settings.server.max_body_bytes)
    body = parse_json_object(raw, services.json_limits)
    texts = openai_chat.moderation_inputs(body)
    model = body.get("model") if isinstance(body.get("model"), str) else None
    routed = route(services, request, tenant, model)
    verdict = await routed.moderator.moderate(texts, Phase.PROMPT, routed.ctx)
    return json_response(
        200, openai_chat.moderations_body(model or "modproxy-policies", verdict), moderation_headers(verdict)
    )


async def passthrough(request: web.Request) -> web.StreamResponse:
    """Any other ``/v1/*`` call (models, files listings, stored responses...), streamed through unchanged.

    A body sent to a path no wire format knows, by any method, is not moderated, so it is refused
    unless the route's ``unknown_paths`` is ``pass`` (counted as a bypass). A request without one
    carries no text to a model (``POST /v1/responses/{id}/cancel``) and goes through."""
    services = request.app[SERVICES]
    tenant = authenticate(services, request)
    if request.headers.get("Upgrade", "").lower() == "websocket":
        # An upgrade is hop-by-hop and never forwarded: a WebSocket API (the Realtime API) would
        # carry text past moderation, so it is refused here rather than half-forwarded.
        raise NotFound(
            f"{request.path} asks for a WebSocket (such as the Realtime API's), which modproxy does not"
            " moderate, so it is refused.",
            code="unknown_path",
        )
    body = (
        await read_body(request, services.settings.server.max_body_bytes) if request.can_read_body else None
    )
    routed = route(services, request, tenant, openai_chat.model_of(request.content_type, body))
    if body:
        if routed.plan.unknown_paths != "pass":
            raise NotFound(
                f"{request.method} {request.path} with a body is not an API modproxy moderates, so it is"
                " refused (the proxy's moderation.unknown_paths setting is 'block').",
                code="unknown_path",
            )
        services.metrics.components.record_bypass(BypassComponent.MODERATION, BypassReason.UNKNOWN_PATH)
    started = time.monotonic()
    upstream = await send_upstream(
        services, routed.upstream, request.method, request.path_qs, request.headers, body, routed.ctx
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
        release_upstream(upstream)
        services.metrics.observe_upstream(upstream.status, time.monotonic() - started)


async def healthz(request: web.Request) -> web.Response:
    return json_response(200, {"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    checks = services.ready_checks
    results = await asyncio.gather(*(check() for check in checks.values()))
    status = dict(zip(checks, results, strict=True))
    ready = all(results)
    body: dict[str, Any] = {"status": "ready" if ready else "unready", "checks": status}
    if services.ready_detail:
        body["detail"] = {name: describe() for name, describe in services.ready_detail.items()}
    return json_response(200 if ready else 503, body)
