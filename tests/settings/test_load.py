"""Settings: defaults < YAML file < MODPROXY_* environment < flags, and one clear error per bad key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from proxy.settings.load import Settings, SettingsError, describe, load_settings, redacted_view

UP = {"upstream.url": "http://127.0.0.1:8000"}


def test_defaults() -> None:
    settings = load_settings(env={}, overrides=UP)
    assert (settings.server.port, settings.admin.port, settings.server.workers) == (8080, 9464, 1)
    assert settings.server.max_body_bytes == 10 * 1024 * 1024
    assert settings.admin.host == "127.0.0.1"
    assert settings.logging.log_text is False


def test_precedence_flag_over_env_over_file_over_default(tmp_path: Path) -> None:
    config = tmp_path / "modproxy.yaml"
    config.write_text(
        "server:\n  port: 7001\n  host: 0.0.0.0\n  workers: 3\nupstream:\n  url: http://file:1\n"
    )
    env = {"MODPROXY_SERVER_PORT": "7002", "MODPROXY_SERVER_HOST": "127.0.0.2"}
    settings = load_settings(
        config_file=config, env=env, overrides={"server.port": 7003, "server.host": None}
    )
    assert settings.server.port == 7003  # flag
    assert settings.server.host == "127.0.0.2"  # env (the flag was not given)
    assert settings.server.workers == 3  # file
    assert settings.server.max_body_bytes == 10 * 1024 * 1024  # default
    assert settings.upstream.url == "http://file:1"


def test_config_file_from_environment(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("upstream: {url: 'http://a:1', api_key: sk-x}\n")
    settings = load_settings(env={"MODPROXY_CONFIG": str(config)})
    assert settings.upstream.api_key == "sk-x"


@pytest.mark.parametrize(
    ("env", "value"),
    [
        ({"MODPROXY_UPSTREAM_DEV": "yes"}, ("upstream", "dev", True)),
        ({"MODPROXY_UPSTREAM_DEV": "0"}, ("upstream", "dev", False)),
        ({"MODPROXY_UPSTREAM_READ_TIMEOUT": "2.5"}, ("upstream", "read_timeout", 2.5)),
        ({"MODPROXY_POLICIES_PATH": "policies"}, ("policies", "path", Path("policies"))),
        ({"MODPROXY_UPSTREAM_API_KEY": ""}, ("upstream", "api_key", None)),
        (
            {"MODPROXY_MODERATION_REFUSAL_MESSAGES": '{"de": "Nein."}'},
            ("moderation", "refusal_messages", {"de": "Nein."}),
        ),
    ],
)
def test_environment_values_are_cast(env: dict[str, str], value: tuple[str, str, Any]) -> None:
    settings = load_settings(env=env, overrides=UP)
    section, key, expected = value
    assert getattr(getattr(settings, section), key) == expected


@pytest.mark.parametrize(
    ("file", "env", "overrides", "key", "problem"),
    [
        ("", {"MODPROXY_SERVER_PORT": "eighty"}, UP, "server.port", "must be an integer (got 'eighty')"),
        ("", {}, {**UP, "server.port": 70000}, "server.port", "must be between 0 and 65535 (got 70000)"),
        ("server: {prot: 1}", {}, UP, "server.prot", "unknown setting"),
        ("sever: {port: 1}", {}, UP, "sever", "unknown section"),
        ("", {"MODPROXY_SERVER_PROT": "1"}, UP, "MODPROXY_SERVER_PROT", "unknown environment setting"),
        ("", {}, {}, "upstream.url", "is required"),
        ("", {}, {"upstream.url": "ftp://x"}, "upstream.url", "must be an http:// or https:// URL"),
        ("", {}, {**UP, "redis.url": "http://x"}, "redis.url", "must be a URL with one of the schemes"),
        ("", {}, {**UP, "server.workers": -1}, "server.workers", "must be 0 or more"),
        ("", {"MODPROXY_UPSTREAM_DEV": "maybe"}, UP, "upstream.dev", "must be true or false"),
        ("upstream: {connect_timeout: -1}", {}, UP, "upstream.connect_timeout", "must be greater than 0"),
        ("", {}, {**UP, "admin.host": "0.0.0.0"}, "admin.host", "set admin.token"),
        ("", {}, {**UP, "server.workers": 2, "server.port": 0}, "server.workers", "fixed server.port"),
        ("server: [1, 2]", {}, UP, "server", "must be a mapping"),
        ("logging: {level: loud}", {}, UP, "logging.level", "must be one of"),
        ("server: {event_loop: trio}", {}, UP, "server.event_loop", "must be one of"),
        (": : :", {}, UP, "config", "not valid YAML"),
    ],
)
def test_bad_settings_name_the_key(
    tmp_path: Path, file: str, env: dict[str, str], overrides: dict[str, Any], key: str, problem: str
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(file)
    with pytest.raises(SettingsError) as caught:
        load_settings(config_file=config, env=env, overrides=overrides)
    assert caught.value.key == key
    assert problem in caught.value.problem
    assert "\n" not in str(caught.value)


def test_missing_config_file_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="cannot read"):
        load_settings(config_file=tmp_path / "absent.yaml", env={}, overrides=UP)


def test_admin_may_bind_everywhere_with_a_token() -> None:
    settings = load_settings(env={"MODPROXY_ADMIN_TOKEN": "t"}, overrides={**UP, "admin.host": "0.0.0.0"})
    assert settings.admin.host == "0.0.0.0"


def test_secrets_are_masked_in_the_redacted_view() -> None:
    settings = load_settings(
        env={"MODPROXY_UPSTREAM_API_KEY": "sk-secret", "MODPROXY_ADMIN_TOKEN": "tok"}, overrides=UP
    )
    view = redacted_view(settings)
    assert view["upstream"]["api_key"] == "***"
    assert view["admin"]["token"] == "***"
    assert "sk-secret" not in repr(view)


def test_every_setting_is_described_with_env_name_and_help() -> None:
    infos = describe()
    assert {info.key.split(".")[0] for info in infos} == set(Settings.__dataclass_fields__)
    assert all(info.help and info.env == "MODPROXY_" + info.key.replace(".", "_").upper() for info in infos)
    assert {i.key for i in infos if i.secret} == {"admin.token", "upstream.api_key"}


def test_settings_are_frozen() -> None:
    settings = load_settings(env={}, overrides=UP)
    with pytest.raises(AttributeError):
        settings.server.port = 1  # type: ignore[misc]


def test_classifier_api_keys_come_from_the_environment_and_are_masked(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(
        "upstream: {dev: true}\n"
        "classifiers:\n"
        "  backends:\n"
        "    guard: {type: http, url: 'http://127.0.0.1:9/score', api_key_env: GUARD_KEY}\n"
    )
    settings = load_settings(config_file=config, env={"GUARD_KEY": "sk-guard-secret"})
    assert settings.classifiers.backends["guard"]["api_key"] == "sk-guard-secret"
    assert "sk-guard-secret" not in json.dumps(redacted_view(settings))
    with pytest.raises(SettingsError) as caught:
        load_settings(config_file=config, env={})
    assert caught.value.key == "classifiers.backends.guard.api_key_env"


def test_a_bad_classifier_backend_names_its_key(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("upstream: {dev: true}\nclassifiers: {backends: {guard: {type: nonsense}}}\n")
    with pytest.raises(SettingsError) as caught:
        load_settings(config_file=config, env={})
    assert caught.value.key == "classifiers.backends.guard.type"
