"""Fuzzing the settings: whatever a config file or the environment says, loading them either
succeeds or raises ``SettingsError`` naming the setting (``modproxy serve`` prints it in one line),
never anything else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from proxy.settings.load import SettingsError, describe, load_settings
from tests.fuzz.corpus import FUZZ

SETTINGS = describe()
KEYS = [info.key for info in SETTINGS]
SECTIONS = sorted({key.split(".")[0] for key in KEYS})
LIKELY = st.sampled_from(
    ["", "0", "-1", "1e9", "true", "auto", "block", "pass", "http://127.0.0.1:1", "redis://x", "*", "a,b"]
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 70_000), st.floats(allow_nan=False), LIKELY)
VALUES = st.recursive(
    SCALARS | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8) | LIKELY, inner, max_size=3)
    ),
    max_leaves=10,
)
SECTION = st.dictionaries(
    st.sampled_from(sorted({key.split(".", 1)[-1] for key in KEYS})) | st.text(max_size=6), VALUES, max_size=4
)
NAMES = st.sampled_from(["default", "local", "cn", "strict", ""]) | VALUES
ROUTE = st.fixed_dictionaries(
    {},
    optional={
        "name": NAMES,
        "match": st.fixed_dictionaries(
            {},
            optional={k: LIKELY | VALUES for k in ("model", "path", "tenant", "headers")},
        )
        | VALUES,
        "upstream": NAMES,
        "policy_set": NAMES,
        "stream_mode": st.sampled_from(["window", "buffer", "audit", "x"]) | VALUES,
        "unknown_paths": LIKELY | VALUES,
        "refusal_message": VALUES,
        "refusal_messages": VALUES,
        "labels": VALUES,
    },
)
TENANT = st.fixed_dictionaries(
    {},
    optional={
        "key_hashes": st.lists(st.sampled_from(["sha256:" + "0" * 64, "sha256:xx", ""]) | VALUES, max_size=2)
        | VALUES,
        "upstream": NAMES,
        "policy_set": NAMES,
        "refusal_message": VALUES,
    },
)
STRUCTURED = st.fixed_dictionaries(
    {},
    optional={
        "routes": st.lists(ROUTE, max_size=3) | VALUES,
        "tenants": st.dictionaries(st.text(max_size=5), TENANT | VALUES, max_size=2) | VALUES,
        "upstreams": st.dictionaries(
            st.text(max_size=5),
            st.fixed_dictionaries({}, optional={"url": LIKELY | VALUES, "api_key": VALUES}) | VALUES,
            max_size=2,
        )
        | VALUES,
        "policy_sets": st.dictionaries(st.text(max_size=5), LIKELY | VALUES, max_size=2) | VALUES,
    },
)
CONFIGS = (
    st.dictionaries(st.sampled_from(SECTIONS) | st.text(max_size=6), SECTION | VALUES, max_size=5)
    | STRUCTURED
)
ENVS = st.dictionaries(
    st.sampled_from([info.env for info in SETTINGS]), LIKELY | st.text(max_size=10), max_size=4
)


def load(tmp: Path, config: Any, env: dict[str, str]) -> None:
    path = tmp / "modproxy.yaml"
    path.write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    try:
        load_settings(config_file=path, env={"MODPROXY_UPSTREAM_URL": "http://127.0.0.1:1", **env})
    except SettingsError as exc:
        assert str(exc)


@FUZZ
@given(config=CONFIGS, env=ENVS)
@example(config={"routes": [{"match": {"path": []}}]}, env={})
@example(config={"tenants": {"keys": [None]}}, env={})
def test_any_config_and_environment(tmp_path: Path, config: dict[str, Any], env: dict[str, str]) -> None:
    load(tmp_path, config, env)


@FUZZ
@given(config=VALUES)
def test_any_config_file_shape(tmp_path: Path, config: Any) -> None:
    load(tmp_path, config, {})
