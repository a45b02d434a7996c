from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from proxy import __version__
from proxy.metrics.exporter import (
    BypassComponent,
    BypassReason,
    CacheResult,
    CacheTier,
    ClassifierResult,
    Metrics,
    ReloadResult,
    UpstreamFailure,
    render_metrics,
)
from proxy.metrics.labels import MAX_CONFIGURED_VALUES
from proxy.moderation.moderator import Moderation
from proxy.policy.decision import Action, Decision, Finding, Phase, RuleKind

# The contract: dashboards and alerts depend on these names (sample names as exposed).
CONTRACT = {
    "modproxy_requests_total": "counter",
    "modproxy_request_duration_seconds": "histogram",
    "modproxy_inflight_requests": "gauge",
    "modproxy_upstream_requests_total": "counter",
    "modproxy_upstream_duration_seconds": "histogram",
    "modproxy_upstream_ttft_seconds": "histogram",
    "modproxy_moderation_duration_seconds": "histogram",
    "modproxy_decisions_total": "counter",
    "modproxy_policy_matches_total": "counter",
    "modproxy_stream_cutoffs_total": "counter",
    "modproxy_cache_requests_total": "counter",
    "modproxy_classifier_requests_total": "counter",
    "modproxy_classifier_duration_seconds": "histogram",
    "modproxy_bypasses_total": "counter",
    "modproxy_policy_reloads_total": "counter",
    "modproxy_policy_revision_info": "gauge",
    "modproxy_policy_rules": "gauge",
    "modproxy_tokens_total": "counter",
    "modproxy_build_info": "gauge",
}


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def metrics(registry: CollectorRegistry) -> Metrics:
    return Metrics(registry)


def value(registry: CollectorRegistry, name: str, **labels: str) -> float:
    sample = registry.get_sample_value(name, labels)
    return 0.0 if sample is None else sample


def finding(policy: str, category: str, action: Action, *, shadow: bool = False) -> Finding:
    return Finding(policy, category, action, Phase.PROMPT, RuleKind.KEYWORD, 0, 3, "bad", shadow=shadow)


def exposed_types(registry: CollectorRegistry) -> dict[str, str]:
    """Metric family names and types as a scraper reads them from ``/metrics``."""
    text = render_metrics(registry).body.decode()
    out = {}
    for family in text_string_to_metric_families(text):
        name = family.name + "_total" if family.type == "counter" else family.name
        out[name] = family.type
    return out


def test_every_contract_name_is_exposed_with_its_type_on_a_fresh_registry(metrics: Metrics) -> None:
    exposed = exposed_types(metrics.registry)
    assert {name: exposed.get(name) for name in CONTRACT} == CONTRACT


def test_process_metrics_are_on_the_injected_registry(metrics: Metrics) -> None:
    exposed = exposed_types(metrics.registry)
    assert "process_cpu_seconds_total" in exposed
    assert "python_info" in exposed


def test_nothing_lands_on_the_global_registry() -> None:
    from prometheus_client import REGISTRY

    Metrics(CollectorRegistry())
    assert REGISTRY.get_sample_value("modproxy_build_info", {"version": __version__}) is None


def test_exposition_has_the_prometheus_text_content_type(metrics: Metrics) -> None:
    exposition = render_metrics(metrics.registry)
    assert exposition.content_type.startswith("text/plain; version=0.0.4")
    assert b"modproxy_build_info{version=" in exposition.body


def test_build_info_carries_the_version(registry: CollectorRegistry, metrics: Metrics) -> None:
    assert value(registry, "modproxy_build_info", version=__version__) == 1


@pytest.mark.parametrize(
    ("route", "status", "route_label", "status_label"),
    [
        ("chat_completions", 200, "chat_completions", "200"),
        ("chat_completions", 403, "chat_completions", "403"),
        ("moderations", 502, "moderations", "502"),
        ("/v1/users/42/secret", 200, "other", "200"),
        ("models", 999, "models", "other"),
        ("models", 0, "models", "other"),
    ],
)
def test_requests_count_with_bounded_route_and_status(
    registry: CollectorRegistry,
    metrics: Metrics,
    route: str,
    status: int,
    route_label: str,
    status_label: str,
) -> None:
    metrics.observe_request(route, status, 0.2)
    assert value(registry, "modproxy_requests_total", route=route_label, status=status_label) == 1
    assert value(registry, "modproxy_request_duration_seconds_count", route=route_label) == 1
    assert value(registry, "modproxy_request_duration_seconds_sum", route=route_label) == pytest.approx(0.2)


def test_route_allow_list_is_configurable(registry: CollectorRegistry) -> None:
    metrics = Metrics(registry, routes=["embeddings"])
    metrics.observe_request("embeddings", 200, 0.1)
    metrics.observe_request("chat_completions", 200, 0.1)
    assert value(registry, "modproxy_requests_total", route="embeddings", status="200") == 1
    assert value(registry, "modproxy_requests_total", route="other", status="200") == 1


def test_request_histogram_reaches_long_streams(registry: CollectorRegistry, metrics: Metrics) -> None:
    metrics.observe_request("chat_completions", 200, 250.0)
    bucket = "modproxy_request_duration_seconds_bucket"
    assert value(registry, bucket, route="chat_completions", le="120.0") == 0
    assert value(registry, bucket, route="chat_completions", le="300.0") == 1


def test_inflight_rises_inside_and_falls_after(registry: CollectorRegistry, metrics: Metrics) -> None:
    with metrics.track_inflight():
        assert value(registry, "modproxy_inflight_requests") == 1
    assert value(registry, "modproxy_inflight_requests") == 0


@pytest.mark.parametrize(
    ("status", "label"),
    [(200, "200"), (503, "503"), (UpstreamFailure.TIMEOUT, "timeout"), (UpstreamFailure.ERROR, "error")],
)
def test_upstream_status_labels(
    registry: CollectorRegistry, metrics: Metrics, status: int | UpstreamFailure, label: str
) -> None:
    metrics.observe_upstream(status, 1.5)
    assert value(registry, "modproxy_upstream_requests_total", status=label) == 1
    assert value(registry, "modproxy_upstream_duration_seconds_sum") == pytest.approx(1.5)


def test_ttft_and_moderation_durations(registry: CollectorRegistry, metrics: Metrics) -> None:
    metrics.observe_ttft(0.3)
    metrics.observe_moderation(Phase.RESPONSE, 0.002)
    assert value(registry, "modproxy_upstream_ttft_seconds_count") == 1
    assert value(registry, "modproxy_moderation_duration_seconds_count", phase="response") == 1
    assert value(registry, "modproxy_moderation_duration_seconds_count", phase="prompt") == 0


def test_a_block_counts_as_a_block_decision_not_an_error(
    registry: CollectorRegistry, metrics: Metrics
) -> None:
    decision = Decision(Action.BLOCK, (finding("weapons", "violence", Action.BLOCK),), "rev1")
    metrics.record_decision(Phase.PROMPT, decision)
    assert value(registry, "modproxy_decisions_total", phase="prompt", action="block") == 1
    assert value(registry, "modproxy_decisions_total", phase="prompt", action="allow") == 0
    assert value(registry, "modproxy_bypasses_total", component="moderation", reason="error") == 0


def test_a_moderation_counts_once_with_its_enforced_action_and_every_finding(
    registry: CollectorRegistry, metrics: Metrics
) -> None:
    moderation = Moderation(
        (
            Decision(Action.REDACT, (finding("pii", "email", Action.REDACT),) * 2, "r"),
            Decision(Action.ALLOW, (finding("trial", "hate", Action.BLOCK, shadow=True),), "r"),
        ),
        "r",
    )
    metrics.record_decision(Phase.PROMPT, moderation)
    assert value(registry, "modproxy_decisions_total", phase="prompt", action="redact") == 1
    assert (
        sum(value(registry, "modproxy_decisions_total", phase="prompt", action=a.label) for a in Action) == 1
    )
    matches = "modproxy_policy_matches_total"
    assert value(registry, matches, phase="prompt", policy="pii", category="email") == 2
    assert value(registry, matches, phase="prompt", policy="trial", category="hate") == 1


def test_every_phase_and_action_series_starts_at_zero(registry: CollectorRegistry, metrics: Metrics) -> None:
    for phase in Phase:
        for action in Action:
            labels = {"phase": phase.value, "action": action.label}
            assert registry.get_sample_value("modproxy_decisions_total", labels) == 0


def test_policy_labels_are_capped(registry: CollectorRegistry, metrics: Metrics) -> None:
    for i in range(MAX_CONFIGURED_VALUES + 5):
        metrics.record_stream_cutoff(f"policy-{i}")
    assert value(registry, "modproxy_stream_cutoffs_total", policy="policy-0") == 1
    assert value(registry, "modproxy_stream_cutoffs_total", policy="other") == 5
    metrics.record_stream_cutoff("policy-0")
    assert value(registry, "modproxy_stream_cutoffs_total", policy="policy-0") == 2


@pytest.mark.parametrize("tier", list(CacheTier))
@pytest.mark.parametrize("result", list(CacheResult))
def test_cache_lookups(
    registry: CollectorRegistry, metrics: Metrics, tier: CacheTier, result: CacheResult
) -> None:
    metrics.components.record_cache(tier, result)
    assert value(registry, "modproxy_cache_requests_total", tier=tier.value, result=result.value) == 1
    others = [(t, r) for t in CacheTier for r in CacheResult if (t, r) != (tier, result)]
    assert all(
        value(registry, "modproxy_cache_requests_total", tier=t.value, result=r.value) == 0 for t, r in others
    )


def test_classifier_calls(registry: CollectorRegistry, metrics: Metrics) -> None:
    metrics.components.observe_classifier("openai", ClassifierResult.OK, 0.12)
    metrics.components.observe_classifier("openai", ClassifierResult.TIMEOUT, 2.0)
    assert value(registry, "modproxy_classifier_requests_total", backend="openai", result="ok") == 1
    assert value(registry, "modproxy_classifier_requests_total", backend="openai", result="timeout") == 1
    assert value(registry, "modproxy_classifier_duration_seconds_count", backend="openai") == 2


@pytest.mark.parametrize(
    ("component", "reason", "labels"),
    [
        (BypassComponent.CLASSIFIER, BypassReason.TIMEOUT, ("classifier", "timeout")),
        (BypassComponent.REDIS, BypassReason.UNAVAILABLE, ("redis", "unavailable")),
        ("classifier", "error", ("classifier", "error")),
        ("user-1234", "boom: secret text", ("other", "other")),
    ],
)
def test_every_fail_open_counts_as_a_bypass(
    registry: CollectorRegistry, metrics: Metrics, component: str, reason: str, labels: tuple[str, str]
) -> None:
    metrics.components.record_bypass(component, reason)
    assert value(registry, "modproxy_bypasses_total", component=labels[0], reason=labels[1]) == 1


def test_reloads_count_by_result(registry: CollectorRegistry, metrics: Metrics) -> None:
    metrics.components.record_policy_reload(ReloadResult.SUCCESS)
    metrics.components.record_policy_reload(ReloadResult.FAILURE)
    metrics.components.record_policy_reload(ReloadResult.FAILURE)
    assert value(registry, "modproxy_policy_reloads_total", result="success") == 1
    assert value(registry, "modproxy_policy_reloads_total", result="failure") == 2


def revision_series(registry: CollectorRegistry) -> dict[str, float]:
    return {
        s.labels["revision"]: s.value
        for family in registry.collect()
        if family.name == "modproxy_policy_revision_info"
        for s in family.samples
    }


def test_exactly_one_policy_revision_series_reads_one(registry: CollectorRegistry, metrics: Metrics) -> None:
    assert revision_series(registry) == {}
    metrics.components.set_policy_revision("aaa111", {RuleKind.KEYWORD: 40, RuleKind.REGEX: 3})
    metrics.components.set_policy_revision("bbb222", {RuleKind.KEYWORD: 41})
    metrics.components.set_policy_revision("bbb222", {RuleKind.KEYWORD: 41})
    assert revision_series(registry) == {"bbb222": 1}
    rules = {kind: value(registry, "modproxy_policy_rules", type=kind.value) for kind in RuleKind}
    assert rules == {RuleKind.KEYWORD: 41, RuleKind.REGEX: 0, RuleKind.CLASSIFIER: 0}


def test_tokens_from_upstream_usage(registry: CollectorRegistry, metrics: Metrics) -> None:
    metrics.record_tokens(prompt=12, completion=30)
    metrics.record_tokens(prompt=3, completion=0)
    assert value(registry, "modproxy_tokens_total", kind="prompt") == 15
    assert value(registry, "modproxy_tokens_total", kind="completion") == 30


def test_multiprocess_metrics_refuse_to_start_without_the_shared_directory() -> None:
    with pytest.raises(RuntimeError, match="activate_multiprocess"):
        Metrics(CollectorRegistry(), multiprocess=True)
