"""Component reports become series with the label values the dashboard and alerts read."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from proxy.metrics.exporter import Metrics
from proxy.metrics.telemetry import CacheMetrics, StreamMetrics
from proxy.policy.decision import Action, Finding, Phase, RuleKind
from proxy.stream.relay import RelayOutcome, StreamMode, StreamReport


@pytest.mark.parametrize(
    ("component", "reason", "labels"),
    [
        ("classifier:guard", "unavailable", ("classifier", "unavailable")),
        ("classifier:guard", "timeout", ("classifier", "timeout")),
        # The backend's breaker is open: calls are not even tried, so it is unavailable.
        ("classifier:guard", "circuit_open", ("classifier", "unavailable")),
        ("classifier:guard", "bad_response", ("classifier", "error")),
        ("classifier:guard", "gremlins", ("classifier", "other")),
        ("", "overload", ("moderation", "overload")),
    ],
)
def test_a_fail_open_is_counted_under_a_known_component_and_reason(
    component: str, reason: str, labels: tuple[str, str]
) -> None:
    metrics = Metrics(CollectorRegistry())
    CacheMetrics(metrics).on_bypass(component, reason)
    expected = {"component": labels[0], "reason": labels[1]}
    assert metrics.registry.get_sample_value("modproxy_bypasses_total", expected) == 1


BLOCK = Finding("weapons", "violence", Action.BLOCK, Phase.RESPONSE, RuleKind.KEYWORD, 0, 4, "bomb")


@pytest.mark.parametrize(
    ("mode", "decisions", "cutoffs"),
    [
        (StreamMode.WINDOW, 1, 1),
        (StreamMode.AUDIT, 1, 0),  # audit records what it would do, but cuts nothing
        (StreamMode.BUFFER, 0, 1),  # the buffered answer's verdict was counted by the moderator
    ],
)
def test_a_blocked_stream_is_counted_once_whatever_the_mode(
    mode: StreamMode, decisions: int, cutoffs: int
) -> None:
    metrics = Metrics(CollectorRegistry())
    StreamMetrics(metrics).stream_finished(StreamReport(mode, RelayOutcome.BLOCKED, (BLOCK,), (BLOCK,)))
    registry = metrics.registry
    assert (
        registry.get_sample_value("modproxy_decisions_total", {"phase": "response", "action": "block"})
        == decisions
    )
    assert (registry.get_sample_value("modproxy_stream_cutoffs_total", {"policy": "weapons"}) or 0) == cutoffs
