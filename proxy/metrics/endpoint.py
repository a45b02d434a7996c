"""The admin ``/metrics`` route's handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CollectorRegistry

from proxy.metrics.exporter import render_metrics

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def metrics_handler(registry: CollectorRegistry) -> Handler:
    """Serve ``registry``: the ``Metrics`` registry, or ``multiprocess_registry()`` with workers."""

    async def handle(request: web.Request) -> web.StreamResponse:
        exposition = render_metrics(registry)
        response = web.Response(body=exposition.body)
        # The content type carries a version parameter, which aiohttp's content_type= refuses.
        response.headers["Content-Type"] = exposition.content_type
        return response

    return handle
