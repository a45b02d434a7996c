from __future__ import annotations

import pytest

from tests.deploy.promql import exposed_names, metric_names


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ("up", {"up"}),
        ('modproxy_requests_total{route="x",status=~"5.."}', {"modproxy_requests_total"}),
        ("sum by (route) (rate(a_total[5m]))", {"a_total"}),
        ("sum(rate(a_total[$__rate_interval])) without (instance)", {"a_total"}),
        (
            "histogram_quantile(0.99, sum by (le, phase) "
            '(rate(d_seconds_bucket{job=~"$job"}[$__rate_interval])))',
            {"d_seconds_bucket"},
        ),
        ("a / on(job) group_left(version) b", {"a", "b"}),
        ("a > bool 1e3 and b unless c or d", {"a", "b", "c", "d"}),
        ("rate(a[5m] offset 1h) > Inf", {"a"}),
        ("max_over_time(rate(a[1m])[10m:1m])", {"a"}),
        ('{__name__="renamed_total", job="x"}', {"renamed_total"}),
        ('count by (revision) (info{label="by (x) {y} [z] fake_name"} == 1)', {"info"}),
        ("absent(build_info)", {"build_info"}),
        ("sum(x) > 0 unless sum(rate(y[10m])) > 0", {"x", "y"}),
    ],
)
def test_metric_names_of_an_expression(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == names


def test_exposed_names_expand_histograms_and_keep_counter_totals() -> None:
    page = "\n".join(
        [
            "# TYPE a_total counter",
            "# TYPE d_seconds histogram",
            "# TYPE g gauge",
            'a_created{x="1"} 1.7e9',
        ]
    )
    assert exposed_names(page) == {
        "a_total",
        "d_seconds_bucket",
        "d_seconds_sum",
        "d_seconds_count",
        "g",
        "a_created",
    }
