from pathlib import Path

import pytest

from proxy.cli import main
from proxy.cli.settings_cmd import markdown_table
from proxy.settings.load import describe

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_the_configuration_reference_lists_every_setting_as_the_command_prints_it() -> None:
    assert markdown_table(describe()) in DOCS.read_text(encoding="utf-8"), (
        "docs/configuration.md is out of date: paste `modproxy settings --markdown` into it"
    )


def test_secrets_are_marked_and_defaults_shown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["settings"]) == 0
    out = capsys.readouterr().out
    assert "MODPROXY_CACHE_TTL_SECONDS" in out and "default 86400" in out
    assert "admin.token" in out and "(secret, never logged)" in out
