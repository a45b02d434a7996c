"""Wiring, in one place: routes, middlewares, and every resource's startup paired with its teardown."""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence

import redis.asyncio as aioredis
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from redis.exceptions import RedisError

from proxy import handlers
from proxy.errors import MethodNotAllowed, NotFound, PayloadTooLarge, ProxyError, Unauthorized
from proxy.errors import error_body as render_error
from proxy.handlers import REQUEST_ID_KEY, SERVICES, ReadyCheck, Services
from proxy.moderation import AllowAll, Moderator
from proxy.policy.stream import NO_PATTERNS, Scanner
from proxy.policy_sets import PolicySetRuntime, complete
from proxy.routing import DEFAULT, RouteTable
from proxy.settings import Settings, redacted_view
from proxy.streaming import NullObserver, StreamObserver
from proxy.tenants import VirtualKeys
from proxy.upstream import REQUEST_ID, Upstream, create_session

log = logging.getLogger(__name__)

SETTINGS = web.AppKey("settings", Settings)
REDIS = web.AppKey("redis", aioredis.Redis)
REDIS_TIMEOUT_SECONDS = 2.0


def build_moderator(settings: Settings) -> Moderator:
    """The moderator ``modproxy serve`` runs with; the policy engine plugs in here."""
    del settings
    return AllowAll()


def create_app(
    settings: Settings,
    *,
    moderator: Moderator | None = None,
    ready_checks: Mapping[str, ReadyCheck] | None = None,
    scanner: Callable[[], Scanner] | None = None,
    stream_observer: StreamObserver | None = None,
    policy_sets: Mapping[str, PolicySetRuntime] | None = None,
) -> web.Application:
    """``moderator`` and ``scanner`` serve the default policy set; ``policy_sets`` the named ones."""
    if settings.upstream.url is None:
        raise ValueError("create_app needs settings.upstream.url")
    app = web.Application(
        middlewares=[request_id_middleware, error_middleware],
        client_max_size=settings.server.max_body_bytes,
        handler_args={
            "max_line_size": settings.server.max_line_size,
            "max_field_size": settings.server.max_field_size,
        },
    )
    app[SETTINGS] = settings
    default = PolicySetRuntime(moderator or AllowAll(), scanner or (lambda: NO_PATTERNS))
    sets = complete(settings.policy_sets, default, policy_sets or {})
    app.cleanup_ctx.append(
        _services_ctx(settings, sets, dict(ready_checks or {}), stream_observer or NullObserver())
    )
    if settings.redis.url is not None:
        app.cleanup_ctx.append(_redis_ctx(settings.redis.url))
    app.on_response_prepare.append(_stamp_request_id)
    app.router.add_post("/v1/chat/completions", handlers.chat_completions)
    app.router.add_post("/v1/completions", handlers.completions)
    app.router.add_post("/v1/moderations", handlers.moderations)
    app.router.add_route("*", "/v1/{tail:.*}", handlers.passthrough)
    app.router.add_get("/healthz", handlers.healthz)
    app.router.add_get("/readyz", handlers.readyz)
    return app


def create_admin_app(settings: Settings, *, routes: Sequence[web.RouteDef] = ()) -> web.Application:
    """The admin listener: ``/metrics`` and admin endpoints, behind ``admin.token`` when one is set."""
    app = web.Application(middlewares=[error_middleware, _admin_auth(settings.admin.token)])
    app[SETTINGS] = settings
    app.router.add_get("/healthz", handlers.healthz)
    app.router.add_get("/admin/config", _show_config)
    app.router.add_routes(routes)
    return app


CleanupCtx = Callable[[web.Application], AsyncIterator[None]]


def _services_ctx(
    settings: Settings,
    policy_sets: Mapping[str, PolicySetRuntime],
    checks: dict[str, ReadyCheck],
    observer: StreamObserver,
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
        if settings.redis.url is not None:
            all_checks["redis"] = lambda: _redis_ping(app)
        app[SERVICES] = Services(
            settings, RouteTable.from_settings(settings), keys, upstreams, policy_sets, all_checks, observer
        )
        yield
        await session.close()

    return ctx


def _redis_ctx(url: str) -> CleanupCtx:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        client = aioredis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
        app[REDIS] = client
        yield
        await client.aclose()

    return ctx


async def _always_true() -> bool:
    return True


async def _redis_ping(app: web.Application) -> bool:
    try:
        return bool(await app[REDIS].ping())
    except (RedisError, OSError, TimeoutError):
        return False


@web.middleware
async def request_id_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    request[REQUEST_ID_KEY] = handlers.request_id_for(request.headers)
    return await handler(request)


async def _stamp_request_id(request: web.Request, response: web.StreamResponse) -> None:
    if REQUEST_ID_KEY in request:
        response.headers[REQUEST_ID] = request[REQUEST_ID_KEY]


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The one place errors become responses: OpenAI-shaped JSON, never a stack trace."""
    try:
        return await handler(request)
    except ProxyError as exc:
        return _error_response(exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _error_response(_from_http(request, exc))
    except Exception:
        log.exception("unhandled error for %s %s", request.method, request.path)
        return _error_response(ProxyError("The proxy failed to handle the request."))


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


def _error_response(exc: ProxyError) -> web.Response:
    body = render_error(exc.message, exc.type, param=exc.param, code=exc.code)
    return web.json_response(body, status=exc.status)


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
