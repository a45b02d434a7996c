"""The decision cache: an in-process LRU in front of Redis, keyed by policy revision and text digest.

Key: ``{prefix}decision:{revision}:{phase}:{digest}`` where ``digest`` is a BLAKE2b-256 of the exact
text. A new policy revision means new keys, so a reload can never be answered with an old verdict.

What is stored is a decision's *stored form*: its findings and action, never the text and never the
``redacted`` text (it would be most of the user's text). A hit is turned back into a full decision
by :func:`restore`, which re-applies the redact findings (each carries its ``replacement``) to the
text being moderated.

Without ``redis_url`` the local tier alone serves. With it, Redis is an accelerator, never a
dependency: every failure is counted through the :class:`CacheObserver` and read as a miss.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Protocol

from proxy.breaker import BreakerState
from proxy.cache.local import LocalTier
from proxy.cache.redis_tier import CacheBackendError, RedisTier, glob_escape
from proxy.policy.decision import Action, Decision, Phase, apply_redactions
from proxy.settings.cache import CacheConfig, RedisMode

__all__ = [
    "CacheBackendError",
    "CacheConfig",
    "CacheObserver",
    "CacheTier",
    "DecisionCache",
    "NullCacheObserver",
    "RedisMode",
    "restore",
    "stored_form",
]


class CacheTier(enum.StrEnum):
    LOCAL = "local"
    REDIS = "redis"


class CacheObserver(Protocol):
    def on_hit(self, tier: CacheTier) -> None: ...
    def on_miss(self, tier: CacheTier) -> None: ...
    def on_error(self, tier: CacheTier) -> None: ...
    def on_bypass(self, component: str, reason: str) -> None: ...


class NullCacheObserver:
    def on_hit(self, tier: CacheTier) -> None:
        pass

    def on_miss(self, tier: CacheTier) -> None:
        pass

    def on_error(self, tier: CacheTier) -> None:
        pass

    def on_bypass(self, component: str, reason: str) -> None:
        pass


def stored_form(decision: Decision) -> Decision:
    return dataclasses.replace(decision, redacted=None, bypassed=())


def restore(decision: Decision, text: str) -> Decision:
    """A cached decision made whole again for ``text`` (the text its key was computed from)."""
    if decision.action is not Action.REDACT:
        return decision
    return dataclasses.replace(decision, redacted=apply_redactions(text, decision.findings))


def encode(decision: Decision) -> bytes:
    return json.dumps(stored_form(decision).to_json(), separators=(",", ":")).encode()


def decode(value: bytes) -> Decision:
    return Decision.from_json(json.loads(value))


class DecisionCache:
    def __init__(
        self,
        config: CacheConfig,
        *,
        observer: CacheObserver | None = None,
        redis: RedisTier | None = None,
    ) -> None:
        self._config = config
        self._observer = observer or NullCacheObserver()
        self._local = LocalTier(config.local_max_entries, config.local_max_bytes)
        if redis is None and config.mode is not RedisMode.NONE:
            redis = RedisTier(config)
        self._redis = redis

    @property
    def config(self) -> CacheConfig:
        return self._config

    @property
    def shared(self) -> bool:
        """Whether a Redis tier is configured (not whether it is up right now)."""
        return self._redis is not None

    @property
    def breaker_state(self) -> BreakerState | None:
        return None if self._redis is None else self._redis.breaker_state

    @property
    def local(self) -> LocalTier:
        return self._local

    def key(self, revision: str, phase: Phase, text: str, stage: str = "") -> str:
        """``stage`` tells apart verdicts of different parts of one policy set on one text."""
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=32).hexdigest()
        return f"{self._config.prefix}decision:{revision}:{phase.value}{stage}:{digest}"

    async def get_many(
        self, keys: Sequence[str], *, local_only: bool = False, tiers: list[CacheTier] | None = None
    ) -> list[Decision | None]:
        """Stored-form decisions for ``keys`` (None for a miss): local tier first, then one Redis
        round trip for everything the local tier lacked. ``tiers`` receives the tier of each hit."""
        found = self._local.get_many(keys)
        missing = [i for i, d in enumerate(found) if d is None]
        for d in found:
            if d is None:
                self._observer.on_miss(CacheTier.LOCAL)
            else:
                self._observer.on_hit(CacheTier.LOCAL)
                if tiers is not None:
                    tiers.append(CacheTier.LOCAL)
        if not missing or self._redis is None or local_only:
            return found
        try:
            values = await self._redis.get_many([keys[i] for i in missing])
        except CacheBackendError as exc:
            self._record_failure(exc)
            return found
        for i, value in zip(missing, values, strict=True):
            decision = self._decode(value)
            if decision is None:
                self._observer.on_miss(CacheTier.REDIS)
                continue
            self._observer.on_hit(CacheTier.REDIS)
            if tiers is not None:
                tiers.append(CacheTier.REDIS)
            self._local.put(keys[i], decision)
            found[i] = decision
        return found

    async def put_many(self, items: Mapping[str, Decision], *, shared: bool) -> None:
        """Remember decisions locally, and in Redis too when ``shared`` (worth a round trip to
        every other replica). Never raises on a Redis failure."""
        if not items:
            return
        stored = {k: stored_form(d) for k, d in items.items()}
        self._local.put_many(stored.items())
        if not shared or self._redis is None:
            return
        try:
            await self._redis.put_many([(k, encode(d)) for k, d in stored.items()])
        except CacheBackendError as exc:
            self._record_failure(exc)

    async def flush_revision(self, revision: str) -> int:
        """Drop every key of ``revision`` from both tiers; returns how many Redis keys were removed
        (local entries when no Redis is configured). Raises CacheBackendError if Redis fails."""
        prefix = f"{self._config.prefix}decision:{revision}:"
        local = self._local.drop_prefix(prefix)
        if self._redis is None:
            return local
        return await self._redis.delete_matching(glob_escape(prefix) + "*")

    async def ping(self) -> bool:
        return True if self._redis is None else await self._redis.ping()

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.close()

    async def __aenter__(self) -> DecisionCache:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def _decode(self, value: bytes | None) -> Decision | None:
        if value is None:
            return None
        try:
            return decode(value)
        except (ValueError, KeyError, TypeError):
            self._observer.on_error(CacheTier.REDIS)
            return None

    def _record_failure(self, exc: CacheBackendError) -> None:
        # Not a bypass: without Redis every verdict is still computed, only not shared.
        del exc
        self._observer.on_error(CacheTier.REDIS)
