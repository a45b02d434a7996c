"""Every Prometheus metric modproxy exports, on an injected registry.

Metric names are a contract: the Grafana dashboard and the alert rules under
``deploy/`` depend on them, and a test checks that every name they use exists here.
Label values stay bounded: routes come from an allow-list, statuses are numeric
HTTP codes, phases/actions/tiers/results are enums, and the few labels taken from
configuration (policy, category, classifier backend) are capped in how many
distinct values they may take, past which they read ``other``.

Single-process, the registry also carries the process and platform collectors.
With several worker processes, values go to memory-mapped files (see
:mod:`proxy.metrics.multiprocess`) and ``/metrics`` serves their aggregate.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from proxy import __version__
from proxy.metrics.components import ComponentMetrics
from proxy.metrics.labels import (
    OTHER,
    AuditResult,
    AuditSink,
    BypassComponent,
    BypassReason,
    CacheResult,
    CacheTier,
    CappedLabel,
    ClassifierResult,
    ReloadResult,
    UpstreamFailure,
    status_label,
)
from proxy.metrics.limits import LimitMetrics
from proxy.metrics.multiprocess import is_multiprocess_active
from proxy.policy.decision import Action, Finding, Phase

__all__ = [
    "AuditResult",
    "AuditSink",
    "BypassComponent",
    "BypassReason",
    "CacheResult",
    "CacheTier",
    "ClassifierResult",
    "Exposition",
    "Metrics",
    "ReloadResult",
    "UpstreamFailure",
    "render_metrics",
]

DEFAULT_ROUTES: tuple[str, ...] = (
    "chat_completions",
    "completions",
    "responses",
    "responses_input_tokens",
    "responses_stored",
    "chat_completions_stored",
    "chat_completions_listed",
    "chat_completions_update",
    "messages",
    "messages_count_tokens",
    "embeddings",
    "images_generations",
    "images_edits",
    "audio_speech",
    "conversations",
    "conversation_update",
    "conversation_items",
    "conversation_items_stored",
    "conversation_item_stored",
    "moderations",
    "models",
    "passthrough",
    "healthz",
    "readyz",
)

# Whole requests, including long streams (an LLM answer can take minutes).
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
TTFT_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60)
# The overhead modproxy adds: sub-millisecond for keyword rules, more with classifiers.
MODERATION_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)


class Verdict(Protocol):
    """What :meth:`Metrics.record_decision` reads: a ``Decision`` or a whole ``Moderation``."""

    @property
    def action(self) -> Action: ...

    @property
    def findings(self) -> tuple[Finding, ...]: ...


@dataclass(frozen=True, slots=True)
class Exposition:
    body: bytes
    content_type: str


def render_metrics(registry: CollectorRegistry) -> Exposition:
    """The classic Prometheus text exposition of ``registry``, for the admin ``/metrics`` route.

    Format 0.0.4 is what every Prometheus version parses; our names need none of 1.0.0's escaping.
    """
    return Exposition(generate_latest(registry), CONTENT_TYPE_PLAIN_0_0_4)


class Metrics:
    """One attribute per metric, plus typed helpers that keep label values bounded.

    ``multiprocess=True`` sets the gauge aggregation modes used when several worker
    processes write to one directory and leaves out the process collector, whose
    numbers would describe whichever worker happened to answer the scrape.
    """

    def __init__(
        self,
        registry: CollectorRegistry,
        *,
        routes: Iterable[str] = DEFAULT_ROUTES,
        route_names: Iterable[str] = ("default",),
        version: str = __version__,
        multiprocess: bool = False,
    ) -> None:
        if multiprocess and not is_multiprocess_active():
            raise RuntimeError("multiprocess metrics need activate_multiprocess() before Metrics()")
        self.registry = registry
        self._routes = frozenset(routes)
        self._route_names = frozenset(route_names)
        self._policy = CappedLabel()
        self._category = CappedLabel()
        # Labelled children looked up once per label combination: ``labels()`` costs more than the
        # increment itself, and these are hit several times per request. Keys are bounded like labels.
        self._request_series: dict[tuple[str, int], tuple[Counter, Histogram]] = {}
        self._upstream_series: dict[int | UpstreamFailure, Counter] = {}
        self._route_decision_series: dict[tuple[str, Phase, Action], Counter] = {}
        r = registry

        self.requests = Counter(
            "modproxy_requests_total",
            "Requests answered, by route and HTTP status.",
            ["route", "status"],
            registry=r,
        )
        self.request_duration = Histogram(
            "modproxy_request_duration_seconds",
            "Time from request received to last byte sent.",
            ["route"],
            buckets=REQUEST_BUCKETS,
            registry=r,
        )
        self.inflight = Gauge(
            "modproxy_inflight_requests",
            "Requests being handled now.",
            multiprocess_mode="livesum",
            registry=r,
        )
        self.upstream_requests = Counter(
            "modproxy_upstream_requests_total",
            "Calls to the upstream, by HTTP status (error/timeout when no response came).",
            ["status"],
            registry=r,
        )
        self.upstream_duration = Histogram(
            "modproxy_upstream_duration_seconds",
            "Upstream call time, until its last byte.",
            buckets=REQUEST_BUCKETS,
            registry=r,
        )
        self.upstream_ttft = Histogram(
            "modproxy_upstream_ttft_seconds",
            "Time to the first token of a streamed upstream answer.",
            buckets=TTFT_BUCKETS,
            registry=r,
        )
        self.moderation_duration = Histogram(
            "modproxy_moderation_duration_seconds",
            "Time spent moderating, by phase: the overhead added.",
            ["phase"],
            buckets=MODERATION_BUCKETS,
            registry=r,
        )
        self.decisions = Counter(
            "modproxy_decisions_total",
            "Moderation verdicts, by phase and enforced action.",
            ["phase", "action"],
            registry=r,
        )
        self.route_decisions = Counter(
            "modproxy_route_decisions_total",
            "Moderation verdicts by configured route (docs/routing.md), phase and enforced action.",
            ["route", "phase", "action"],
            registry=r,
        )
        self.policy_matches = Counter(
            "modproxy_policy_matches_total",
            "Findings, by phase, policy and category (shadow included).",
            ["phase", "policy", "category"],
            registry=r,
        )
        self.stream_cutoffs = Counter(
            "modproxy_stream_cutoffs_total",
            "Streamed answers cut off mid-way, by the policy that fired.",
            ["policy"],
            registry=r,
        )
        self.components = ComponentMetrics(r)
        self.tokens = Counter(
            "modproxy_tokens_total",
            "Tokens reported by the upstream's usage, by kind.",
            ["kind"],
            registry=r,
        )
        self.audit_records = Counter(
            "modproxy_audit_records_total",
            "Audit records, by sink and result (written, or dropped while the sink was down or slow).",
            ["sink", "result"],
            registry=r,
        )
        self.build_info = Gauge(
            "modproxy_build_info",
            "Always 1; labels carry the running version.",
            ["version"],
            multiprocess_mode="max",
            registry=r,
        )

        self.limits = LimitMetrics(r)

        self.build_info.labels(version).set(1)
        self._initialise_series()
        self._moderation_series = {phase: self.moderation_duration.labels(phase.value) for phase in Phase}
        self._decision_series = {
            (phase, action): self.decisions.labels(phase.value, action.label)
            for phase in Phase
            for action in Action
        }
        if not multiprocess:
            ProcessCollector(registry=r)
            PlatformCollector(registry=r)

    def _initialise_series(self) -> None:
        """Known label combinations start at 0, so rates and ratios exist before the first event."""
        for phase in Phase:
            self.moderation_duration.labels(phase.value)
            for action in Action:
                self.decisions.labels(phase.value, action.label)
        for kind in ("prompt", "completion"):
            self.tokens.labels(kind)
        for sink in AuditSink:
            for audit_result in AuditResult:
                self.audit_records.labels(sink.value, audit_result.value)

    def route_label(self, route: str) -> str:
        return route if route in self._routes else OTHER

    def track_inflight(self) -> AbstractContextManager[None]:
        """``with metrics.track_inflight():`` around one request's handling."""
        tracker: AbstractContextManager[None] = self.inflight.track_inprogress()
        return tracker

    def request_started(self) -> None:
        """In flight until the paired :meth:`request_finished` (``track_inflight`` without its object)."""
        self.inflight.inc()

    def request_finished(self, route: str, status: int, seconds: float) -> None:
        self.inflight.dec()
        self.observe_request(route, status, seconds)

    def observe_request(self, route: str, status: int, seconds: float) -> None:
        label = self.route_label(route)
        series = self._request_series.get((label, status))
        if series is None:
            series = self.requests.labels(label, status_label(status)), self.request_duration.labels(label)
            self._request_series[label, status] = series
        series[0].inc()
        series[1].observe(seconds)

    def observe_upstream(self, status: int | UpstreamFailure, seconds: float) -> None:
        counter = self._upstream_series.get(status)
        if counter is None:
            label = status.value if isinstance(status, UpstreamFailure) else status_label(status)
            counter = self._upstream_series[status] = self.upstream_requests.labels(label)
        counter.inc()
        self.upstream_duration.observe(seconds)

    def observe_ttft(self, seconds: float) -> None:
        self.upstream_ttft.observe(seconds)

    def observe_moderation(self, phase: Phase, seconds: float) -> None:
        self._moderation_series[phase].observe(seconds)

    def record_decision(self, phase: Phase, verdict: Verdict) -> None:
        """One verdict (a request phase's ``Moderation`` or a single ``Decision``) and its findings.

        A block counts under ``action="block"``; it is a decision, never an error.
        """
        self._decision_series[phase, verdict.action].inc()
        for finding in verdict.findings:
            self.policy_matches.labels(
                phase.value, self._policy(finding.policy_id), self._category(finding.category)
            ).inc()

    def record_route_decision(self, route: str, phase: Phase, action: Action) -> None:
        """``route`` is a configured route name (a request's endpoint is ``route`` of the request metrics)."""
        counter = self._route_decision_series.get((route, phase, action))
        if counter is None:
            known = route in self._route_names
            counter = self.route_decisions.labels(route if known else OTHER, phase.value, action.label)
            if known:  # unknown names all read "other" and are not kept, so the cache stays bounded
                self._route_decision_series[route, phase, action] = counter
        counter.inc()

    def record_stream_cutoff(self, policy_id: str) -> None:
        self.stream_cutoffs.labels(self._policy(policy_id)).inc()

    def record_audit(self, sink: AuditSink, result: AuditResult, count: int = 1) -> None:
        self.audit_records.labels(sink.value, result.value).inc(count)

    def record_tokens(self, prompt: int, completion: int) -> None:
        if prompt > 0:
            self.tokens.labels("prompt").inc(prompt)
        if completion > 0:
            self.tokens.labels("completion").inc(completion)
