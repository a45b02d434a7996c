"""The request story, top to bottom: read → route → moderate prompt → forward → moderate or relay → reply.

A blocked prompt is a local reply: the upstream is never called. Everything the handlers
need travels in one :class:`Services` value that ``create_app`` builds at startup. With
virtual keys configured, the key is checked before the body is read; the route is picked
once, right after parsing, and decides the upstream, policy set, stream mode and refusal.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from multidict import CIMultiDict
from prometheus_client import CollectorRegistry

from proxy import client_limits, openai_api
from proxy.errors import PayloadTooLarge, UpstreamTimeout, UpstreamUnavailable
from proxy.json_limits import JsonLimits
from proxy.metrics import Metrics, UpstreamFailure
from proxy.moderation import Moderation, Moderator, RequestContext
from proxy.openai_api import ParsedRequest, TextSlot
from proxy.policy.decision import Phase
from proxy.policy_sets import PolicySetRuntime
from proxy.routing import RequestFacts, RoutePlan, RouteTable
from proxy.settings import Settings
from proxy.streaming import (
    NullObserver,
    StreamMode,
    StreamObserver,
    StreamPlan,
    expected_choices,
    moderate_stream,
)
from proxy.tenants import VirtualKeys
from proxy.upstream import REQUEST_ID, Upstream, response_headers

ReadyCheck = Callable[[], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    routes: RouteTable
    keys: VirtualKeys
    upstreams: Mapping[str, Upstream]
    """By name; ``default`` is ``upstream.*``."""
    policy_sets: Mapping[str, PolicySetRuntime]
    """By name; ``default`` is ``policies.path``."""
    ready_checks: Mapping[str, ReadyCheck] = field(default_factory=dict)
    ready_detail: Mapping[str, Callable[[], Any]] = field(default_factory=dict)
    """Extra state shown by ``/readyz`` (e.g. the policy store's last rejected load)."""
    stream_observer: StreamObserver = field(default_factory=NullObserver)
    metrics: Metrics = field(default_factory=lambda: Metrics(CollectorRegistry()))
    json_limits: JsonLimits = field(default_factory=JsonLimits)


@dataclass(frozen=True, slots=True)
class Routed:
    """One request's route, resolved once: everything downstream reads it from here."""

    plan: RoutePlan
    ctx: RequestContext
    policies: PolicySetRuntime
    upstream: Upstream

    @property
    def moderator(self) -> Moderator:
        return self.policies.moderator

    def refusal(self, prompt_texts: Sequence[str]) -> str:
        return openai_api.refusal_for(prompt_texts, self.plan.refusal_message, self.plan.refusal_messages)


SERVICES = web.AppKey("services", Services)
REQUEST_ID_KEY = web.RequestKey("request_id", str)

ACTION_HEADER = "x-modproxy-action"
REVISION_HEADER = "x-modproxy-revision"
SHADOW_HEADER = "x-modproxy-shadow"
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

    # 1. Check the virtual key, read and validate, pick the route.
    tenant = authenticate(services, request)
    raw = await read_body(request, services.settings.server.max_body_bytes)
    parsed = parse(openai_api.parse_json_object(raw, services.json_limits))
    routed = route(services, request, tenant, parsed.model)
    ctx = routed.ctx

    # 2. Moderate the prompt; a block is answered here and the upstream never sees it.
    prompt = await routed.moderator.moderate(parsed.texts, Phase.PROMPT, ctx)
    if prompt.blocked:
        return _json(400, openai_api.prompt_blocked_body(prompt), moderation_headers(prompt))
    body = openai_api.with_redactions(parsed.body, parsed.slots, prompt)
    payload = raw if body is parsed.body else json.dumps(body).encode()

    # 3. Forward, to the route's upstream.
    started = time.monotonic()
    upstream = await _send(services, routed.upstream, "POST", request.path_qs, request.headers, payload, ctx)
    try:
        # 4b. A stream is relayed event by event.
        if parsed.stream and upstream.status == 200 and upstream.content_type == "text/event-stream":
            return await _relay(
                request,
                upstream,
                _stream_plan(services, routed, parsed),
                moderation_headers(prompt),
                started,
            )
        data = await routed.upstream.read(upstream)
    finally:
        _finish(upstream)
        services.metrics.observe_upstream(upstream.status, time.monotonic() - started)
    if upstream.status != 200 or upstream.content_type != "application/json":
        return web.Response(status=upstream.status, body=data, headers=response_headers(upstream.headers))
    if not routed.policies.active():
        headers = response_headers(upstream.headers)
        headers.update(moderation_headers(prompt))
        return web.Response(status=upstream.status, body=data, headers=headers)
    try:
        reply = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        reply = None
    if not isinstance(reply, dict):  # nothing to moderate in it, so it must not reach the client
        raise UpstreamUnavailable("The upstream answered malformed JSON.", code="upstream_malformed")

    # 4a. Moderate each choice of the response on its own.
    _count_tokens(services.metrics, reply)
    slots = response_slots(reply)
    verdict = await routed.moderator.moderate([s.text for s in slots], Phase.RESPONSE, ctx)
    refusal = routed.refusal(parsed.texts) if verdict.blocked else ""  # only blocked choices use it
    openai_api.apply_response_moderation(reply, slots, verdict, refusal)
    openai_api.annotate_prompt(reply, parsed.slots, prompt)

    # 5. Reply.
    headers = response_headers(upstream.headers)
    headers.update(moderation_headers(prompt, verdict))
    return _json(upstream.status, reply, headers)


def authenticate(services: Services, request: web.Request) -> str | None:
    """The tenant of the request's virtual key (401 without a valid one); None when keys are off."""
    if not services.keys.enabled:
        return None
    return services.keys.authenticate(request.headers.get("Authorization"))


def route(services: Services, request: web.Request, tenant: str | None, model: str | None) -> Routed:
    plan = services.routes.plan(RequestFacts(request.path, model, request.headers, tenant))
    return Routed(
        plan,
        RequestContext(request[REQUEST_ID_KEY], plan.route, plan.tenant),
        services.policy_sets[plan.policy_set],
        services.upstreams[plan.upstream],
    )


def _stream_plan(services: Services, routed: Routed, parsed: ParsedRequest) -> StreamPlan:
    streaming = services.settings.streaming

    async def moderate(texts: Sequence[str]) -> Moderation:
        return await routed.moderator.moderate(texts, Phase.RESPONSE, routed.ctx)

    scanner = routed.policies.scanner()  # pinned: a reload mid-stream does not change the rules
    return StreamPlan(
        mode=StreamMode(routed.plan.stream_mode),
        scanner=scanner,
        segment_check=routed.policies.segment_check(scanner),
        moderate=moderate,
        refusal=routed.refusal(parsed.texts) if streaming.refusal_in_stream else None,
        max_event_bytes=streaming.max_event_bytes,
        buffer_max_chars=streaming.buffer_max_chars,
        expected_choices=expected_choices(parsed.body),
        observer=services.stream_observer,
        route=routed.plan.route,
    )


async def _relay(
    request: web.Request,
    upstream: aiohttp.ClientResponse,
    plan: StreamPlan,
    headers: Mapping[str, str],
    started: float,
) -> web.StreamResponse:
    response = web.StreamResponse(status=upstream.status, headers=response_headers(upstream.headers))
    response.headers.update(headers)
    await response.prepare(request)
    try:
        report = await moderate_stream(upstream, response, plan)
        await response.write_eof()
    except ConnectionResetError:
        return response  # the client left; the caller closes the upstream response, cancelling it
    if report.first_event_at is not None:
        request.app[SERVICES].metrics.observe_ttft(report.first_event_at - started)
    return response


async def moderations(request: web.Request) -> web.Response:
    """Our own policies in the OpenAI moderation shape; never calls the upstream."""
    services = request.app[SERVICES]
    tenant = authenticate(services, request)
    raw = await read_body(request, services.settings.server.max_body_bytes)
    body = openai_api.parse_json_object(raw, services.json_limits)
    texts = openai_api.moderation_inputs(body)
    model = body.get("model") if isinstance(body.get("model"), str) else None
    routed = route(services, request, tenant, model)
    verdict = await routed.moderator.moderate(texts, Phase.PROMPT, routed.ctx)
    return _json(
        200, openai_api.moderations_body(model or "modproxy-policies", verdict), moderation_headers(verdict)
    )


async def passthrough(request: web.Request) -> web.StreamResponse:
    """Any other ``/v1/*`` call (models, responses, files, ...), streamed through unchanged."""
    services = request.app[SERVICES]
    tenant = authenticate(services, request)
    body = (
        await read_body(request, services.settings.server.max_body_bytes) if request.can_read_body else None
    )
    routed = route(services, request, tenant, openai_api.model_of(request.content_type, body))
    started = time.monotonic()
    upstream = await _send(
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
        _finish(upstream)
        services.metrics.observe_upstream(upstream.status, time.monotonic() - started)


async def _send(
    services: Services,
    upstream: Upstream,
    method: str,
    path_qs: str,
    headers: Mapping[str, str],
    body: bytes | None,
    ctx: RequestContext,
) -> aiohttp.ClientResponse:
    """Forward to the route's upstream; a call that got no response at all is counted here."""
    started = time.monotonic()
    try:
        return await upstream.send(method, path_qs, headers, body, ctx.request_id)
    except UpstreamTimeout:
        services.metrics.observe_upstream(UpstreamFailure.TIMEOUT, time.monotonic() - started)
        raise
    except UpstreamUnavailable:
        services.metrics.observe_upstream(UpstreamFailure.ERROR, time.monotonic() - started)
        raise


def _count_tokens(metrics: Metrics, reply: dict[str, Any]) -> None:
    usage = reply.get("usage")
    if isinstance(usage, dict):
        prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
        if isinstance(prompt, int) and isinstance(completion, int):
            metrics.record_tokens(prompt, completion)


async def healthz(request: web.Request) -> web.Response:
    return _json(200, {"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    checks = services.ready_checks
    results = await asyncio.gather(*(check() for check in checks.values()))
    status = dict(zip(checks, results, strict=True))
    ready = all(results)
    body: dict[str, Any] = {"status": "ready" if ready else "unready", "checks": status}
    if services.ready_detail:
        body["detail"] = {name: describe() for name, describe in services.ready_detail.items()}
    return _json(200 if ready else 503, body)


async def read_body(request: web.Request, limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"The request body exceeds the {limit}-byte limit.")
    services = request.app[SERVICES]
    idle = services.settings.limits.body_idle_timeout
    return await client_limits.read_body(request, limit, idle, services.metrics.limits)


def request_id_for(headers: Mapping[str, str]) -> str:
    given = headers.get(REQUEST_ID)
    return given if given and _VALID_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def moderation_headers(*phases: Moderation) -> dict[str, str]:
    action = max(m.action for m in phases)
    headers = {ACTION_HEADER: action.label, REVISION_HEADER: phases[-1].revision}
    # Shadow policies are never enforced; this says what they would have done, for measurement.
    shadow = sorted({f"{f.policy_id}={f.action.label}" for m in phases for f in m.findings if f.shadow})
    if shadow:
        headers[SHADOW_HEADER] = ",".join(shadow)
    return headers


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
