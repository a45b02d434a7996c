"""The metrics of what moderation depends on: the decision cache, classifiers, fail-opens, the policy set.

Part of :class:`proxy.metrics.exporter.Metrics` (its ``components`` attribute), on the same injected registry.
"""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from proxy.metrics.labels import (
    BypassComponent,
    BypassReason,
    CacheResult,
    CacheTier,
    CappedLabel,
    ClassifierResult,
    ReloadResult,
    enum_label,
)
from proxy.policy.decision import RuleKind

CLASSIFIER_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class ComponentMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self._backend = CappedLabel()
        self._revision: str | None = None
        self.cache_requests = Counter(
            "modproxy_cache_requests_total",
            "Decision cache lookups, by tier and result.",
            ["tier", "result"],
            registry=registry,
        )
        self.classifier_requests = Counter(
            "modproxy_classifier_requests_total",
            "Classifier calls, by backend and result.",
            ["backend", "result"],
            registry=registry,
        )
        self.classifier_duration = Histogram(
            "modproxy_classifier_duration_seconds",
            "Classifier call time, by backend.",
            ["backend"],
            buckets=CLASSIFIER_BUCKETS,
            registry=registry,
        )
        self.bypasses = Counter(
            "modproxy_bypasses_total",
            "Fail-opens: a component was skipped and the request went on.",
            ["component", "reason"],
            registry=registry,
        )
        self.policy_reloads = Counter(
            "modproxy_policy_reloads_total",
            "Policy set reloads, by result.",
            ["result"],
            registry=registry,
        )
        self.policy_revision = Gauge(
            "modproxy_policy_revision_info",
            "1 for the revision of the policy set being enforced.",
            ["revision"],
            multiprocess_mode="livemax",
            registry=registry,
        )
        self.policy_rules = Gauge(
            "modproxy_policy_rules",
            "Rules in the enforced policy set, by type.",
            ["type"],
            multiprocess_mode="livemax",
            registry=registry,
        )
        self._initialise_series()

    def _initialise_series(self) -> None:
        """Known label combinations start at 0, so rates and ratios exist before the first event."""
        for tier in CacheTier:
            for result in CacheResult:
                self.cache_requests.labels(tier.value, result.value)
        for reload_result in ReloadResult:
            self.policy_reloads.labels(reload_result.value)
        for rule_kind in RuleKind:
            self.policy_rules.labels(rule_kind.value)

    def record_cache(self, tier: CacheTier, result: CacheResult) -> None:
        self.cache_requests.labels(tier.value, result.value).inc()

    def observe_classifier(self, backend: str, result: ClassifierResult, seconds: float) -> None:
        label = self._backend(backend)
        self.classifier_requests.labels(label, result.value).inc()
        self.classifier_duration.labels(label).observe(seconds)

    def record_bypass(self, component: BypassComponent | str, reason: BypassReason | str) -> None:
        """Count a fail-open. Unknown component or reason names still count, as ``other``."""
        self.bypasses.labels(
            enum_label(str(component), BypassComponent), enum_label(str(reason), BypassReason)
        ).inc()

    def record_policy_reload(self, result: ReloadResult) -> None:
        self.policy_reloads.labels(result.value).inc()

    def set_policy_revision(self, revision: str, rule_counts: Mapping[RuleKind, int]) -> None:
        """Exactly one ``revision`` series reads 1: the set being enforced now."""
        previous, self._revision = self._revision, revision
        if previous is not None and previous != revision:
            # Multiprocess files keep a removed series' last value, so zero it first.
            self.policy_revision.labels(previous).set(0)
            self.policy_revision.remove(previous)
        self.policy_revision.labels(revision).set(1)
        for kind in RuleKind:
            self.policy_rules.labels(kind.value).set(rule_counts.get(kind, 0))
