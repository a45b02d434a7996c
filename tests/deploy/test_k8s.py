"""The Kubernetes manifests validate against the API schemas (CRDs against schemas written here)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml

from proxy.policy.loader import load_policy_set
from tests.deploy.assets import ALERTS, K8S

POLICIES = K8S.parents[1] / "policies"


def _load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("k8s_policies", K8S / "policies.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


k8s_policies = _load_generator()

K8S_VERSION = "1.37.0"
SCHEMAS = Path(__file__).parent / "schemas"
# The Prometheus Operator's kinds have no schema in kubernetes-validate; they get ours.
CRD_SCHEMAS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"): SCHEMAS / "servicemonitor.json",
    ("monitoring.coreos.com/v1", "PrometheusRule"): SCHEMAS / "prometheusrule.json",
}
EXPECTED_KINDS = {
    "ConfigMap",
    "Deployment",
    "Service",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "ServiceMonitor",
    "PrometheusRule",
}


def load_resources() -> list[dict[str, Any]]:
    resources: list[dict[str, Any]] = []
    for path in sorted(K8S.glob("*.yaml")):
        resources.extend(doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc)
    return resources


RESOURCES = load_resources()


def by_kind(kind: str) -> dict[str, Any]:
    (found,) = [r for r in RESOURCES if r["kind"] == kind]
    return found


def resource_id(resource: dict[str, Any]) -> str:
    return f"{resource['kind']}/{resource['metadata']['name']}"


def test_every_expected_kind_is_there() -> None:
    assert {r["kind"] for r in RESOURCES} >= EXPECTED_KINDS


@pytest.mark.parametrize("resource", RESOURCES, ids=resource_id)
def test_resource_validates_strictly(resource: dict[str, Any]) -> None:
    crd_schema = CRD_SCHEMAS.get((resource["apiVersion"], resource["kind"]))
    if crd_schema is None:
        kubernetes_validate.validate(resource, K8S_VERSION, strict=True)
    else:
        jsonschema.validate(resource, json.loads(crd_schema.read_text(encoding="utf-8")))


def test_strict_validation_rejects_an_unknown_field() -> None:
    deployment = json.loads(json.dumps(by_kind("Deployment")))
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessprobe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSION, strict=True)


def test_crd_schema_rejects_an_unknown_field() -> None:
    monitor = json.loads(json.dumps(by_kind("ServiceMonitor")))
    monitor["spec"]["endpoints"][0]["intervall"] = "15s"
    schema = json.loads(
        CRD_SCHEMAS[("monitoring.coreos.com/v1", "ServiceMonitor")].read_text(encoding="utf-8")
    )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(monitor, schema)


def test_the_command_line_validator_passes_and_only_the_crd_kinds_lack_a_schema() -> None:
    cli = Path(sys.executable).with_name("kubernetes-validate")
    command = [str(cli) if cli.exists() else shutil.which("kubernetes-validate") or "kubernetes-validate"]
    result = subprocess.run(
        [*command, "--strict", *map(str, sorted(K8S.glob("*.yaml")))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    warnings = [line for line in result.stdout.splitlines() if line.startswith("WARN")]
    assert len(warnings) == len(CRD_SCHEMAS)
    assert all("ServiceMonitor" in w or "PrometheusRule" in w for w in warnings)
    assert "ERROR" not in result.stdout


def test_prometheus_rule_carries_exactly_the_alert_rules() -> None:
    alerts = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    assert by_kind("PrometheusRule")["spec"] == alerts


def test_deployment_runs_one_non_root_process_per_pod_with_probes_and_resources() -> None:
    pod = by_kind("Deployment")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    env = {e["name"]: e for e in container["env"]}
    assert env["MODPROXY_SERVER_WORKERS"]["value"] == "1"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["resources"]["requests"]["cpu"]
    assert container["resources"]["limits"]["memory"]


def test_config_and_policies_are_mounted_as_directories_so_updates_arrive() -> None:
    pod = by_kind("Deployment")["spec"]["template"]["spec"]
    mounts = pod["containers"][0]["volumeMounts"]
    assert all("subPath" not in m for m in mounts)
    config_maps = {v["configMap"]["name"] for v in pod["volumes"] if "configMap" in v}
    assert config_maps == {"modproxy-config", "modproxy-policies"}


def test_service_monitor_scrapes_the_admin_port_the_service_exposes() -> None:
    service_ports = {p["name"] for p in by_kind("Service")["spec"]["ports"]}
    endpoint = by_kind("ServiceMonitor")["spec"]["endpoints"][0]
    assert endpoint["port"] == "admin" and "admin" in service_ports
    assert endpoint["path"] == "/metrics"


def test_autoscaler_and_disruption_budget_target_the_deployment() -> None:
    deployment = by_kind("Deployment")
    assert (
        by_kind("HorizontalPodAutoscaler")["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    )
    selector = by_kind("PodDisruptionBudget")["spec"]["selector"]["matchLabels"]
    assert selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()


def _policy_volume() -> dict[str, Any]:
    pod = by_kind("Deployment")["spec"]["template"]["spec"]
    [volume] = [v for v in pod["volumes"] if v.get("configMap", {}).get("name") == "modproxy-policies"]
    return dict(volume["configMap"])


def test_the_policies_configmap_is_generated_from_the_shipped_policies() -> None:
    generated = K8S / "policies-configmap.yaml"
    assert generated.read_text(encoding="utf-8") == k8s_policies.render(POLICIES), (
        "deploy/k8s/policies-configmap.yaml is out of date: run `python deploy/k8s/policies.py`"
    )


def test_the_pod_sees_the_policy_tree_of_the_repository(tmp_path: Path) -> None:
    """Materialise the volume as the kubelet would (key -> item path) and load it like the proxy."""
    data = next(r for r in RESOURCES if r["metadata"]["name"] == "modproxy-policies")["data"]
    items = {item["key"]: item["path"] for item in _policy_volume()["items"]}
    assert set(items) == set(data), "every ConfigMap key has an item in the Deployment, and no more"
    for key, path in items.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(data[key], encoding="utf-8")
    mounted = load_policy_set(tmp_path)
    shipped = load_policy_set(POLICIES)
    assert mounted.revision == shipped.revision
    assert [p.id for p in mounted.policies] == [p.id for p in shipped.policies]
