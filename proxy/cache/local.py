"""The in-process tier: an LRU of decisions bounded by entry count and by (estimated) bytes.

It holds :class:`Decision` objects in their stored form (no ``redacted`` text), so a hit costs a
dict lookup and never a JSON parse. Sizes are estimates of what an entry keeps alive, good enough to
bound memory, not an exact accounting of Python object overhead.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from proxy.policy.decision import Decision

_ENTRY_OVERHEAD = 240
_FINDING_OVERHEAD = 200


def estimated_size(key: str, decision: Decision) -> int:
    size = _ENTRY_OVERHEAD + len(key) + len(decision.revision)
    for f in decision.findings:
        size += _FINDING_OVERHEAD + len(f.policy_id) + len(f.category) + len(f.matched)
        size += len(f.replacement or "")
    return size


@dataclass(frozen=True, slots=True)
class _Entry:
    decision: Decision
    size: int


class LocalTier:
    def __init__(self, max_entries: int, max_bytes: int) -> None:
        if max_entries < 0 or max_bytes < 0:
            raise ValueError("local tier bounds must not be negative")
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        return self._bytes

    def get(self, key: str) -> Decision | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return entry.decision

    def get_many(self, keys: Sequence[str]) -> list[Decision | None]:
        return [self.get(k) for k in keys]

    def put(self, key: str, decision: Decision) -> None:
        size = estimated_size(key, decision)
        if size > self._max_bytes or self._max_entries == 0:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= old.size
        self._entries[key] = _Entry(decision, size)
        self._bytes += size
        while len(self._entries) > self._max_entries or self._bytes > self._max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= evicted.size

    def put_many(self, items: Iterable[tuple[str, Decision]]) -> None:
        for key, decision in items:
            self.put(key, decision)

    def drop_prefix(self, prefix: str) -> int:
        doomed = [k for k in self._entries if k.startswith(prefix)]
        for k in doomed:
            self._bytes -= self._entries.pop(k).size
        return len(doomed)

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0
