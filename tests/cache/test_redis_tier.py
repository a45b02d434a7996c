"""The Redis tier when Redis is down, silent, restarted, secured, replicated or sharded."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from proxy.breaker import BreakerState
from proxy.cache.decisions import CacheBackendError, CacheConfig, DecisionCache
from proxy.policy.decision import Action, Decision, Phase
from tests.fixtures.observers import RecordingObserver
from tests.fixtures.redis_server import RedisServers, command_calls, free_port, make_tls_files

ALLOW = Decision(Action.ALLOW, (), "rev1")


@pytest.fixture
async def black_hole() -> AsyncIterator[int]:
    """A TCP server that accepts connections and never answers."""

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.read(65536):
            pass
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port: int = server.sockets[0].getsockname()[1]
    yield port
    server.close()
    await server.wait_closed()


def keys_for(cache: DecisionCache, n: int, revision: str = "rev1") -> list[str]:
    return [cache.key(revision, Phase.PROMPT, f"message {i}") for i in range(n)]


async def test_a_redis_that_never_answers_costs_at_most_the_operation_timeout(black_hole: int) -> None:
    observer = RecordingObserver()
    config = CacheConfig(
        redis_url=f"redis://127.0.0.1:{black_hole}",
        socket_timeout=0.1,
        connect_timeout=0.1,
        breaker_failures=2,
    )
    cache = DecisionCache(config, observer=observer)
    keys = keys_for(cache, 3)

    for _ in range(2):
        started = time.perf_counter()
        assert await cache.get_many(keys) == [None] * 3
        assert time.perf_counter() - started < config.operation_timeout + 0.15

    started = time.perf_counter()
    await cache.put_many(dict.fromkeys(keys, ALLOW), shared=True)
    assert time.perf_counter() - started < 0.05, "the breaker is open: Redis is not even tried"
    assert cache.breaker_state is BreakerState.OPEN
    assert observer.events["error:redis"] == 3, "two timeouts, then one call skipped by the open breaker"
    assert not any(event.startswith("bypass:") for event in observer.events), "no verdict was skipped"
    await cache.close()


async def test_a_redis_that_is_down_is_read_as_misses_and_counted() -> None:
    observer = RecordingObserver()
    cache = DecisionCache(
        CacheConfig(redis_url=f"redis://127.0.0.1:{free_port()}", breaker_failures=3), observer=observer
    )
    keys = keys_for(cache, 2)
    for _ in range(5):
        assert await cache.get_many(keys) == [None, None]
    await cache.put_many(dict.fromkeys(keys, ALLOW), shared=True)
    assert await cache.get_many(keys) == [ALLOW, ALLOW], "the local tier keeps serving"
    assert not await cache.ping()
    assert observer.events["error:redis"] == 6, "three refused connections, then three skipped calls"
    assert not any(event.startswith("bypass:") for event in observer.events), "no verdict was skipped"
    await cache.close()


async def test_reconnects_by_itself_when_redis_comes_back_on_the_same_port(
    redis_servers: RedisServers,
) -> None:
    server = redis_servers.start()
    observer = RecordingObserver()
    config = CacheConfig(redis_url=server.url, breaker_failures=1, breaker_reset_seconds=0.05)
    cache, other = DecisionCache(config, observer=observer), DecisionCache(config)
    before = keys_for(cache, 2, "before")
    await cache.put_many(dict.fromkeys(before, ALLOW), shared=True)
    assert await other.get_many(before) == [ALLOW, ALLOW]

    server.kill()
    after = keys_for(cache, 2, "after")
    assert await cache.get_many(after) == [None, None]
    # Tripped (open, or already half-open once the short reset period has passed).
    assert cache.breaker_state is not BreakerState.CLOSED

    restarted = redis_servers.start(port=server.port)
    deadline = time.monotonic() + 10
    while not await cache.ping():  # the breaker lets a trial through every reset period
        assert time.monotonic() < deadline, "never reconnected"
        await asyncio.sleep(0.02)
    await cache.put_many(dict.fromkeys(after, ALLOW), shared=True)
    assert cache.breaker_state is BreakerState.CLOSED
    assert command_calls(restarted.url, "set") == 2
    async with DecisionCache(config) as fresh:
        assert await fresh.get_many(after) == [ALLOW, ALLOW]
    await cache.close()
    await other.close()


async def test_password_and_acl_urls(redis_servers: RedisServers) -> None:
    server = redis_servers.start(
        password="admin-secret", extra_args=["--user", "app", "on", ">app-s3cret", "~modproxy:*", "+@all"]
    )
    good = DecisionCache(CacheConfig(redis_url=f"redis://app:app-s3cret@127.0.0.1:{server.port}/0"))
    observer = RecordingObserver()
    bad = DecisionCache(
        CacheConfig(redis_url=f"redis://app:wrong@127.0.0.1:{server.port}/0"), observer=observer
    )
    keys = keys_for(good, 3)
    await good.put_many(dict.fromkeys(keys, ALLOW), shared=True)
    async with DecisionCache(good.config) as reader:
        assert await reader.get_many(keys) == [ALLOW] * 3
    assert await bad.get_many(keys) == [None] * 3
    assert observer.events["error:redis"] == 1
    await good.close()
    await bad.close()


async def test_tls_urls(redis_servers: RedisServers, tmp_path: Path) -> None:
    tls = make_tls_files(tmp_path / "tls")
    server = redis_servers.start(tls=tls)
    url = f"rediss://127.0.0.1:{server.port}/0?ssl_ca_certs={tls.ca}"
    config = CacheConfig(redis_url=url, connect_timeout=2, socket_timeout=1)
    writer, reader = DecisionCache(config), DecisionCache(config)
    keys = keys_for(writer, 2)
    await writer.put_many(dict.fromkeys(keys, ALLOW), shared=True)
    assert await reader.get_many(keys) == [ALLOW, ALLOW]
    await writer.close()
    await reader.close()


async def test_sentinel_urls_find_the_master(redis_servers: RedisServers) -> None:
    master = redis_servers.start()
    sentinel_port = free_port()
    redis_servers.start(
        port=sentinel_port,
        sentinel_config=f"port {sentinel_port}\nsentinel monitor cache 127.0.0.1 {master.port} 1\n",
    )
    config = CacheConfig(redis_url=f"redis+sentinel://127.0.0.1:{sentinel_port}/cache", connect_timeout=1)
    writer, reader = DecisionCache(config), DecisionCache(config)
    keys = keys_for(writer, 4)
    await writer.put_many(dict.fromkeys(keys, ALLOW), shared=True)
    assert await reader.get_many(keys) == [ALLOW] * 4
    assert command_calls(master.url, "mget") == 1
    await writer.close()
    await reader.close()


async def test_cluster_reads_split_per_slot_and_flush_scans_every_node(redis_cluster_url: str) -> None:
    config = CacheConfig(
        redis_url=redis_cluster_url, prefix="cluster-test:", connect_timeout=1, socket_timeout=1
    )
    writer, reader = DecisionCache(config), DecisionCache(config)
    keys = keys_for(writer, 60)
    await writer.put_many(dict.fromkeys(keys, ALLOW), shared=True)
    assert await reader.get_many(keys) == [ALLOW] * 60

    assert await writer.flush_revision("rev1") == 60
    async with DecisionCache(config) as fresh:
        assert await fresh.get_many(keys) == [None] * 60
    await writer.close()
    await reader.close()


async def test_a_flush_that_cannot_reach_redis_says_so() -> None:
    async with DecisionCache(CacheConfig(redis_url=f"redis://127.0.0.1:{free_port()}")) as cache:
        with pytest.raises(CacheBackendError) as raised:
            await cache.flush_revision("rev1")
    assert raised.value.reason == "unavailable"
