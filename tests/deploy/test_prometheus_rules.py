"""promtool accepts the scrape config and the alert rules, and every alert's unit test passes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from tests.deploy.assets import ALERT_TESTS, ALERTS, ROOT, SCRAPE_CONFIG, alert_rules

PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
# compose.yaml mounts the admin token here; promtool insists that the file exists.
COMPOSE_TOKEN_PATH = "/run/secrets/admin_token"


def promtool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PROMTOOL, *map(str, args)], capture_output=True, text=True, timeout=60, check=False
    )


def test_scrape_config_passes_check_config(tmp_path: Path) -> None:
    config = SCRAPE_CONFIG.read_text(encoding="utf-8")
    assert COMPOSE_TOKEN_PATH in config
    token = tmp_path / "admin_token"
    token.write_text("token", encoding="utf-8")
    (tmp_path / "prometheus.yml").write_text(config.replace(COMPOSE_TOKEN_PATH, str(token)), encoding="utf-8")
    shutil.copy(ALERTS, tmp_path / ALERTS.name)
    result = promtool("check", "config", tmp_path / "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_alert_rules_pass_check_rules() -> None:
    result = promtool("check", "rules", ALERTS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_rule_unit_tests_pass() -> None:
    result = promtool("test", "rules", ALERT_TESTS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_test_rules_fails_on_a_wrong_expectation(tmp_path: Path) -> None:
    tests = yaml.safe_load(ALERT_TESTS.read_text(encoding="utf-8"))
    tests["rule_files"] = [str(ALERTS)]
    firing = tests["tests"][0]["alert_rule_test"][-1]
    firing["exp_alerts"] = []
    broken = tmp_path / "broken_test.yml"
    broken.write_text(yaml.safe_dump(tests), encoding="utf-8")
    assert promtool("test", "rules", broken).returncode != 0


def test_every_alert_has_a_unit_test_where_it_fires() -> None:
    tests = yaml.safe_load(ALERT_TESTS.read_text(encoding="utf-8"))
    fired = {
        case["alertname"]
        for test in tests["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    assert {rule.name for rule in alert_rules()} <= fired


def test_every_alert_links_its_runbook_section() -> None:
    doc = (ROOT / "docs" / "observability.md").read_text(encoding="utf-8")
    headings = {line.lstrip("#").strip().lower() for line in doc.splitlines() if line.startswith("#")}
    for rule in alert_rules():
        assert rule.annotations["runbook"] == f"docs/observability.md#{rule.name.lower()}"
        assert rule.name.lower() in headings, f"docs/observability.md has no section {rule.name}"
