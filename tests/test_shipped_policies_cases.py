"""Every shipped policy carries test cases, and all of them pass."""

import subprocess
import sys
from pathlib import Path

from proxy.policy.loader import load_policy_set
from proxy.policy.testing import discover

POLICIES = Path(__file__).resolve().parents[1] / "policies"


def test_modproxy_test_passes_on_the_shipped_policies() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "proxy", "test", str(POLICIES), "-q"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "passed" in run.stdout and "failed" not in run.stdout


def test_every_shipped_policy_has_a_case() -> None:
    cases = discover(POLICIES).cases
    covered = {c.policy for c in cases if c.policy} | {
        f.policy_id
        for c in cases
        if c.policy is None
        for f in load_policy_set(POLICIES).evaluate(c.text, c.phase).findings
    }
    assert {p.id for p in load_policy_set(POLICIES).policies} <= covered
