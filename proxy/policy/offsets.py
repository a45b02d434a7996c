"""Maps from indexes of an edited string back to the string it was made from.

Built only for texts that matched something: a scan with no match never pays for them.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from typing import Protocol


class OffsetMap(Protocol):
    def src(self, index: int) -> int: ...


class EditMap:
    """Each edit says: ``src_len`` characters at ``src_start`` became ``dst_len`` characters."""

    __slots__ = ("_dst_starts", "_edits")

    def __init__(self, edits: Sequence[tuple[int, int, int]]) -> None:
        self._edits = edits
        starts: list[int] = []
        shift = 0
        for src_start, src_len, dst_len in edits:
            starts.append(src_start + shift)
            shift += dst_len - src_len
        self._dst_starts = starts

    def src(self, index: int) -> int:
        k = bisect.bisect_right(self._dst_starts, index) - 1
        if k < 0:
            return index
        dst_start = self._dst_starts[k]
        src_start, src_len, dst_len = self._edits[k]
        if index < dst_start + dst_len:
            return src_start
        return src_start + src_len + (index - dst_start - dst_len)


class RunMap:
    """Given the lengths of alternating kept/removed pieces of the source (``re.split`` with a
    capturing group), maps indexes of the kept pieces joined together."""

    __slots__ = ("_compact_starts", "_context_starts")

    def __init__(self, lengths: Sequence[int]) -> None:
        context_starts = list(itertools.accumulate(lengths, initial=0))
        self._context_starts = context_starts[0::2]
        self._compact_starts = list(itertools.accumulate(lengths[0::2], initial=0))

    def src(self, index: int) -> int:
        k = bisect.bisect_right(self._compact_starts, index) - 1
        return self._context_starts[k] + (index - self._compact_starts[k])


class MaskMap:
    """For a string made by deleting characters, given one byte per source character (0: kept,
    1: deleted): block counts at C speed, then a short search inside one block."""

    __slots__ = ("_kept", "_removed")
    _BLOCK = 64

    def __init__(self, removed: bytes) -> None:
        self._removed = removed
        block = self._BLOCK
        kept = [0]
        for start in range(0, len(removed), block):
            size = min(block, len(removed) - start)
            kept.append(kept[-1] + size - removed.count(1, start, start + block))
        self._kept = kept

    def src(self, index: int) -> int:
        kept = self._kept
        k = bisect.bisect_right(kept, index) - 1
        if k >= len(kept) - 1:  # one past the end
            return len(self._removed) + index - kept[-1]
        pos = k * self._BLOCK
        removed = self._removed
        for _ in range(index - kept[k]):
            pos = removed.index(0, pos) + 1
        return removed.index(0, pos)
