"""Virtual keys at request time: the bearer key a client presents, mapped to its tenant.

The configured keys are hashes (:mod:`proxy.settings.tenants`). The presented key is hashed and
compared with every configured hash, without stopping at the first match, so the time taken says
nothing about which tenant (if any) a key belongs to.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass

from proxy.errors import InvalidApiKey
from proxy.settings.tenants import HASH_PREFIX, Tenant

_BEARER = re.compile(r"Bearer[ \t]+(\S+)[ \t]*", re.IGNORECASE)


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
