"""The Grafana dashboard and the alert rules only read metrics the proxy exposes."""

from __future__ import annotations

import re

import pytest

from tests.deploy.assets import (
    AlertRule,
    PanelQuery,
    alert_rules,
    dashboard_queries,
    fresh_exposed_names,
    load_dashboard,
    panels,
)
from tests.deploy.promql import metric_names

EXPOSED = fresh_exposed_names()
QUERIES = dashboard_queries()
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}


@pytest.mark.parametrize("query", QUERIES, ids=[q.panel for q in QUERIES])
def test_every_dashboard_query_reads_only_exposed_metrics(query: PanelQuery) -> None:
    names = metric_names(query.expr)
    assert names, f"no metric found in {query.expr!r}"
    assert names <= EXPOSED, f"unknown metrics {sorted(names - EXPOSED)} in panel {query.panel!r}"


@pytest.mark.parametrize("rule", alert_rules(), ids=lambda rule: rule.name)
def test_every_alert_rule_reads_only_exposed_metrics(rule: AlertRule) -> None:
    names = metric_names(rule.expr)
    assert names and names <= EXPOSED, f"unknown metrics {sorted(names - EXPOSED)}"


def test_the_name_check_would_catch_a_typo() -> None:
    assert not metric_names("rate(modproxy_request_total[5m])") <= EXPOSED
    assert not metric_names("rate(modproxy_request_duration_seconds[5m])") <= EXPOSED


def test_the_dashboard_covers_every_contract_metric() -> None:
    used = set().union(*(metric_names(q.expr) for q in QUERIES))
    contract = {name for name in EXPOSED if name.startswith("modproxy_") and not name.endswith("_created")}
    bases = {re.sub(r"_(bucket|sum|count)$", "", name) for name in used}
    missing = {name for name in contract if re.sub(r"_(bucket|sum|count)$", "", name) not in bases}
    assert missing == set()


def test_the_dashboard_picks_its_datasource_from_a_variable() -> None:
    dashboard = load_dashboard()
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    for panel in panels(dashboard):
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == DATASOURCE, panel["title"]
        assert all(target["datasource"] == DATASOURCE for target in panel["targets"]), panel["title"]


@pytest.mark.parametrize("query", QUERIES, ids=[q.panel for q in QUERIES])
def test_every_range_in_the_dashboard_is_the_rate_interval(query: PanelQuery) -> None:
    ranges = re.findall(r"\[([^\]]*)\]", query.expr)
    assert all(r == "$__rate_interval" for r in ranges), query.expr


def test_panel_ids_are_unique_and_panels_fit_the_grid() -> None:
    all_panels = panels(load_dashboard())
    ids = [panel["id"] for panel in all_panels]
    assert len(ids) == len(set(ids))
    for panel in all_panels:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
