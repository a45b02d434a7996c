"""``modproxy serve`` and ``modproxy dev-upstream`` on the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from proxy.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MODPROXY_")}
    return subprocess.run(
        [sys.executable, "-m", "proxy", *args],
        cwd=ROOT,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_top_level_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "serve" in out and "dev-upstream" in out


def test_serve_help_explains_flags_and_precedence(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = capsys.readouterr().out
    for flag in (
        "--config",
        "--host",
        "--port",
        "--admin-port",
        "--upstream",
        "--policies",
        "--redis-url",
        "--workers",
        "--dev",
    ):
        assert flag in out
    assert "MODPROXY_SERVER_PORT" in out
    assert "flag > environment > config file > default" in out


def test_dev_upstream_help_says_it_is_not_an_llm(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["dev-upstream", "--help"])
    assert "not a language model" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["serve"], {}, "modproxy: config error: upstream.url: is required"),
        (
            ["serve", "--upstream", "http://127.0.0.1:1", "--port", "99999"],
            {},
            "modproxy: config error: server.port: must be between 0 and 65535 (got 99999)",
        ),
        (
            ["serve", "--dev"],
            {"MODPROXY_UPSTREAM_READ_TIMEOUT": "soon"},
            "modproxy: config error: upstream.read_timeout: must be a number (got 'soon')",
        ),
        (
            ["serve", "--dev", "--config", "/nonexistent/modproxy.yaml"],
            {},
            "modproxy: config error: config: cannot read",
        ),
    ],
)
def test_bad_config_exits_with_one_clear_line(args: list[str], env: dict[str, str], message: str) -> None:
    result = _run(*args, env=env)
    assert result.returncode == 2
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_flags_map_to_settings(capsys: pytest.CaptureFixture[str]) -> None:
    from proxy.cli.serve import FLAG_KEYS
    from proxy.settings.load import describe

    known = {info.key for info in describe()}
    assert set(FLAG_KEYS.values()) <= known


def test_workers_takes_a_number_or_auto() -> None:
    from proxy.cli.serve import _workers

    assert (_workers("auto"), _workers("3")) == (0, 3)
    result = _run("serve", "--dev", "--workers", "many")
    assert result.returncode == 2
    assert "--workers: must be a number or auto (got 'many')" in result.stderr
