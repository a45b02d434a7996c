"""The sections of modproxy's settings: one frozen dataclass per concern, with each field's default,
help text and check. :mod:`proxy.settings.load` composes them and reads the layers; nothing here reads the
environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from proxy.settings.routes import STREAM_MODES, UNKNOWN_PATHS
from proxy.settings.values import meta, setting

MIB = 1024 * 1024
TOKEN_PROMPTS = ("reject", "pass")


def _positive(value: float) -> str | None:
    return None if value > 0 else f"must be greater than 0 (got {value})"


def _port(value: int) -> str | None:
    return None if 0 <= value <= 65535 else f"must be between 0 and 65535 (got {value})"


def _http_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"must be an http:// or https:// URL (got {value!r})"
    return None


REDIS_SCHEMES = (
    *("redis", "rediss", "unix"),
    *("redis+sentinel", "rediss+sentinel", "redis+cluster", "rediss+cluster"),
)


def _redis_url(value: str | None) -> str | None:
    if value is None:
        return None
    if urlsplit(value).scheme not in REDIS_SCHEMES:
        return f"must be a URL with one of the schemes {', '.join(REDIS_SCHEMES)}"
    return None


def _non_negative(value: float) -> str | None:
    return None if value >= 0 else f"must be 0 or more (got {value})"


def _log_level(value: str) -> str | None:
    levels = ("debug", "info", "warning", "error")
    return None if value.lower() in levels else f"must be one of {', '.join(levels)} (got {value!r})"


EVENT_LOOPS = ("auto", "asyncio", "uvloop")


def _event_loop(value: str) -> str | None:
    return None if value in EVENT_LOOPS else f"must be one of {', '.join(EVENT_LOOPS)} (got {value!r})"


@dataclass(frozen=True, slots=True)
class ServerSettings:
    host: str = setting("127.0.0.1", "address the proxy listens on (0.0.0.0 for all interfaces)")
    port: int = setting(8080, "port the proxy listens on (0 picks a free port)", check=_port)
    workers: int = setting(
        1, "worker processes sharing the port (SO_REUSEPORT); 0 or --workers auto: one per CPU",
        check=_non_negative,
    )  # fmt: skip
    max_body_bytes: int = setting(
        10 * MIB, "largest accepted request body; larger bodies get 413", check=_positive
    )
    max_line_size: int = setting(8190, "longest HTTP request line or header line", check=_positive)
    max_field_size: int = setting(8190, "longest single HTTP header value", check=_positive)
    shutdown_grace_seconds: float = setting(
        30.0, "on SIGTERM, how long in-flight requests may finish", check=_positive
    )
    event_loop: str = setting(
        "auto", "asyncio, uvloop, or auto (uvloop when it is installed)", check=_event_loop
    )


@dataclass(frozen=True, slots=True)
class AdminSettings:
    host: str = setting("127.0.0.1", "address of the admin listener (/metrics, admin endpoints)")
    port: int = setting(9464, "port of the admin listener", check=_port)
    token: str | None = setting(None, "bearer token the admin endpoints require", secret=True)


@dataclass(frozen=True, slots=True)
class UpstreamSettings:
    url: str | None = setting(
        None, "base URL of the OpenAI-compatible backend, e.g. http://llm:8000", check=_http_url
    )
    api_key: str | None = setting(
        None, "replaces the client's Authorization towards the upstream", secret=True
    )
    connect_timeout: float = setting(10.0, "seconds to open a connection to the upstream", check=_positive)
    read_timeout: float = setting(
        300.0, "seconds the upstream may stay silent (per read, not total)", check=_positive
    )
    pool_size: int = setting(100, "most concurrent upstream connections per worker", check=_positive)
    dev: bool = setting(False, "run the built-in development echo upstream (not an LLM) and use it")


@dataclass(frozen=True, slots=True)
class PoliciesSettings:
    path: Path | None = field(default=None, metadata=meta("policy file or directory"))
    watch_interval: float = setting(
        1.0, "seconds between checks of the policy files for changes (0 turns live reload off)",
        check=_non_negative,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class RedisSettings:
    url: str | None = setting(
        None, "Redis for the shared decision cache, e.g. redis://127.0.0.1:6379/0", check=_redis_url
    )


@dataclass(frozen=True, slots=True)
class CacheSettings:
    """The decision cache; Redis itself is ``redis.url`` (none: the in-process tier alone)."""

    prefix: str = setting("modproxy:", "prefix of every Redis key")
    ttl_seconds: int = setting(86_400, "lifetime of a cached decision in Redis", check=_positive)
    local_max_entries: int = setting(100_000, "in-process tier: most decisions kept", check=_non_negative)
    local_max_bytes: int = setting(64 * MIB, "in-process tier: most bytes kept", check=_non_negative)
    socket_timeout: float = setting(0.1, "seconds one Redis reply may take", check=_positive)
    connect_timeout: float = setting(0.2, "seconds to connect to Redis", check=_positive)
    retries: int = setting(1, "extra attempts after a Redis connection error", check=_non_negative)
    breaker_failures: int = setting(5, "consecutive Redis failures that open the breaker", check=_positive)
    breaker_reset_seconds: float = setting(
        5.0, "seconds the breaker stays open before Redis is tried again", check=_positive
    )
    max_connections: int = setting(64, "Redis connection pool size", check=_positive)
    cluster: bool = setting(False, "treat redis.url as a Redis Cluster seed node")


@dataclass(frozen=True, slots=True)
class ClassifiersSettings:
    """Classifier backends policies can name; ``builtin`` (the offline model) always exists."""

    backends: dict[str, Any] = field(
        default_factory=dict,
        metadata=meta(
            "backends by name: {name: {type, url, api_key_env, model, timeout_ms, ...}}; "
            "see docs/classifiers.md"
        ),
    )
    builtin_concurrency: int = setting(
        1, "texts the built-in model scores at once (more: throughput on big machines, longer loop stalls)",
        check=_positive,
    )  # fmt: skip


DEFAULT_REFUSAL = "The response was filtered by the content policy."


def _token_prompts(value: str) -> str | None:
    return None if value in TOKEN_PROMPTS else f"must be one of {', '.join(TOKEN_PROMPTS)} (got {value!r})"


def _unknown_paths(value: str) -> str | None:
    return None if value in UNKNOWN_PATHS else f"must be one of {', '.join(UNKNOWN_PATHS)} (got {value!r})"


@dataclass(frozen=True, slots=True)
class ModerationSettings:
    refusal_message: str = setting(DEFAULT_REFUSAL, "replaces a blocked response")
    refusal_messages: dict[str, str] = field(
        default_factory=lambda: {"zh": "该回复因违反内容政策已被过滤。"},
        metadata=meta("refusal message per prompt language (zh is used when the prompt is mostly CJK)"),
    )
    token_prompts: str = setting(
        "reject", "prompts given as token ids (no text to moderate): reject (400), or pass (counted)",
        check=_token_prompts,
    )  # fmt: skip
    unknown_paths: str = setting(
        "block",
        "a request with a body (any method) to a /v1 path no API format knows: block (404) or pass (counted)",
        check=_unknown_paths,
    )  # fmt: skip


def _stream_mode(value: str) -> str | None:
    return None if value in STREAM_MODES else f"must be one of {', '.join(STREAM_MODES)} (got {value!r})"


@dataclass(frozen=True, slots=True)
class StreamingSettings:
    mode: str = setting(
        "window", "how streamed answers are moderated: window, buffer or audit", check=_stream_mode
    )
    buffer_max_chars: int = setting(
        200_000, "buffer mode: longest answer held; longer answers are refused", check=_positive
    )
    buffer_max_bytes: int = setting(
        16 * MIB,
        "buffer mode: most bytes of events held (a spoken answer's audio, chunks without text); "
        "past it the answer is refused",
        check=_positive,
    )
    max_event_bytes: int = setting(
        1 * MIB, "largest upstream event; a larger one ends the stream with an error event", check=_positive
    )
    refusal_in_stream: bool = setting(True, "put the refusal text in the final content_filter chunk")


@dataclass(frozen=True, slots=True)
class MetricsSettings:
    multiprocess_dir: Path | None = field(
        default=None,
        metadata=meta(
            "with several workers: where they share metric files (emptied at start; default: a new "
            "temporary directory)"
        ),
    )


@dataclass(frozen=True, slots=True)
class LoggingSettings:
    level: str = setting("info", "debug, info, warning or error", check=_log_level)
    access_log: bool = setting(
        False, "log one line per request (client, method, path, status, bytes, ms, request id)"
    )
    log_text: bool = setting(False, "include user and model text in logs (off: it may be personal data)")
