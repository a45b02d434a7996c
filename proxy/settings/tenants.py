"""Tenants: the clients of the proxy, each known by the hashes of its virtual keys.

The config stores only ``sha256:<hex>`` hashes of the keys (``modproxy hash-key`` makes
one), so a leaked config file leaks no usable key. A request's key is checked against them
in :mod:`proxy.http.keys`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

HASH_PREFIX = "sha256:"
_HASH = re.compile(r"sha256:[0-9a-f]{64}")


def hash_key(key: str) -> str:
    """The form a virtual key is stored in: ``sha256:`` and the hex digest of its UTF-8 bytes."""
    return HASH_PREFIX + hashlib.sha256(key.encode()).hexdigest()


def hash_problem(value: str) -> str | None:
    if _HASH.fullmatch(value):
        return None
    return "must be sha256: followed by 64 lowercase hex digits (make one with `modproxy hash-key`)"


@dataclass(frozen=True, slots=True)
class Tenant:
    """One client of the proxy; the optional settings override the defaults for its requests
    (a route's own setting still wins, see docs/routing.md)."""

    key_hashes: tuple[str, ...] = field(
        default=(), metadata={"help": "sha256 hashes of the tenant's virtual keys", "secret": True}
    )
    upstream: str | None = None
    policy_set: str | None = None
    stream_mode: str | None = None
    refusal_message: str | None = None
    refusal_messages: dict[str, str] | None = None
    labels: bool | None = None
