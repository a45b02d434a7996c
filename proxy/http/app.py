"""Wiring, in one place: routes, middlewares, and every resource's startup paired with its teardown."""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from prometheus_client import CollectorRegistry

from proxy.apis import FORMATS, STORED
from proxy.apis.anthropic_messages import PATH as ANTHROPIC_PATH
from proxy.apis.anthropic_messages import error_body as anthropic_error_body
from proxy.apis.json_limits import JsonLimits
from proxy.audit.trail import AuditTrail
from proxy.errors import MethodNotAllowed, NotFound, PayloadTooLarge, ProxyError, Unauthorized
from proxy.errors import error_body as render_error
from proxy.http import endpoints, handlers
from proxy.http.admin import admin_routes, cache_routes, policies_view
from proxy.http.components import Components
from proxy.http.handlers import REQUEST_ID_KEY, SERVICES, ReadyCheck, Services
from proxy.http.keys import VirtualKeys
from proxy.http.overload import LoadShedder, watch_ctx
from proxy.http.routing import RouteTable
from proxy.http.upstream import REQUEST_ID, Upstream, create_session
from proxy.metrics.endpoint import metrics_handler
from proxy.metrics.exporter import Metrics
from proxy.moderation.moderator import AllowAll, Moderator
from proxy.moderation.policy_sets import PolicySetRuntime, complete
from proxy.policy.stream import NO_PATTERNS, Scanner
from proxy.settings.load import Settings, redacted_view
from proxy.settings.routes import DEFAULT
from proxy.stream.relay import NullObserver, StreamObserver

log = logging.getLogger("proxy.app")  # the name it has always had: operators filter on it

SETTINGS = web.AppKey("settings", Settings)
CLIENT_CLOSED_REQUEST = 499  # nginx's code for a client that left before the answer was complete
_NEVER_SHED = frozenset({"healthz", "readyz"})


def create_app(
    settings: Settings,
    *,
    moderator: Moderator | None = None,
    ready_checks: Mapping[str, ReadyCheck] | None = None,
    scanner: Callable[[], Scanner] | None = None,
    stream_observer: StreamObserver | None = None,
    metrics: Metrics | None = None,
    ready_detail: Mapping[str, Callable[[], Any]] | None = None,
    policy_sets: Mapping[str, PolicySetRuntime] | None = None,
    audit: AuditTrail | None = None,
) -> web.Application:
    """The main listener. ``modproxy serve`` passes the pieces from
    :func:`proxy.http.components.open_components`; tests pass what they exercise, and get an
    allow-all moderator and private metrics otherwise.
    ``moderator`` and ``scanner`` serve the default policy set, ``policy_sets`` the named ones.
    ``audit`` (the trail the moderators record to) runs for the life of the app."""
    if settings.upstream.url is None:
        raise ValueError("create_app needs settings.upstream.url")
    metrics = metrics or Metrics(CollectorRegistry(), route_names=RouteTable.from_settings(settings).names)
    shedder = LoadShedder(settings.limits, metrics.limits)
    app = web.Application(
        middlewares=[request_middleware(metrics, shedder)],
        client_max_size=settings.server.max_body_bytes,
        handler_args={
            "max_line_size": settings.server.max_line_size,
            "max_field_size": settings.server.max_field_size,
        },
    )
    app[SETTINGS] = settings
    default = PolicySetRuntime(
        moderator or AllowAll(), scanner or (lambda: NO_PATTERNS), active=lambda: moderator is not None
    )
    sets = complete(settings.policy_sets, default, policy_sets or {})
    app.cleanup_ctx.append(watch_ctx(shedder))
    app.cleanup_ctx.append(
        _services_ctx(
            settings,
            sets,
            {"load": shedder.ready, **(ready_checks or {})},
            stream_observer or NullObserver(),
            metrics,
            ready_detail or {},
            audit,
        )
    )
    app.on_response_prepare.append(_stamp_request_id)
    for path, fmt in FORMATS.items():  # the route name is the metrics' endpoint label
        app.router.add_post(path, handlers.moderated(fmt), name=fmt.endpoint)
    for path, fmt in STORED.items():
        app.router.add_get(path, endpoints.stored(fmt), name=fmt.endpoint)
    app.router.add_post("/v1/moderations", endpoints.moderations, name="moderations")
    app.router.add_get("/v1/models", endpoints.passthrough, name="models")
    app.router.add_route("*", "/v1/{tail:.*}", endpoints.passthrough, name="passthrough")
    app.router.add_get("/healthz", endpoints.healthz, name="healthz")
    app.router.add_get("/readyz", endpoints.readyz, name="readyz")
    return app


def create_serving_apps(
    settings: Settings, parts: Components, *, metrics_registry: CollectorRegistry | None = None
) -> tuple[web.Application, web.Application]:
    """The main and admin applications of ``modproxy serve``, over one set of components.

    ``metrics_registry`` is what ``/metrics`` serves when it is not the components' own (with several
    workers: the aggregate of every worker's files)."""
    checks: dict[str, ReadyCheck] = {"policies": _policies_ready(parts)}
    if settings.redis.url is not None:
        checks["redis"] = parts.cache.ping
    app = create_app(
        settings,
        ready_checks=checks,
        stream_observer=parts.stream_metrics,
        metrics=parts.metrics,
        ready_detail={"policies": lambda: policies_view(parts.store)},
        policy_sets=parts.runtimes(),
        audit=parts.audit,
    )
    admin = create_admin_app(
        settings,
        routes=[
            *admin_routes(
                parts.store,
                parts.reloader,
                others={
                    name: (named.store, named.reloader)
                    for name, named in parts.policy_sets.items()
                    if name != DEFAULT
                },
            ),
            *cache_routes(parts.cache, parts.store),
        ],
        registry=metrics_registry or parts.metrics.registry,
    )
    return app, admin


def _policies_ready(parts: Components) -> ReadyCheck:
    async def check() -> bool:
        return all(s.store.status.ready for s in parts.policy_sets.values())

    return check


def create_admin_app(
    settings: Settings, *, routes: Sequence[web.RouteDef] = (), registry: CollectorRegistry | None = None
) -> web.Application:
    """The admin listener: ``/metrics`` and admin endpoints, behind ``admin.token`` when one is set."""
    app = web.Application(middlewares=[error_middleware, _admin_auth(settings.admin.token)])
    app[SETTINGS] = settings
    app.router.add_get("/healthz", endpoints.healthz)
    if registry is not None:
        app.router.add_get("/metrics", metrics_handler(registry))
    app.router.add_get("/admin/config", _show_config)
    app.router.add_routes(routes)
    return app


CleanupCtx = Callable[[web.Application], AsyncIterator[None]]


def _services_ctx(
    settings: Settings,
    policy_sets: Mapping[str, PolicySetRuntime],
    checks: dict[str, ReadyCheck],
    observer: StreamObserver,
    metrics: Metrics,
    ready_detail: Mapping[str, Callable[[], Any]],
    audit: AuditTrail | None,
) -> CleanupCtx:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        session = create_session(settings.upstream)  # one pool for every named upstream
        keys = VirtualKeys(settings.tenants)
        targets = {DEFAULT: (settings.upstream.url or "", settings.upstream.api_key)}
        targets.update((name, (t.url, t.api_key)) for name, t in settings.upstreams.items())
        upstreams = {
            name: Upstream(session, url, api_key=api_key, virtual_keys=keys.enabled)
            for name, (url, api_key) in targets.items()
        }
        all_checks: dict[str, ReadyCheck] = {"upstream": _always_true, **checks}
        app[SERVICES] = Services(
            settings,
            RouteTable.from_settings(settings),
            keys,
            upstreams,
            policy_sets,
            ready_checks=all_checks,
            ready_detail=dict(ready_detail),
            stream_observer=observer,
            metrics=metrics,
            json_limits=JsonLimits(settings.limits.json_max_depth, settings.limits.json_max_elements),
            audit=audit,
        )
        try:
            if audit is None:
                yield
            else:
                async with audit.running():  # stopped after the server stopped taking requests
                    yield
        finally:
            await session.close()

    return ctx


async def _always_true() -> bool:
    return True


def request_middleware(metrics: Metrics, shedder: LoadShedder) -> Middleware:
    """Around every request, in one layer (each layer costs a coroutine per request): give it its id,
    shed it when overloaded (health checks never are), count it by route (the handler's name) and
    final status, time it to its end, and render any error as the client will see it
    (:func:`render_errors`), so errors are counted by that status."""

    request_id_for = handlers.request_ids()

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        request[REQUEST_ID_KEY] = request_id_for(request.headers)
        started = time.perf_counter()
        status = 500
        route = request.match_info.route.name or "other"
        reason = None if route in _NEVER_SHED else shedder.reason()
        metrics.request_started()
        shedder.inflight += 1
        try:
            if reason is not None:
                response: web.StreamResponse = _error_response(shedder.shed(reason))
            else:
                response = await render_errors(request, handler)
            status = response.status
            return response
        except asyncio.CancelledError:
            status = CLIENT_CLOSED_REQUEST
            raise
        finally:
            shedder.inflight -= 1
            metrics.request_finished(route, status, time.perf_counter() - started)

    return middleware


async def _stamp_request_id(request: web.Request, response: web.StreamResponse) -> None:
    if REQUEST_ID_KEY in request:
        response.headers[REQUEST_ID] = request[REQUEST_ID_KEY]


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """:func:`render_errors` as a middleware of its own (the admin listener's)."""
    return await render_errors(request, handler)


async def render_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The one place errors become responses: OpenAI-shaped JSON (Anthropic-shaped on its API, whose
    SDKs read their own), never a stack trace."""
    anthropic = request.path == ANTHROPIC_PATH or request.path.startswith(f"{ANTHROPIC_PATH}/")
    try:
        return await handler(request)
    except ProxyError as exc:
        return _error_response(exc, anthropic=anthropic)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _error_response(_from_http(request, exc), anthropic=anthropic)
    except Exception:  # the last line: a bug is logged here and the client gets JSON, never a trace
        log.exception("unhandled error for %s %s", request.method, request.path)
        return _error_response(ProxyError("The proxy failed to handle the request."), anthropic=anthropic)


def _from_http(request: web.Request, exc: web.HTTPException) -> ProxyError:
    if exc.status == 404:
        return NotFound(f"No route for {request.path}.")
    if exc.status == 405:
        return MethodNotAllowed(f"{request.method} is not allowed for {request.path}.")
    if exc.status == 413:
        return PayloadTooLarge("The request body is too large.")
    error = ProxyError(exc.reason)
    error.status = exc.status
    return error


def _error_response(exc: ProxyError, *, anthropic: bool = False) -> web.Response:
    if anthropic:
        return web.json_response(anthropic_error_body(exc.status, exc.message), status=exc.status)
    body = render_error(exc.message, exc.type, param=exc.param, code=exc.code)
    response = web.json_response(body, status=exc.status, headers=exc.headers())
    if exc.close_connection:
        response.force_close()
    return response


def _admin_auth(token: str | None) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if token is not None:
            given = request.headers.get("Authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                raise Unauthorized("A valid admin bearer token is required.")
        return await handler(request)

    return middleware


async def _show_config(request: web.Request) -> web.Response:
    return web.json_response(redacted_view(request.app[SETTINGS]))
