"""Adapters from the components' observer hooks to :class:`proxy.metrics.exporter.Metrics`.

The cache, the policy reloader, the stream relay and the moderator each report through a small
protocol of their own, so none of them imports prometheus_client; this module is where those
reports become series.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any

from proxy.cache.decisions import CacheTier
from proxy.metrics.exporter import (
    BypassComponent,
    BypassReason,
    CacheResult,
    ClassifierResult,
    Metrics,
    ReloadResult,
)
from proxy.moderation.moderator import Moderation, Moderator, RequestContext, Screening
from proxy.policy.classifier import Classifier, ClassifierError
from proxy.policy.decision import Action, Decision, Phase, RuleKind, enforced_action
from proxy.policy.store import ReloadOutcome
from proxy.policy.store import ReloadResult as StoreReloadResult
from proxy.stream.relay import StreamMode, StreamReport

# A classifier's failure reasons (see ClassifierError) in the bypass vocabulary the dashboard and
# alerts read; anything else would be counted as ``other``.
_CLASSIFIER_BYPASS_REASONS: Mapping[str, BypassReason] = {
    "circuit_open": BypassReason.UNAVAILABLE,  # calls are not even tried while the breaker is open
    "bad_response": BypassReason.ERROR,
}


class CacheMetrics:
    """``CacheObserver``: tier lookups, and the classifier fail-opens the moderator reports."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def on_hit(self, tier: CacheTier) -> None:
        self._metrics.components.record_cache(tier, CacheResult.HIT)

    def on_miss(self, tier: CacheTier) -> None:
        self._metrics.components.record_cache(tier, CacheResult.MISS)

    def on_error(self, tier: CacheTier) -> None:
        self._metrics.components.record_cache(tier, CacheResult.ERROR)

    def on_bypass(self, component: str, reason: str) -> None:
        kind = component.partition(":")[0]
        if kind == BypassComponent.CLASSIFIER:
            reason = _CLASSIFIER_BYPASS_REASONS.get(reason, reason)
        self._metrics.components.record_bypass(kind if kind else BypassComponent.MODERATION, reason)


class ReloadMetrics:
    """``ReloadObserver``: every reload attempt, and the revision now serving."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def __call__(self, result: StoreReloadResult, revision: str, rule_counts: Mapping[str, Any]) -> None:
        failed = result.outcome is ReloadOutcome.FAILED
        self._metrics.components.record_policy_reload(
            ReloadResult.FAILURE if failed else ReloadResult.SUCCESS
        )
        self.serving(revision, rule_counts)

    def serving(self, revision: str, rule_counts: Mapping[str, Any]) -> None:
        counts = {RuleKind(kind): int(n) for kind, n in rule_counts.items() if kind in set(RuleKind)}
        self._metrics.components.set_policy_revision(revision, counts)


class ReloadCounts:
    """``ReloadObserver`` for a named (non-default) policy set: its reloads count, the revision gauge
    stays the default set's."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def __call__(self, result: StoreReloadResult, revision: str, rule_counts: Mapping[str, Any]) -> None:
        failed = result.outcome is ReloadOutcome.FAILED
        self._metrics.components.record_policy_reload(
            ReloadResult.FAILURE if failed else ReloadResult.SUCCESS
        )


class StreamMetrics:
    """``StreamObserver``: one response decision per stream, and a cutoff per blocking policy."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def stream_finished(self, report: StreamReport) -> None:
        action = enforced_action(report.findings)
        if (
            report.mode is not StreamMode.BUFFER
        ):  # a buffered answer went through the moderator, counted there
            self._metrics.record_decision(Phase.RESPONSE, Decision(action, report.findings))
            self._metrics.record_route_decision(report.route, Phase.RESPONSE, action)
        if action is Action.BLOCK and report.mode is not StreamMode.AUDIT:
            cut = {f.policy_id for f in report.findings if f.action is Action.BLOCK and not f.shadow}
            for policy_id in sorted(cut):
                self._metrics.record_stream_cutoff(policy_id)
        if report.usage is not None:
            self._metrics.record_tokens(*report.usage)


class MeteredModerator:
    """Times every moderation call and counts its decision; the verdict itself is untouched."""

    def __init__(self, inner: Moderator, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    async def moderate(
        self, texts: Sequence[str], phase: Phase, ctx: RequestContext, *, sealed: Sequence[bool] = ()
    ) -> Moderation:
        started = time.perf_counter()
        moderation = await self._inner.moderate(texts, phase, ctx, sealed=sealed)
        self._metrics.observe_moderation(phase, time.perf_counter() - started)
        self._record(phase, ctx, moderation)
        return moderation

    async def screen(
        self, texts: Sequence[str], phase: Phase, ctx: RequestContext, *, sealed: Sequence[bool] = ()
    ) -> Screening:
        """Times what the request waited for; counts the whole verdict once its flags are known."""
        started = time.perf_counter()
        screening = await self._inner.screen(texts, phase, ctx, sealed=sealed)
        self._metrics.observe_moderation(phase, time.perf_counter() - started)
        return screening.then(lambda moderation: self._record(phase, ctx, moderation))

    def _record(self, phase: Phase, ctx: RequestContext, moderation: Moderation) -> None:
        self._metrics.record_decision(phase, moderation)
        self._metrics.record_route_decision(ctx.route, phase, moderation.action)


class MeteredClassifier:
    """A classifier backend whose every call is counted and timed under its name."""

    def __init__(self, inner: Classifier, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def max_chars(self) -> int:
        return self._inner.max_chars

    async def score(self, text: str, phase: Phase) -> Mapping[str, float]:
        started = time.perf_counter()
        result = ClassifierResult.ERROR
        try:
            scores = await self._inner.score(text, phase)
            result = ClassifierResult.OK
            return scores
        except ClassifierError as exc:
            result = ClassifierResult.TIMEOUT if exc.reason == "timeout" else ClassifierResult.ERROR
            raise
        except (TimeoutError, asyncio.CancelledError):
            result = ClassifierResult.TIMEOUT  # the caller's deadline cancels the call
            raise
        finally:
            self._metrics.components.observe_classifier(self.name, result, time.perf_counter() - started)
