"""DecisionCache against a real redis-server: keys, tiers, what is stored, flush."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from proxy.cache.decisions import CacheConfig, DecisionCache, restore
from proxy.policy.decision import Action, Decision, Finding, Phase, RuleKind
from tests.fixtures.observers import RecordingObserver
from tests.fixtures.redis_server import RedisServers, command_calls

TEXT = "call me at 555-0100 about the thing"
PHONE = Finding(
    "pii.phone",
    "pii",
    Action.REDACT,
    Phase.PROMPT,
    RuleKind.REGEX,
    11,
    19,
    r"\d{3}-\d{4}",
    replacement="[PHONE]",
)
REDACTED = Decision(Action.REDACT, (PHONE,), "rev1", redacted="call me at [PHONE] about the thing")


@pytest.fixture
async def cache(redis_url: str, redis_prefix: str) -> AsyncIterator[DecisionCache]:
    c = DecisionCache(CacheConfig(redis_url=redis_url, prefix=redis_prefix, ttl_seconds=120))
    yield c
    await c.close()


@pytest.fixture
async def raw(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url)
    yield client
    await client.aclose()


def test_the_key_names_prefix_revision_phase_and_a_digest_of_the_exact_text() -> None:
    cache = DecisionCache(CacheConfig())
    key = cache.key("rev1", Phase.PROMPT, TEXT)
    prefix, kind, revision, phase, digest = key.split(":")
    assert (prefix, kind, revision, phase) == ("modproxy", "decision", "rev1", "prompt")
    assert len(digest) == 64 and "555" not in key
    assert cache.key("rev1", Phase.PROMPT, TEXT + " ") != key
    assert cache.key("rev2", Phase.PROMPT, TEXT) != key
    assert cache.key("rev1", Phase.RESPONSE, TEXT) != key
    assert cache.key("rev1", Phase.PROMPT, "lone surrogate \ud800") != key


async def test_without_redis_the_local_tier_serves_alone() -> None:
    cache = DecisionCache(CacheConfig())
    key = cache.key("rev1", Phase.PROMPT, TEXT)
    await cache.put_many({key: REDACTED}, shared=True)
    assert cache.shared is False and await cache.ping()
    [hit] = await cache.get_many([key])
    assert hit is not None and restore(hit, TEXT) == REDACTED


async def test_another_replica_reads_a_shared_decision_from_redis(redis_url: str, redis_prefix: str) -> None:
    config = CacheConfig(redis_url=redis_url, prefix=redis_prefix)
    writer, reader_observer = DecisionCache(config), RecordingObserver()
    reader = DecisionCache(config, observer=reader_observer)
    key = writer.key("rev1", Phase.PROMPT, TEXT)
    await writer.put_many({key: REDACTED}, shared=True)

    [first] = await reader.get_many([key])
    [second] = await reader.get_many([key])

    assert first is not None and restore(first, TEXT) == REDACTED
    assert second == first
    assert reader_observer.events == {"miss:local": 1, "hit:redis": 1, "hit:local": 1}
    await writer.close()
    await reader.close()


async def test_a_local_only_decision_never_reaches_redis(cache: DecisionCache, raw: aioredis.Redis) -> None:
    key = cache.key("rev1", Phase.PROMPT, TEXT)
    await cache.put_many({key: REDACTED}, shared=False)
    assert await raw.exists(key) == 0
    assert await cache.get_many([key]) != [None]


async def test_redis_holds_neither_the_text_nor_the_redacted_text_and_every_key_expires(
    cache: DecisionCache, raw: aioredis.Redis
) -> None:
    key = cache.key("rev1", Phase.PROMPT, TEXT)
    await cache.put_many({key: REDACTED}, shared=True)
    stored = await raw.get(key)
    assert stored is not None
    assert b"call me" not in stored and b"about the thing" not in stored and b"redacted" not in stored
    assert 0 < await raw.ttl(key) <= 120


async def test_a_conversation_is_one_round_trip_each_way(redis_servers: RedisServers) -> None:
    server = redis_servers.start()
    cache = DecisionCache(CacheConfig(redis_url=server.url))
    turns = [f"turn {i}: hello there" for i in range(20)]
    keys = [cache.key("rev1", Phase.PROMPT, t) for t in turns]

    assert await cache.get_many(keys) == [None] * 20
    await cache.put_many({k: Decision(Action.ALLOW, (), "rev1") for k in keys}, shared=True)
    other = DecisionCache(CacheConfig(redis_url=server.url))
    assert all(d is not None for d in await other.get_many(keys))

    assert command_calls(server.url, "mget") == 2
    assert command_calls(server.url, "get") == 0
    assert command_calls(server.url, "set") == 20  # pipelined: one round trip
    await cache.close()
    await other.close()


async def test_flush_revision_drops_only_that_revision_and_never_runs_keys(
    redis_servers: RedisServers,
) -> None:
    server = redis_servers.start()
    cache = DecisionCache(CacheConfig(redis_url=server.url, prefix="mp[1]*:"))
    old = {
        cache.key("rev1", Phase.PROMPT, f"text {i}"): Decision(Action.ALLOW, (), "rev1") for i in range(1200)
    }
    new = {cache.key("rev2", Phase.PROMPT, f"text {i}"): Decision(Action.ALLOW, (), "rev2") for i in range(3)}
    await cache.put_many(old, shared=True)
    await cache.put_many(new, shared=True)

    assert await cache.flush_revision("rev1") == 1200

    assert await cache.get_many(list(old)[:5]) == [None] * 5
    assert None not in await cache.get_many(list(new))
    assert command_calls(server.url, "keys") == 0
    assert command_calls(server.url, "scan") >= 1
    await cache.close()


async def test_a_corrupt_value_is_a_miss_and_is_counted(
    redis_url: str, redis_prefix: str, raw: aioredis.Redis
) -> None:
    observer = RecordingObserver()
    cache = DecisionCache(CacheConfig(redis_url=redis_url, prefix=redis_prefix), observer=observer)
    key = cache.key("rev1", Phase.PROMPT, TEXT)
    await raw.set(key, b"{not json", ex=60)
    assert await cache.get_many([key]) == [None]
    assert observer.events["error:redis"] == 1
    await cache.close()
