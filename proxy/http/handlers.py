"""The request story, top to bottom: read → route → moderate prompt → forward → moderate or relay → reply.

A blocked prompt is a local reply: the upstream is never called. Everything the handlers
need travels in one :class:`Services` value that ``create_app`` builds at startup. With
virtual keys configured, the key is checked before the body is read; the route is picked
once, right after parsing, and decides the upstream, policy set, stream mode and refusal.
"""

from __future__ import annotations

import itertools
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

from proxy.apis.base import ApiFormat, notice_for, refusal_for, rewrites_response, sealed_mask
from proxy.apis.json_limits import JsonLimits
from proxy.audit.record import AuditingStreamObserver, AuditRecorder
from proxy.errors import BadRequest, PayloadTooLarge, UpstreamTimeout, UpstreamUnavailable
from proxy.finishing.labels import HEADER as LABEL_HEADER
from proxy.finishing.labels import Finish, finish_for, finish_json
from proxy.finishing.stream import Finisher, FinishingWriter, finisher_for
from proxy.http import client_limits
from proxy.http.keys import VirtualKeys
from proxy.http.routing import RequestFacts, RoutePlan, RouteTable
from proxy.http.upstream import API_KEY_HEADER, REQUEST_ID, Upstream, response_headers
from proxy.metrics.exporter import BypassComponent, BypassReason, Metrics, UpstreamFailure
from proxy.moderation.moderator import Moderation, Moderator, RequestContext
from proxy.moderation.policy_sets import PolicySetRuntime
from proxy.policy.decision import Phase
from proxy.settings.load import Settings
from proxy.stream.chunks import expected_choices
from proxy.stream.relay import (
    NullObserver,
    StreamMode,
    StreamObserver,
    StreamPlan,
    moderate_stream,
)

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
    audit: AuditRecorder | None = None
    """Where streamed answers' decisions are recorded (the moderators record their own)."""


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
        return refusal_for(prompt_texts, self.plan.refusal_message, self.plan.refusal_messages)


SERVICES = web.AppKey("services", Services)
REQUEST_ID_KEY = web.RequestKey("request_id", str)

ACTION_HEADER = "x-modproxy-action"
REVISION_HEADER = "x-modproxy-revision"
SHADOW_HEADER = "x-modproxy-shadow"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:/+=-]{1,128}")


def moderated(fmt: ApiFormat) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The handler of one API: :func:`moderated_exchange` over its wire format."""

    async def handler(request: web.Request) -> web.StreamResponse:
        return await moderated_exchange(request, fmt)

    return handler


async def moderated_exchange(request: web.Request, fmt: ApiFormat) -> web.StreamResponse:
    services = request.app[SERVICES]

    # 1. Check the virtual key, read and validate, pick the route.
    tenant = authenticate(services, request)
    raw = await read_body(request, services.settings.server.max_body_bytes)
    content_type = request.headers.get("Content-Type", "")
    parsed = fmt.parse(fmt.decode(raw, content_type, services.json_limits))
    routed = route(services, request, tenant, parsed.model)
    ctx = routed.ctx
    if parsed.token_prompt:
        _admit_token_prompt(services)

    # 2. Moderate the prompt; a block is answered here and the upstream never sees it. Flag-only
    #    classifiers may still be scoring it: they run alongside the upstream call. Pseudonymized
    #    values leave as placeholders; the mapping stays in this request, to restore the answer (5).
    screening = await routed.moderator.screen(parsed.texts, Phase.PROMPT, ctx, sealed=parsed.sealed)
    prompt = screening.now
    if prompt.blocked:
        blocked = fmt.prompt_blocked(prompt, parsed.texts)
        return json_response(blocked.status, blocked.body, moderation_headers(prompt))
    finish = finish_for(
        prompt,
        parsed.texts,
        services.settings.labels if routed.plan.labels else None,
        endpoint=fmt.endpoint,
        request_id=ctx.request_id,
    )
    forwarded = finish.pseudonyms.forward(parsed.texts, prompt) if finish.pseudonyms is not None else prompt
    payload = fmt.encode(raw, content_type, parsed, forwarded)

    # 3. Forward, to the route's upstream.
    started = time.monotonic()
    upstream = await send_upstream(
        services, routed.upstream, "POST", request.path_qs, request.headers, payload, ctx
    )
    try:
        prompt = await screening.settled()  # before any byte of the reply: its flags go in the headers
        # 4b. A stream is relayed event by event.
        if parsed.stream and upstream.status == 200 and upstream.content_type == "text/event-stream":
            return await relay(
                request,
                upstream,
                stream_plan(
                    services, routed, parsed.texts, parsed.body, fmt, prompt, started, hold=parsed.hold_stream
                ),
                _answer_headers(finish, prompt),
                started,
                finisher_for(fmt.endpoint, finish) if finish.active else None,
            )
        data = await routed.upstream.read(upstream)
    finally:
        release_upstream(upstream)
        services.metrics.observe_upstream(upstream.status, time.monotonic() - started)
    if upstream.status != 200 or upstream.content_type != "application/json":
        return web.Response(status=upstream.status, body=data, headers=response_headers(upstream.headers))
    if fmt.response_slots is None or not (routed.policies.active() or finish.active):
        headers = response_headers(upstream.headers)
        headers.update(moderation_headers(prompt))
        return web.Response(status=upstream.status, body=data, headers=headers)
    reply = json_object(data)
    if reply is None:  # nothing to moderate in it, so it must not reach the client
        raise UpstreamUnavailable("The upstream answered malformed JSON.", code="upstream_malformed")

    # 4a. Moderate the answer's texts; the format writes the verdict back in its own way.
    if fmt.usage is not None and (tokens := fmt.usage(reply)) is not None:
        services.metrics.record_tokens(*tokens)
    verdict = prompt
    if routed.policies.active():
        slots = fmt.response_slots(reply)
        verdict = await routed.moderator.moderate(
            [s.text for s in slots], Phase.RESPONSE, ctx, sealed=sealed_mask(slots)
        )
        notice = notice_for(prompt, parsed.texts) if fmt.add_notice is not None else None
        splice = fmt.splice_annotations if notice is None and not finish.active else None
        if splice is not None and not rewrites_response(verdict):
            # An answer whose texts stay as they are gains its annotations in the upstream's own bytes.
            annotated = splice(data, reply, parsed.slots, prompt, slots, verdict)
            if annotated is not None:
                headers = response_headers(upstream.headers)
                headers.update(_answer_headers(finish, prompt, verdict))
                return web.Response(status=upstream.status, body=annotated, headers=headers)
        refusal = routed.refusal(parsed.texts) if verdict.blocked else ""  # only blocked texts use it
        fmt.apply_response(reply, slots, verdict, refusal, parsed.texts)
        if notice is not None and fmt.add_notice is not None:
            fmt.add_notice(reply, notice)
        if fmt.annotate_prompt is not None:
            fmt.annotate_prompt(reply, parsed.slots, prompt)

    # 5. Restore pseudonymized values in the moderated answer (policies judged the placeholders, not the
    # user's own values), label it, reply.
    if finish.active:
        finish_json(fmt.endpoint, reply, finish)
    headers = response_headers(upstream.headers)
    headers.update(_answer_headers(finish, prompt, verdict))
    return json_response(upstream.status, reply, headers)


def _answer_headers(finish: Finish, *phases: Moderation) -> dict[str, str]:
    headers = moderation_headers(*phases)
    if finish.label is not None and not phases[-1].blocked:
        headers[LABEL_HEADER] = "true"
    return headers


def _admit_token_prompt(services: Services) -> None:
    """Token ids carry no text to moderate: refused unless ``moderation.token_prompts`` is ``pass``."""
    if services.settings.moderation.token_prompts != "pass":
        raise BadRequest(
            "Prompts given as token arrays cannot be moderated and are refused "
            "(the proxy's moderation.token_prompts setting is 'reject').",
            code="token_prompt_rejected",
        )
    services.metrics.components.record_bypass(BypassComponent.MODERATION, BypassReason.TOKEN_PROMPT)


def authenticate(services: Services, request: web.Request) -> str | None:
    """The tenant of the request's virtual key (401 without a valid one); None when keys are off."""
    if not services.keys.enabled:
        return None
    authorization = request.headers.get("Authorization")
    if authorization is None and (api_key := request.headers.get(API_KEY_HEADER)):
        authorization = f"Bearer {api_key}"  # where the Anthropic SDKs send their key
    return services.keys.authenticate(authorization)


def route(services: Services, request: web.Request, tenant: str | None, model: str | None) -> Routed:
    plan = services.routes.plan(RequestFacts(request.path, model, request.headers, tenant))
    return Routed(
        plan,
        RequestContext(request[REQUEST_ID_KEY], plan.route, plan.tenant, request.match_info.route.name or ""),
        services.policy_sets[plan.policy_set],
        services.upstreams[plan.upstream],
    )


def stream_plan(
    services: Services,
    routed: Routed,
    prompt_texts: Sequence[str],
    body: dict[str, Any],
    fmt: ApiFormat,
    prompt: Moderation | None,
    started: float,
    *,
    hold: bool = False,
) -> StreamPlan:
    """``hold``: the client may see nothing before the whole answer is checked (a spoken answer), so
    ``window`` mode becomes ``buffer``; ``audit`` mode stays, as the route chose to pass all."""
    streaming = services.settings.streaming
    observer = services.stream_observer
    if services.audit is not None:
        observer = AuditingStreamObserver(
            observer,
            services.audit,
            routed.ctx,
            revision=prompt.revision if prompt is not None else "",  # a stored answer read back
            started=started,
            all_decisions=services.settings.audit.all_decisions,
        )

    async def moderate(texts: Sequence[str], sealed: Sequence[bool]) -> Moderation:
        return await routed.moderator.moderate(texts, Phase.RESPONSE, routed.ctx, sealed=sealed)

    mode = StreamMode(routed.plan.stream_mode)
    scanner = routed.policies.scanner()  # pinned: a reload mid-stream does not change the rules
    return StreamPlan(
        mode=StreamMode.BUFFER if hold and mode is StreamMode.WINDOW else mode,
        scanner=scanner,
        segment_check=routed.policies.segment_check(scanner),
        moderate=moderate,
        refusal=routed.refusal(prompt_texts) if streaming.refusal_in_stream else None,
        max_event_bytes=streaming.max_event_bytes,
        buffer_max_chars=streaming.buffer_max_chars,
        buffer_max_bytes=streaming.buffer_max_bytes,
        expected_choices=expected_choices(body),
        observer=observer,
        route=routed.plan.route,
        notice=notice_for(prompt, prompt_texts) if prompt is not None and fmt.add_notice else None,
        events=fmt.stream,
    )


async def relay(
    request: web.Request,
    upstream: aiohttp.ClientResponse,
    plan: StreamPlan,
    headers: Mapping[str, str],
    started: float,
    finisher: Finisher | None = None,
) -> web.StreamResponse:
    response = web.StreamResponse(status=upstream.status, headers=response_headers(upstream.headers))
    response.headers.update(headers)
    await response.prepare(request)
    try:
        if finisher is None:
            report = await moderate_stream(upstream, response, plan)
        else:
            writer = FinishingWriter(response, finisher)
            report = await moderate_stream(upstream, writer, plan)
            await writer.close()
        await response.write_eof()
    except ConnectionResetError:
        return response  # the client left; the caller closes the upstream response, cancelling it
    if report.first_event_at is not None:
        request.app[SERVICES].metrics.observe_ttft(report.first_event_at - started)
    return response


async def send_upstream(
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


async def read_body(request: web.Request, limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"The request body exceeds the {limit}-byte limit.")
    services = request.app[SERVICES]
    idle = services.settings.limits.body_idle_timeout
    return await client_limits.read_body(request, limit, idle, services.metrics.limits)


def request_ids() -> Callable[[Mapping[str, str]], str]:
    """Each request's id: the client's when it is a sane one, else a new one.

    A new id is a random 64-bit prefix, drawn once per process, and a counter: unique across
    workers and replicas like a UUID, without a trip to the kernel's random source per request.
    """
    prefix = uuid.uuid4().hex[:16]
    numbers = itertools.count()

    def request_id_for(headers: Mapping[str, str]) -> str:
        given = headers.get(REQUEST_ID)
        if given and _VALID_REQUEST_ID.fullmatch(given):
            return given
        return f"{prefix}{next(numbers):016x}"

    return request_id_for


def moderation_headers(*phases: Moderation) -> dict[str, str]:
    action = max(m.action for m in phases)
    headers = {ACTION_HEADER: action.label, REVISION_HEADER: phases[-1].revision}
    # Shadow policies are never enforced; this says what they would have done, for measurement.
    shadow = sorted({f"{f.policy_id}={f.action.label}" for m in phases for f in m.findings if f.shadow})
    if shadow:
        headers[SHADOW_HEADER] = ",".join(shadow)
    return headers


def json_object(data: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


_JSON = json.JSONEncoder(ensure_ascii=False)  # built once; json.dumps with options builds one per call


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> web.Response:
    out = CIMultiDict(headers or {})
    out["Content-Type"] = "application/json"
    return web.Response(status=status, body=_JSON.encode(body).encode(), headers=out)


def release_upstream(upstream: aiohttp.ClientResponse) -> None:
    """Reuse the connection after a complete body; otherwise close it, which cancels the upstream."""
    if upstream.content.at_eof():
        upstream.release()
    else:
        upstream.close()
