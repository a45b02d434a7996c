"""Routing settings are checked once, at load: every problem names its key."""

from __future__ import annotations

from typing import Any

import pytest

from proxy.settings.load import SettingsError, load_settings
from proxy.settings.tenants import hash_key

UP = {"upstream.url": "http://127.0.0.1:1"}
H = hash_key("vk-one")


@pytest.mark.parametrize(
    ("config", "key", "problem"),
    [
        ({"routes": [{"name": "a", "match": {"model": "x*"}}]}, "routes[0].match",
         "the last route is the default"),
        ({"routes": [{"name": "a"}, {"name": "b"}]}, "routes[0].match", "routes after it are never used"),
        ({"routes": [{"name": "a", "match": {"model": "x"}}, {"name": "a"}]}, "routes[1].name", "already"),
        ({"routes": [{"name": "has space"}]}, "routes[0].name", "must be 1-64 characters"),
        ({"routes": [{"match": {}}]}, "routes[0].name", "is required"),
        ({"routes": [{"name": "a", "model": "x"}]}, "routes[0].model", "unknown setting"),
        ({"routes": [{"name": "a", "match": {"modle": "x"}}]}, "routes[0].match.modle", "unknown setting"),
        ({"routes": [{"name": "a", "upstream": "eu"}]}, "routes[0].upstream",
         "unknown upstream 'eu' (known: default)"),
        ({"routes": [{"name": "x", "match": {"model": "m"}}, {"name": "d", "policy_set": "cn"}]},
         "routes[1].policy_set", "unknown policy set 'cn'"),
        ({"routes": [{"name": "a", "stream_mode": "fast"}]}, "routes[0].stream_mode", "must be one of"),
        ({"routes": [{"name": "a", "match": {"tenant": "t"}}, {"name": "d"}]}, "routes[0].match.tenant",
         "unknown tenant 't'"),
        ({"routes": [{"name": "a", "match": {"headers": ["x"]}}]}, "routes[0].match.headers", "mapping"),
        ({"routes": {"name": "a"}}, "routes", "must be a list"),
        ({"upstreams": {"eu": {"api_key": "k"}}}, "upstreams.eu.url", "is required"),
        ({"upstreams": {"eu": {"url": "ftp://x"}}}, "upstreams.eu.url", "http:// or https://"),
        ({"upstreams": {"default": {"url": "http://x"}}}, "upstreams.default", "reserved for upstream.url"),
        ({"policy_sets": {"default": "p"}}, "policy_sets.default", "reserved for policies.path"),
        ({"tenants": {"t": {}}}, "tenants.t.key_hashes", "at least one"),
        ({"tenants": {"t": {"key_hashes": ["vk-one"]}}}, "tenants.t.key_hashes[0]", "modproxy hash-key"),
        ({"tenants": {"a": {"key_hashes": [H]}, "b": {"key_hashes": [H]}}}, "tenants.b.key_hashes[0]",
         "already a key of tenant 'a'"),
        ({"tenants": {"t": {"key_hashes": [H], "policy_set": "cn"}}}, "tenants.t.policy_set",
         "unknown policy set"),
    ],
)  # fmt: skip
def test_bad_routing_config_names_the_key(config: dict[str, Any], key: str, problem: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(env={}, overrides={**UP, **config})
    assert caught.value.key == key
    assert problem in caught.value.problem
