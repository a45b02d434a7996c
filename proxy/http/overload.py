"""Shedding load: past the in-flight cap, or while the event loop lags, new requests get 503 at once.

Queueing without bound only makes every request late; a quick 503 with ``retry-after`` lets
the client (or the load balancer, through ``/readyz``) go elsewhere. The lag is measured by a
timer that should fire every ``interval`` seconds: how late it fires is how long any ready
callback, and so any new request, waits for the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from proxy.errors import Overloaded
from proxy.metrics.limits import LimitMetrics, ShedReason
from proxy.settings.limits import LimitsSettings

LAG_INTERVAL = 0.1
"""Seconds between lag samples: short enough to notice a stall quickly, cheap enough to ignore."""


class LoadShedder:
    def __init__(self, limits: LimitsSettings, metrics: LimitMetrics) -> None:
        self.limits = limits
        self.metrics = metrics
        self.inflight = 0
        self.lag = 0.0

    def reason(self) -> ShedReason | None:
        """Why a new request would be shed now, or None when it is welcome."""
        if self.inflight >= self.limits.max_inflight:
            return ShedReason.INFLIGHT
        if self.limits.max_loop_lag and self.lag > self.limits.max_loop_lag:
            return ShedReason.LOOP_LAG
        return None

    def shed(self, reason: ShedReason) -> Overloaded:
        self.metrics.record_shed(reason)
        what = "requests in flight" if reason is ShedReason.INFLIGHT else "event loop lag"
        return Overloaded(
            f"The proxy is overloaded ({what}); retry shortly.", retry_after=self.limits.retry_after
        )

    async def ready(self) -> bool:
        """For ``/readyz``: unready while overloaded, so a load balancer drains this replica."""
        return self.reason() is None

    async def watch_loop(self, interval: float = LAG_INTERVAL) -> None:
        loop = asyncio.get_running_loop()
        while True:
            expected = loop.time() + interval
            await asyncio.sleep(interval)
            self.lag = max(0.0, loop.time() - expected)
            self.metrics.loop_lag.set(self.lag)


def watch_ctx(shedder: LoadShedder) -> Callable[[web.Application], AsyncIterator[None]]:
    """The lag watcher's lifetime, as an aiohttp cleanup context."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(shedder.watch_loop(), name="modproxy-loop-lag")
        yield
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    return ctx
