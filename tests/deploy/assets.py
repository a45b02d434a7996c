"""The deploy/ assets the tests read, and the names a fresh ``Metrics`` exposes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from prometheus_client import CollectorRegistry

from proxy.metrics.exporter import Metrics, render_metrics
from tests.deploy.promql import exposed_names

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PROMETHEUS = DEPLOY / "prometheus"
ALERTS = PROMETHEUS / "alerts.yml"
ALERT_TESTS = PROMETHEUS / "tests" / "alerts_test.yml"
SCRAPE_CONFIG = PROMETHEUS / "prometheus.yml"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "modproxy.json"
K8S = DEPLOY / "k8s"


@dataclass(frozen=True, slots=True)
class PanelQuery:
    panel: str
    expr: str


@dataclass(frozen=True, slots=True)
class AlertRule:
    name: str
    expr: str
    annotations: dict[str, str]


def load_dashboard() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return data


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for panel in dashboard["panels"]:
        out.append(panel)
        out.extend(panel.get("panels", []))
    return out


def dashboard_queries() -> list[PanelQuery]:
    return [
        PanelQuery(panel["title"], target["expr"])
        for panel in panels(load_dashboard())
        for target in panel.get("targets", [])
    ]


def alert_rules() -> list[AlertRule]:
    data = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    return [
        AlertRule(rule["alert"], rule["expr"], rule.get("annotations", {}))
        for group in data["groups"]
        for rule in group["rules"]
    ]


def fresh_exposed_names() -> set[str]:
    return exposed_names(render_metrics(Metrics(CollectorRegistry()).registry).body.decode())
