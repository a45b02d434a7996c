"""The shared tier: decisions in Redis, reached with short timeouts behind a circuit breaker.

Every operation is bounded by ``CacheConfig.operation_timeout`` (connect + socket timeout), retries
included; Redis errors are converted here into :class:`CacheBackendError` and never travel further.

Cluster: keys carry no hash tag. One tag per revision would put a whole revision on one node (a hot
spot), so multi-key reads are split per slot instead (``mget_nonatomic``: one MGET per slot, sent as
one pipeline per node) and writes go through a non-transactional cluster pipeline.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from proxy.breaker import BreakerConfig, BreakerState, CircuitBreaker
from proxy.settings.cache import CacheConfig, RedisMode

T = TypeVar("T")
_FLUSH_BATCH = 500
_FLUSH_TIMEOUT_SECONDS = 120.0


class CacheBackendError(Exception):
    """Redis could not answer; ``reason`` is one of timeout | unavailable | circuit_open."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"redis {reason}")
        self.reason = reason


def glob_escape(text: str) -> str:
    """Escape SCAN MATCH metacharacters so a prefix or revision matches only itself."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


def _retry_policy(retries: int) -> Retry:
    return Retry(NoBackoff(), retries)


@dataclass(frozen=True, slots=True)
class RedisClients:
    client: Redis | RedisCluster
    sentinels: tuple[Redis, ...] = ()
    """Connections to the sentinels themselves, closed along with the client."""


def build_clients(config: CacheConfig) -> RedisClients:
    common: dict[str, Any] = {
        "socket_timeout": config.socket_timeout,
        "socket_connect_timeout": config.connect_timeout,
    }
    mode = config.mode
    if mode is RedisMode.CLUSTER:
        # The cluster client follows MOVED/ASK redirects through its own retry; keep it to one.
        cluster = RedisCluster.from_url(
            config.plain_url(), retry=_retry_policy(1), max_connections=config.max_connections, **common
        )
        return RedisClients(cluster)
    if mode is RedisMode.SENTINEL:
        target = config.sentinel_target()
        sentinel = Sentinel(  # type: ignore[no-untyped-call]
            list(target.sentinels),
            sentinel_kwargs=dict(common),
            retry=_retry_policy(0),
            **common,
        )
        master: Redis = sentinel.master_for(
            target.service_name,
            db=target.db,
            username=target.username,
            password=target.password,
            ssl=target.tls,
        )
        return RedisClients(master, tuple(sentinel.sentinels))
    standalone = Redis.from_url(
        config.plain_url(), retry=_retry_policy(0), max_connections=config.max_connections, **common
    )
    return RedisClients(standalone)


class RedisTier:
    def __init__(
        self,
        config: CacheConfig,
        clients: RedisClients | None = None,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self._config = config
        self._clients = clients if clients is not None else build_clients(config)
        self._client = self._clients.client
        self._breaker = breaker or CircuitBreaker(
            BreakerConfig(config.breaker_failures, config.breaker_reset_seconds)
        )

    @property
    def breaker_state(self) -> BreakerState:
        return self._breaker.state

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        client = self._client
        if isinstance(client, RedisCluster):
            values = await self._run(lambda: client.mget_nonatomic(list(keys)))
        else:
            values = await self._run(lambda: client.mget(list(keys)))
        return [v if isinstance(v, bytes) else None for v in values]

    async def put_many(self, items: Sequence[tuple[str, bytes]]) -> None:
        ttl = self._config.ttl_seconds

        async def write() -> None:
            async with self._client.pipeline(transaction=False) as pipe:
                for key, value in items:
                    pipe.set(key, value, ex=ttl)
                await pipe.execute()

        await self._run(write)

    async def ping(self) -> bool:
        try:
            return bool(await self._run(self._client.ping))
        except CacheBackendError:
            return False

    async def delete_matching(self, pattern: str) -> int:
        """SCAN (per node on a cluster) with MATCH/COUNT and UNLINK in batches; never ``KEYS``."""
        removed = 0
        try:
            async with asyncio.timeout(_FLUSH_TIMEOUT_SECONDS):
                batch: list[bytes] = []
                async for key in self._client.scan_iter(match=pattern, count=1000):
                    batch.append(key)
                    if len(batch) >= _FLUSH_BATCH:
                        removed += int(await self._client.unlink(*batch))
                        batch = []
                if batch:
                    removed += int(await self._client.unlink(*batch))
        except (TimeoutError, RedisTimeoutError) as exc:
            raise CacheBackendError("timeout") from exc
        except (RedisError, OSError) as exc:
            raise CacheBackendError("unavailable") from exc
        return removed

    async def close(self) -> None:
        await self._client.aclose()
        for sentinel in self._clients.sentinels:
            await sentinel.aclose()

    async def _run(self, operation: Callable[[], Awaitable[T]]) -> T:
        if not self._breaker.try_acquire():
            raise CacheBackendError("circuit_open")
        try:
            async with asyncio.timeout(self._config.operation_timeout):
                result = await self._attempts(operation)
        except (TimeoutError, RedisTimeoutError) as exc:
            self._breaker.record_failure()
            raise CacheBackendError("timeout") from exc
        except (RedisError, OSError) as exc:
            self._breaker.record_failure()
            raise CacheBackendError("unavailable") from exc
        except asyncio.CancelledError:
            self._breaker.abandon()
            raise
        self._breaker.record_success()
        return result

    async def _attempts(self, operation: Callable[[], Awaitable[T]]) -> T:
        for _ in range(self._config.retries):
            try:
                return await operation()
            except RedisTimeoutError:
                raise
            except (RedisConnectionError, ConnectionError):
                continue
        return await operation()
