"""Config → backends: parsing errors name the key; every built backend answers for real."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from proxy.classifiers.azure_content_safety import AzureContentSafety
from proxy.classifiers.builtin import BuiltinClassifier
from proxy.classifiers.builtin_model import CategoryWeights, FeatureSpec, LinearModel, featurize, save_model
from proxy.classifiers.guard_model import GuardFormat, GuardModel
from proxy.classifiers.http_webhook import HttpWebhook
from proxy.classifiers.openai_moderation import OpenAIModeration
from proxy.classifiers.registry import (
    BackendType,
    ClassifierConfigError,
    build_classifiers,
    from_mapping,
)
from proxy.policy.decision import Phase
from tests.classifiers.conftest import ScriptedServer

FULL = {
    "mod": {
        "type": "openai-moderation",
        "url": "http://127.0.0.1:9/v1",
        "api_key": "sk-secret",
        "timeout_ms": 800,
        "max_concurrency": 4,
        "categories": {"hate/threatening": "violence", "sexual/minors": None},
        "breaker": {"failure_threshold": 2, "reset_after_s": 10},
    },
    "guard": {
        "type": "guard-model",
        "url": "http://127.0.0.1:9/v1",
        "model": "qwen3guard",
        "format": "qwen3guard",
    },
    "azure": {"type": "azure-content-safety", "url": "http://127.0.0.1:9", "blocklists": ["ours"]},
    "hook": {"type": "http", "url": "http://127.0.0.1:9/score", "max_chars": 2000},
}


def test_parses_every_backend_type() -> None:
    configs = {c.name: c for c in from_mapping(FULL)}
    assert configs["mod"].type is BackendType.OPENAI_MODERATION
    assert configs["mod"].timeout_ms == 800
    assert configs["mod"].categories == {"hate/threatening": "violence", "sexual/minors": None}
    assert configs["mod"].breaker.failure_threshold == 2
    assert configs["guard"].format is GuardFormat.QWEN3GUARD
    assert configs["azure"].blocklists == ("ours",)
    assert configs["hook"].max_chars == 2000


def test_the_api_key_never_shows_in_repr() -> None:
    (config,) = from_mapping({"mod": FULL["mod"]})
    assert "sk-secret" not in repr(config)


U = "http://127.0.0.1"


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"x": {"type": "nope"}}, r"classifiers\.x\.type: must be one of"),
        ({"x": {"type": "http"}}, r"classifiers\.x\.url: required"),
        ({"x": {"type": "http", "url": U, "timeout_ms": 0}}, r"classifiers\.x\.timeout_ms"),
        ({"x": {"type": "http", "url": U, "timeout_ms": "fast"}}, r"classifiers\.x\.timeout_ms"),
        ({"x": {"type": "http", "url": U, "colour": 1}}, r"classifiers\.x\.colour: unknown key"),
        ({"x": {"type": "guard-model", "url": U, "model": "m"}}, r"classifiers\.x\.format"),
        ({"x": {"type": "guard-model", "url": U, "format": "qwen3guard"}}, r"classifiers\.x\.model"),
        ({"x": {"type": "http", "url": U, "categories": ["a"]}}, r"classifiers\.x\.categories"),
        ({"x": {"type": "http", "url": U, "categories": {"a": 1}}}, r"classifiers\.x\.categories\.a"),
        ({"x": {"type": "http", "url": U, "breaker": {"failure_threshold": 0}}},
         r"classifiers\.x\.breaker\.failure_threshold"),
        ({"x": {"type": "http", "url": U, "breaker": {"reset_after_s": 0}}},
         r"classifiers\.x\.breaker"),
        ({"x": {"type": "guard-model", "url": U, "model": "m", "format": "llama-guard",
                "controversial_score": 2}}, r"classifiers\.x\.controversial_score"),
        ({"x": "http"}, r"classifiers\.x: must be a mapping"),
        (["x"], r"classifiers: must be a mapping"),
    ],
)  # fmt: skip
def test_errors_name_the_key(section: Any, message: str) -> None:
    with pytest.raises(ClassifierConfigError, match=message):
        from_mapping(section)


async def test_builds_every_backend_and_always_builtin() -> None:
    async with aiohttp.ClientSession() as session:
        backends = build_classifiers(from_mapping(FULL), session)
    assert set(backends) == {"builtin", "mod", "guard", "azure", "hook"}
    assert isinstance(backends["builtin"], BuiltinClassifier)
    assert isinstance(backends["mod"], OpenAIModeration)
    assert isinstance(backends["guard"], GuardModel)
    assert isinstance(backends["azure"], AzureContentSafety)
    assert isinstance(backends["hook"], HttpWebhook)
    assert backends["hook"].max_chars == 2000


async def test_a_built_remote_backend_answers(server: ScriptedServer, session: aiohttp.ClientSession) -> None:
    server.reply({"scores": {"spam": 0.5}})
    backends = build_classifiers(from_mapping({"hook": {"type": "http", "url": server.url + "/s"}}), session)
    assert await backends["hook"].score("x", Phase.PROMPT) == {"spam": 0.5}


def write_model(path: Path, word: str) -> None:
    spec = FeatureSpec(3, 3, 16)
    weights = {bucket: 3.0 for bucket in featurize(word, spec).buckets}
    save_model(LinearModel(spec, {"custom": CategoryWeights(-2.0, weights)}), path)


async def test_a_policy_can_point_the_builtin_at_its_own_model(tmp_path: Path) -> None:
    write_model(tmp_path / "custom.json.gz", "widget")
    async with aiohttp.ClientSession() as session:
        backends = build_classifiers((), session, base_dir=tmp_path)
    custom = backends.resolve("builtin", "custom.json.gz")
    assert custom is backends.resolve("builtin", tmp_path / "custom.json.gz")
    assert custom is not backends["builtin"]
    scores = await custom.score("buy this widget", Phase.PROMPT)
    assert scores["custom"] > 0.5 > (await custom.score("hello there", Phase.PROMPT))["custom"]


async def test_a_configured_builtin_with_its_own_model(tmp_path: Path) -> None:
    write_model(tmp_path / "m.json", "gadget")
    section = {"builtin": {"type": "builtin", "model": "m.json", "max_concurrency": 1}}
    async with aiohttp.ClientSession() as session:
        backends = build_classifiers(from_mapping(section), session, base_dir=tmp_path)
    assert set(backends) == {"builtin"}
    assert set(await backends["builtin"].score("gadget", Phase.PROMPT)) == {"custom"}


@pytest.mark.parametrize(
    ("backend", "model", "message"),
    [
        ("nope", None, "unknown classifier backend 'nope'"),
        ("builtin", "missing.json", "classifier model 'missing.json'"),
        ("mod", "m.json", "only the 'builtin' backend takes a model file"),
    ],
)
async def test_resolve_errors(tmp_path: Path, backend: str, model: str | None, message: str) -> None:
    async with aiohttp.ClientSession() as session:
        backends = build_classifiers(from_mapping({"mod": FULL["mod"]}), session, base_dir=tmp_path)
    with pytest.raises(ClassifierConfigError, match=message):
        backends.resolve(backend, model)
