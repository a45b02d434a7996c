"""The audit and labels settings: defaults, and every mistake named with its key."""

from __future__ import annotations

from typing import Any

import pytest

from proxy.http.routing import RequestFacts, RouteTable
from proxy.settings.load import SettingsError, load_settings

UPSTREAM = {"upstream.url": "http://127.0.0.1:9"}


def _load(**overrides: Any) -> Any:
    return load_settings(env={}, overrides={**UPSTREAM, **overrides})


def test_defaults() -> None:
    settings = _load()
    assert settings.audit.sinks == ("log",) and settings.audit.redis_maxlen == 1_000_000
    assert settings.audit.all_decisions is False
    assert settings.labels.enabled is False and settings.labels.position == "append"
    assert settings.labels.texts == {"zh": "（本内容由人工智能生成）", "en": "(AI-generated content)"}


@pytest.mark.parametrize(
    ("overrides", "key", "problem"),
    [
        ({"audit.sinks": ["log", "kafka"]}, "audit.sinks", "unknown sink 'kafka'"),
        ({"audit.sinks": ["log", "log"]}, "audit.sinks", "names a sink twice"),
        ({"audit.sinks": ["file"]}, "audit.file_path", "is required when audit.sinks names file"),
        ({"audit.sinks": ["redis"]}, "audit.sinks", "names redis, which needs redis.url"),
        ({"audit.queue_size": 0}, "audit.queue_size", "must be greater than 0"),
        ({"labels.position": "middle"}, "labels.position", "must be one of append, prepend"),
        ({"labels.texts": {"zh": "AI"}}, "labels.texts", "needs an 'en' text"),
    ],
)
def test_mistakes_are_named(overrides: dict[str, Any], key: str, problem: str) -> None:
    with pytest.raises(SettingsError) as caught:
        _load(**overrides)
    assert caught.value.key == key and problem in str(caught.value)


def test_sinks_come_from_the_environment_as_a_json_list() -> None:
    settings = load_settings(
        env={"MODPROXY_AUDIT_SINKS": '["log", "file"]', "MODPROXY_AUDIT_FILE_PATH": "/tmp/a.jsonl"},
        overrides=UPSTREAM,
    )
    assert settings.audit.sinks == ("log", "file")


def test_a_route_or_tenant_overrides_labels() -> None:
    settings = _load(
        **{"labels.enabled": True},
        routes=[{"name": "internal", "match": {"model": "int-*"}, "labels": False}, {"name": "default"}],
    )
    table = RouteTable.from_settings(settings)
    assert table.plan(RequestFacts("/v1/chat/completions", "int-1", {})).labels is False
    assert table.plan(RequestFacts("/v1/chat/completions", "gpt", {})).labels is True
