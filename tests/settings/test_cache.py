import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from proxy.settings.cache import CacheConfig, RedisMode, SentinelTarget
from proxy.settings.load import SettingsError, cache_config, load_settings


@pytest.mark.parametrize(
    ("url", "cluster", "mode"),
    [
        (None, False, RedisMode.NONE),
        ("redis://127.0.0.1:6379/0", False, RedisMode.STANDALONE),
        ("rediss://user:secret@cache.internal:6380", False, RedisMode.STANDALONE),
        ("unix:///run/redis.sock", False, RedisMode.STANDALONE),
        ("redis://127.0.0.1:7000", True, RedisMode.CLUSTER),
        ("redis+cluster://127.0.0.1:7000", False, RedisMode.CLUSTER),
        ("rediss+cluster://user:pw@10.0.0.1:7000", False, RedisMode.CLUSTER),
        ("redis+sentinel://127.0.0.1:26379/mymaster", False, RedisMode.SENTINEL),
    ],
)
def test_the_deployment_shape_comes_from_the_url(url: str | None, cluster: bool, mode: RedisMode) -> None:
    assert CacheConfig(redis_url=url, cluster=cluster).mode is mode


@pytest.mark.parametrize(
    ("url", "plain"),
    [
        ("redis+cluster://127.0.0.1:7000", "redis://127.0.0.1:7000"),
        ("rediss+cluster://u:p@h:7000/0", "rediss://u:p@h:7000/0"),
        ("redis://h:1/2", "redis://h:1/2"),
    ],
)
def test_the_cluster_hint_is_removed_before_redis_py_sees_the_url(url: str, plain: str) -> None:
    assert CacheConfig(redis_url=url).plain_url() == plain


@pytest.mark.parametrize(
    ("url", "target"),
    [
        (
            "redis+sentinel://127.0.0.1:26379/mymaster",
            SentinelTarget((("127.0.0.1", 26379),), "mymaster", 0, None, None, False),
        ),
        (
            "rediss+sentinel://app:p%40ss@s1:26379,s2:26380/cache/3",
            SentinelTarget((("s1", 26379), ("s2", 26380)), "cache", 3, "app", "p@ss", True),
        ),
        (
            "redis+sentinel://:only-password@[::1]:26379/m",
            SentinelTarget((("::1", 26379),), "m", 0, None, "only-password", False),
        ),
    ],
)
def test_sentinel_urls_name_the_sentinels_the_service_and_the_master_credentials(
    url: str, target: SentinelTarget
) -> None:
    assert CacheConfig(redis_url=url).sentinel_target() == target


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"cache": {"ttl": 5}}, "cache.ttl: unknown setting"),
        ({"cache": {"ttl_seconds": "1d"}}, "cache.ttl_seconds: must be an integer"),
        ({"cache": {"ttl_seconds": 0}}, "cache.ttl_seconds: must be greater than 0"),
        ({"cache": {"socket_timeout": 0}}, "cache.socket_timeout: must be greater than 0"),
        ({"cache": {"socket_timeout": 60}}, "cache.socket_timeout: must be in (0, 30]"),
        ({"cache": {"retries": 50}}, "cache.retries: must be in [0, 5]"),
        ({"cache": {"cluster": "maybe"}}, "cache.cluster: must be true or false"),
        ({"cache": {"prefix": ""}}, "cache.prefix: must be a non-empty string"),
        ({"redis": {"url": "http://127.0.0.1:6379"}}, "redis.url: must be a URL with one of the schemes"),
        ({"redis": {"url": "redis+sentinel://127.0.0.1:26379"}}, "redis.url: a sentinel URL needs"),
        ({"redis": {"url": "redis+sentinel://127.0.0.1/m"}}, "redis.url: sentinel address"),
    ],
)
def test_settings_name_the_bad_cache_key(tmp_path: Path, data: dict[str, Any], message: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"upstream": {"dev": True}, **data}))
    with pytest.raises(SettingsError, match="^" + re.escape(message)):
        load_settings(config_file=config, env={})


def test_settings_give_every_cache_setting(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "upstream": {"dev": True},
                "redis": {"url": "redis://127.0.0.1:6390/1"},
                "cache": {
                    "prefix": "mp:",
                    "ttl_seconds": 60,
                    "local_max_entries": 10,
                    "local_max_bytes": 4096,
                    "socket_timeout": 1,
                    "connect_timeout": 0.5,
                    "retries": 2,
                    "breaker_failures": 3,
                    "breaker_reset_seconds": 1.5,
                    "max_connections": 8,
                    "cluster": False,
                },
            }
        )
    )
    config_out = cache_config(load_settings(config_file=config, env={}))
    assert config_out == CacheConfig(
        "redis://127.0.0.1:6390/1", "mp:", 60, 10, 4096, 1.0, 0.5, 2, 3, 1.5, 8, False
    )
    assert config_out.operation_timeout == pytest.approx(1.5)


def test_default_settings_are_the_embedded_default() -> None:
    config = cache_config(load_settings(env={}, overrides={"upstream.dev": True}))
    assert (config.mode, config.prefix, config.ttl_seconds) == (RedisMode.NONE, "modproxy:", 86_400)
