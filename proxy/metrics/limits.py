"""The metrics of client limits and overload: connections held, timeouts, shed requests, loop lag.

Part of :class:`proxy.metrics.exporter.Metrics` (its ``limits`` attribute), on the same injected registry.
"""

from __future__ import annotations

import enum

from prometheus_client import CollectorRegistry, Counter, Gauge


class ShedReason(enum.StrEnum):
    """Why a request or connection was answered 503 instead of being served."""

    CONNECTIONS = "connections"
    INFLIGHT = "inflight"
    LOOP_LAG = "loop_lag"


class ClientTimeout(enum.StrEnum):
    HEADER = "header"
    BODY = "body"


class LimitMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.shed = Counter(
            "modproxy_shed_requests_total",
            "Requests and connections answered 503 because the worker was overloaded, by reason.",
            ["reason"],
            registry=registry,
        )
        self.client_timeouts = Counter(
            "modproxy_client_timeouts_total",
            "Client connections answered 408 and closed, by what stalled (header or body).",
            ["phase"],
            registry=registry,
        )
        self.connections = Gauge(
            "modproxy_client_connections",
            "Client connections open now.",
            multiprocess_mode="livesum",
            registry=registry,
        )
        self.loop_lag = Gauge(
            "modproxy_event_loop_lag_seconds",
            "How late the event loop ran a timer at the last check: the queueing every request sees.",
            multiprocess_mode="livemax",
            registry=registry,
        )
        self._shed = {reason: self.shed.labels(reason.value) for reason in ShedReason}
        self._timeouts = {phase: self.client_timeouts.labels(phase.value) for phase in ClientTimeout}

    def record_shed(self, reason: ShedReason) -> None:
        self._shed[reason].inc()

    def record_timeout(self, phase: ClientTimeout) -> None:
        self._timeouts[phase].inc()
