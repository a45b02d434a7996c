"""Slow and greedy clients, bounded at the connection: header timeout, body idle timeout, connection cap.

aiohttp bounds idle keep-alive connections but not a client that trickles its headers or
stops half-way through a body. :class:`GuardedRunner` serves an application through a
request handler that

* answers ``408`` and closes when the request line and headers are not complete within
  ``limits.header_timeout`` (timed from the connection's start, then from the first byte
  of each later request on it);
* answers ``503`` with ``retry-after`` and closes a connection beyond
  ``limits.max_connections``, before reading anything from it.

A stalled body is caught where bodies are read (:func:`read_body`): ``408`` in the OpenAI
error shape, after which the connection closes without waiting for the rest of the body.
The replies written here bypass the application, so they carry the error shape themselves.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from proxy.errors import Overloaded, PayloadTooLarge, ProxyError, RequestTimeout
from proxy.metrics.limits import ClientTimeout, LimitMetrics, ShedReason
from proxy.settings.limits import LimitsSettings

_REASONS = {408: "Request Timeout", 503: "Service Unavailable"}
REJECT_LINGER = 1.0
"""Seconds a connection past the cap stays half-open for its 503 to be read."""


class ConnectionGuard:
    """One worker's open client connections, counted against the cap."""

    def __init__(self, limits: LimitsSettings, metrics: LimitMetrics) -> None:
        self.limits = limits
        self.metrics = metrics
        self.open = 0

    def admit(self) -> bool:
        if self.open >= self.limits.max_connections:
            self.metrics.record_shed(ShedReason.CONNECTIONS)
            return False
        self.open += 1
        self.metrics.connections.inc()
        return True

    def release(self) -> None:
        self.open -= 1
        self.metrics.connections.dec()


def raw_error(exc: ProxyError) -> bytes:
    """A whole HTTP/1.1 error response that closes the connection, for replies outside the app."""
    body = json.dumps(exc.to_json()).encode()
    head = [
        f"HTTP/1.1 {exc.status} {_REASONS.get(exc.status, 'Error')}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in exc.headers().items()),
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


class GuardedHandler(RequestHandler):
    """aiohttp's request handler with a header deadline and a place in the connection count."""

    def __init__(self, manager: web.Server, guard: ConnectionGuard, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self._guard = guard
        self._admitted = False
        self._rejected: asyncio.Transport | None = None
        self._header_timer: asyncio.TimerHandle | None = None
        """The header deadline; on a rejected connection, the end of its short linger."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if not self._guard.admit():
            self._reject(transport)
            return
        self._admitted = True
        super().connection_made(transport)
        self._arm()

    def _reject(self, transport: asyncio.BaseTransport) -> None:
        """Answer 503, then read and drop what the client sends until it closes (or briefly).

        Closing with its request still unread would send a reset, which can discard the 503
        before the client reads it."""
        assert isinstance(transport, asyncio.Transport)
        overloaded = Overloaded(
            "The proxy holds too many connections; retry shortly.", retry_after=self._guard.limits.retry_after
        )
        transport.write(raw_error(overloaded))
        if transport.can_write_eof():
            transport.write_eof()
        self._rejected = transport
        self._header_timer = self._loop.call_later(REJECT_LINGER, transport.close)

    def eof_received(self) -> None:
        if self._rejected is not None:
            self._rejected.close()

    def data_received(self, data: bytes) -> None:
        if not self._admitted:
            return  # a rejected connection's request, dropped
        if self._header_timer is None and self._waiter is not None and not self._waiter.done():
            self._arm()  # idle between requests until now: the next request's headers start here
        parsed = self._request_count
        super().data_received(data)
        if self._request_count != parsed:
            self._disarm()

    def connection_lost(self, exc: BaseException | None) -> None:
        self._disarm()
        if self._admitted:
            self._admitted = False
            self._guard.release()
        super().connection_lost(exc)

    def close_after_response(self) -> None:
        """Close once the current response is sent, without draining the rest of the request body."""
        self._lingering_time = 0.0
        self._keepalive = False

    def _arm(self) -> None:
        self._header_timer = self._loop.call_later(self._guard.limits.header_timeout, self._headers_late)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        self._guard.metrics.record_timeout(ClientTimeout.HEADER)
        timeout = RequestTimeout(
            f"The request headers did not arrive within {self._guard.limits.header_timeout:g} s."
        )
        transport.write(raw_error(timeout))
        self.force_close()


class GuardedServer(web.Server):
    def __init__(self, handler: Any, *, guard: ConnectionGuard, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._guard = guard

    def __call__(self) -> RequestHandler:
        return GuardedHandler(self, self._guard, loop=self._loop, **self._kwargs)


class GuardedRunner(web.AppRunner):
    """``web.AppRunner`` whose connections are served by :class:`GuardedHandler`."""

    def __init__(self, app: web.Application, guard: ConnectionGuard, **kwargs: Any) -> None:
        super().__init__(app, keepalive_timeout=guard.limits.keepalive_timeout, **kwargs)
        self._guard = guard

    async def _make_server(self) -> web.Server:
        plain = await super()._make_server()
        return GuardedServer(
            plain.request_handler,
            guard=self._guard,
            request_factory=plain.request_factory,
            handler_cancellation=plain.handler_cancellation,
            loop=asyncio.get_running_loop(),
            **plain._kwargs,
        )


async def read_body(request: web.Request, limit: int, idle_timeout: float, metrics: LimitMetrics) -> bytes:
    """The whole body, up to ``limit`` bytes; ``idle_timeout`` bounds each wait for more of it."""
    content = request.content
    body = bytearray()
    while True:
        chunk = content.read_nowait()  # what has arrived already costs no timer
        if not chunk:
            if content.at_eof():
                break
            try:
                async with asyncio.timeout(idle_timeout):
                    chunk = await content.readany()
            except TimeoutError:
                if isinstance(request.protocol, GuardedHandler):
                    request.protocol.close_after_response()
                metrics.record_timeout(ClientTimeout.BODY)
                raise RequestTimeout(f"The request body stalled for more than {idle_timeout:g} s.") from None
            if not chunk:
                break
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(f"The request body exceeds the {limit}-byte limit.")
    return bytes(body)
