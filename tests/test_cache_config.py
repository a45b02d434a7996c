import re
from typing import Any

import pytest

from proxy.cache_config import CacheConfig, RedisMode, SentinelTarget


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
        ({"ttl": 5}, "cache.ttl: unknown setting"),
        ({"ttl_seconds": "1d"}, "cache.ttl_seconds: expected int"),
        ({"ttl_seconds": 0}, "cache.ttl_seconds: must be > 0"),
        ({"socket_timeout": True}, "cache.socket_timeout: expected float"),
        ({"socket_timeout": 0}, "cache.socket_timeout: must be in (0, 30]"),
        ({"retries": 50}, "cache.retries: must be in [0, 5]"),
        ({"cluster": "yes"}, "cache.cluster: expected bool"),
        ({"prefix": ""}, "cache.prefix: must be a non-empty string"),
        ({"redis_url": "http://127.0.0.1:6379"}, "cache.redis_url: must be one of the schemes"),
        ({"redis_url": "redis+sentinel://127.0.0.1:26379"}, "cache.redis_url: a sentinel URL needs"),
        ({"redis_url": "redis+sentinel://127.0.0.1/m"}, "cache.redis_url: sentinel address"),
        ({"redis_url": 6379}, "cache.redis_url: expected str | None"),
    ],
)
def test_from_mapping_names_the_bad_key(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        CacheConfig.from_mapping(data)


def test_from_mapping_reads_every_setting() -> None:
    config = CacheConfig.from_mapping(
        {
            "redis_url": "redis://127.0.0.1:6390/1",
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
        }
    )
    assert config == CacheConfig(
        "redis://127.0.0.1:6390/1", "mp:", 60, 10, 4096, 1.0, 0.5, 2, 3, 1.5, 8, False
    )
    assert config.operation_timeout == pytest.approx(1.5)


def test_an_empty_mapping_is_the_embedded_default() -> None:
    config = CacheConfig.from_mapping({})
    assert (config.mode, config.prefix, config.ttl_seconds) == (RedisMode.NONE, "modproxy:", 86_400)
