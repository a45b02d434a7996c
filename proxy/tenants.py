"""Virtual keys: the API keys clients hold, each mapped to a tenant, never the provider's key.

The config stores only ``sha256:<hex>`` hashes of the keys (``modproxy hash-key`` makes
one), so a leaked config file leaks no usable key. A request presents
``Authorization: Bearer <key>``; the proxy hashes it and compares the hash with every
configured hash, without stopping at the first match, so the time taken says nothing
about which tenant (if any) a key belongs to.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from proxy.errors import InvalidApiKey

HASH_PREFIX = "sha256:"
_HASH = re.compile(r"sha256:[0-9a-f]{64}")
_BEARER = re.compile(r"Bearer[ \t]+(\S+)[ \t]*", re.IGNORECASE)


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


@dataclass(frozen=True, slots=True)
class _Entry:
    digest: bytes
    tenant: str


class VirtualKeys:
    """Maps a presented key to its tenant name; ``enabled`` is false when no tenant is configured."""

    def __init__(self, tenants: Mapping[str, Tenant]) -> None:
        self._entries = tuple(
            _Entry(bytes.fromhex(h.removeprefix(HASH_PREFIX)), name)
            for name, tenant in tenants.items()
            for h in tenant.key_hashes
        )

    @property
    def enabled(self) -> bool:
        return bool(self._entries)

    def authenticate(self, authorization: str | None) -> str:
        """The tenant the bearer key belongs to; :class:`InvalidApiKey` when there is none."""
        if not authorization:
            raise InvalidApiKey(
                "You didn't provide an API key. Provide it in the Authorization header "
                "(Authorization: Bearer YOUR_KEY)."
            )
        bearer = _BEARER.fullmatch(authorization)
        if bearer is None:
            raise InvalidApiKey("The Authorization header must be 'Bearer YOUR_KEY'.")
        digest = hashlib.sha256(bearer.group(1).encode()).digest()
        found: str | None = None
        for entry in self._entries:
            # Every entry is compared, so the time does not depend on where (or whether) it matches.
            if hmac.compare_digest(digest, entry.digest) and found is None:
                found = entry.tenant
        if found is None:
            raise InvalidApiKey("Incorrect API key provided.")
        return found
