"""Decision-cache settings, validated once.

The Redis deployment shape comes from the URL scheme:

==========================================================  ==========================
``redis://[user:pass@]host:port/db``                        standalone
``rediss://[user:pass@]host:port/db``                       standalone over TLS
``unix:///path/to/redis.sock``                              standalone over a socket
``redis+sentinel://[user:pass@]h1:p1[,h2:p2]/service[/db]``  Sentinel (``rediss+`` = TLS)
``redis+cluster://[user:pass@]host:port``                   Cluster (``rediss+`` = TLS)
==========================================================  ==========================

``cluster: true`` turns a plain ``redis://``/``rediss://`` URL into a Cluster seed as well.
Credentials in a Sentinel URL are those of the master; the sentinels are reached without them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from urllib.parse import unquote


class RedisMode(enum.StrEnum):
    NONE = "none"
    STANDALONE = "standalone"
    SENTINEL = "sentinel"
    CLUSTER = "cluster"


_SENTINEL_SCHEMES = {"redis+sentinel": False, "rediss+sentinel": True}
_CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}
_STANDALONE_SCHEMES = {"redis", "rediss", "unix"}


@dataclass(frozen=True, slots=True)
class SentinelTarget:
    sentinels: tuple[tuple[str, int], ...]
    service_name: str
    db: int
    username: str | None
    password: str | None
    tls: bool


@dataclass(frozen=True, slots=True)
class CacheConfig:
    redis_url: str | None = None
    prefix: str = "modproxy:"
    ttl_seconds: int = 86_400
    local_max_entries: int = 100_000
    local_max_bytes: int = 64 * 1024 * 1024
    socket_timeout: float = 0.1
    connect_timeout: float = 0.2
    retries: int = 1
    """Extra attempts after a *connection* error (a stale pooled socket after a restart); never after
    a timeout, since a slow Redis does not get faster when asked twice."""
    breaker_failures: int = 5
    breaker_reset_seconds: float = 5.0
    max_connections: int = 64
    cluster: bool = False

    def __post_init__(self) -> None:
        _require(self.prefix != "" and " " not in self.prefix, "prefix", "a non-empty string without spaces")
        _require(self.ttl_seconds > 0, "ttl_seconds", "> 0")
        _require(self.local_max_entries >= 0, "local_max_entries", ">= 0")
        _require(self.local_max_bytes >= 0, "local_max_bytes", ">= 0")
        _require(0 < self.socket_timeout <= 30, "socket_timeout", "in (0, 30] seconds")
        _require(0 < self.connect_timeout <= 30, "connect_timeout", "in (0, 30] seconds")
        _require(0 <= self.retries <= 5, "retries", "in [0, 5]")
        _require(self.breaker_failures >= 1, "breaker_failures", ">= 1")
        _require(self.breaker_reset_seconds > 0, "breaker_reset_seconds", "> 0")
        _require(self.max_connections >= 1, "max_connections", ">= 1")
        if self.redis_url is not None:
            scheme = _scheme(self.redis_url)
            known = _STANDALONE_SCHEMES | set(_SENTINEL_SCHEMES) | set(_CLUSTER_SCHEMES)
            _require(scheme in known, "redis_url", f"one of the schemes {', '.join(sorted(known))}")
            if scheme in _SENTINEL_SCHEMES:
                self.sentinel_target()

    @property
    def mode(self) -> RedisMode:
        if self.redis_url is None:
            return RedisMode.NONE
        scheme = _scheme(self.redis_url)
        if scheme in _SENTINEL_SCHEMES:
            return RedisMode.SENTINEL
        if scheme in _CLUSTER_SCHEMES or self.cluster:
            return RedisMode.CLUSTER
        return RedisMode.STANDALONE

    @property
    def operation_timeout(self) -> float:
        """Hard bound on one Redis operation, retries included: the most a request waits for Redis."""
        return self.connect_timeout + self.socket_timeout

    def plain_url(self) -> str:
        """The URL redis-py understands (the ``+cluster`` hint removed)."""
        if self.redis_url is None:
            raise ValueError("redis_url: not configured")
        scheme, sep, rest = self.redis_url.partition("://")
        return f"{_CLUSTER_SCHEMES.get(scheme.lower(), scheme)}{sep}{rest}"

    def sentinel_target(self) -> SentinelTarget:
        if self.redis_url is None:
            raise ValueError("redis_url: not configured")
        return _parse_sentinel(self.redis_url)


def _require(ok: bool, key: str, expectation: str) -> None:
    if not ok:
        raise ValueError(f"cache.{key}: must be {expectation}")


def _scheme(url: str) -> str:
    scheme, sep, _ = url.partition("://")
    return scheme.lower() if sep else ""


def _parse_sentinel(url: str) -> SentinelTarget:
    scheme, _, rest = url.partition("://")
    netloc, _, path = rest.partition("/")
    userinfo, at, hosts = netloc.rpartition("@")
    username: str | None = None
    password: str | None = None
    if at:
        user, colon, secret = userinfo.partition(":")
        username = unquote(user) or None
        password = unquote(secret) if colon else None
    sentinels: list[tuple[str, int]] = []
    for item in hosts.split(","):
        host, colon, port = item.strip().rpartition(":")
        if not colon or not host or not port.isdigit():
            raise ValueError(f"cache.redis_url: sentinel address {item!r} must be host:port")
        sentinels.append((host.strip("[]"), int(port)))
    parts = [p for p in path.split("?")[0].split("/") if p]
    if not parts:
        raise ValueError("cache.redis_url: a sentinel URL needs the service name as its path")
    if len(parts) > 2 or (len(parts) == 2 and not parts[1].isdigit()):
        raise ValueError("cache.redis_url: sentinel path must be /service_name[/db]")
    return SentinelTarget(
        sentinels=tuple(sentinels),
        service_name=unquote(parts[0]),
        db=int(parts[1]) if len(parts) == 2 else 0,
        username=username,
        password=password,
        tls=_SENTINEL_SCHEMES[scheme.lower()],
    )
