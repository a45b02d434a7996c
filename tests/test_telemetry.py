"""Component reports become series with the label values the dashboard and alerts read."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from proxy.metrics import Metrics
from proxy.telemetry import CacheMetrics


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
