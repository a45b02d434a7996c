"""Bounded label values for :mod:`proxy.metrics.exporter`: the enums callers pass, and the guards."""

from __future__ import annotations

import enum

# A label of the cache metrics; the cache defines it, since it passes it to its observer.
from proxy.cache.decisions import CacheTier as CacheTier

OTHER = "other"

# How many distinct values a label taken from configuration may take.
MAX_CONFIGURED_VALUES = 256


class AuditSink(enum.StrEnum):
    LOG = "log"
    FILE = "file"
    REDIS = "redis"


class AuditResult(enum.StrEnum):
    WRITTEN = "written"
    DROPPED = "dropped"
    """Never written: the sink's queue was full (the sink down or slow), or it was still down at shutdown."""


class CacheResult(enum.StrEnum):
    HIT = "hit"
    MISS = "miss"
    ERROR = "error"


class ClassifierResult(enum.StrEnum):
    OK = "ok"
    ERROR = "error"
    TIMEOUT = "timeout"


class ReloadResult(enum.StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"


class UpstreamFailure(enum.StrEnum):
    """The ``status`` of an upstream call that got no HTTP response."""

    ERROR = "error"
    TIMEOUT = "timeout"


class BypassComponent(enum.StrEnum):
    """What failed open: the request went on without that component's verdict."""

    CLASSIFIER = "classifier"
    CACHE = "cache"
    REDIS = "redis"
    MODERATION = "moderation"
    STREAM = "stream"


class BypassReason(enum.StrEnum):
    TIMEOUT = "timeout"
    ERROR = "error"
    UNAVAILABLE = "unavailable"
    OVERLOAD = "overload"
    TOO_LARGE = "too_large"
    TOKEN_PROMPT = "token_prompt"
    """A prompt of token ids, forwarded unmoderated (``moderation.token_prompts: pass``)."""
    UNKNOWN_PATH = "unknown_path"
    """A body sent to a path no wire format knows (``moderation.unknown_paths: pass``)."""


class CappedLabel:
    """Admits the first ``limit`` distinct values; later newcomers read ``other``."""

    def __init__(self, limit: int = MAX_CONFIGURED_VALUES) -> None:
        self._limit = limit
        self._seen: set[str] = set()

    def __call__(self, value: str) -> str:
        if value in self._seen:
            return value
        if len(self._seen) >= self._limit or not value:
            return OTHER
        self._seen.add(value)
        return value


def status_label(status: int) -> str:
    return str(status) if 100 <= status <= 599 else OTHER


def enum_label(value: str, allowed: type[enum.StrEnum]) -> str:
    return value if value in allowed._value2member_map_ else OTHER
