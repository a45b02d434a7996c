"""The Dockerfile passes hadolint and keeps its promises: slim, non-root, health-checked."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.deploy.assets import DEPLOY, ROOT

DOCKERFILE = DEPLOY / "Dockerfile"


def hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    beside = Path(sys.executable).with_name("hadolint")
    command = str(beside) if beside.exists() else shutil.which("hadolint") or "hadolint"
    return subprocess.run([command, str(path)], capture_output=True, text=True, timeout=60, check=False)


def instructions() -> list[str]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_dockerfile_passes_hadolint() -> None:
    result = hadolint(DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_would_catch_a_problem(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install aiohttp\n", encoding="utf-8")
    assert hadolint(bad).returncode != 0


def test_final_stage_is_slim_non_root_and_health_checked() -> None:
    lines = instructions()
    final_stage = lines[max(i for i, line in enumerate(lines) if line.startswith("FROM")) :]
    assert final_stage[0].startswith("FROM python:3.11-slim")
    users = [line for line in final_stage if line.startswith("USER ")]
    assert users and users[-1] not in ("USER root", "USER 0")
    assert any(line.startswith("HEALTHCHECK") and "/healthz" in line for line in final_stage)


def copied_sources() -> list[str]:
    sources: list[str] = []
    for line in instructions():
        words = line.split()
        if words[0] == "COPY" and not any(w.startswith("--from") for w in words):
            sources.extend(w for w in words[1:-1] if not w.startswith("--"))
    return sources


def test_everything_the_image_copies_exists_in_the_repository() -> None:
    sources = copied_sources()
    assert "proxy" in sources and "deploy/config/config.yaml" in sources
    # policies/ and README.md arrive with the policy engine and the project README.
    missing = [s for s in sources if not (ROOT / s).exists()]
    assert set(missing) <= {"policies", "README.md"}, missing
