"""Maps from indexes of an edited string back to the string it was made from.

Built only for texts that matched something: a scan with no match never pays for them.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt


class OffsetMap(Protocol):
    def src(self, index: int) -> int: ...

    def gap_before(self, index: int) -> bool:
        """Whether source characters were removed right before ``index`` (``index > 0``)."""
        ...


class _Gaps:
    __slots__ = ()

    def src(self, index: int) -> int:
        raise NotImplementedError

    def gap_before(self, index: int) -> bool:
        return self.src(index) - self.src(index - 1) > 1


class EditMap(_Gaps):
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


class RunMap(_Gaps):
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
    """For a string made by deleting characters, given one byte per source character (0 kept,
    1 deleted). Built only for texts that matched; the first lookup makes the table of kept
    positions in one numpy pass, and every lookup is then one index."""

    __slots__ = ("_kept", "_removed")

    def __init__(self, removed: bytes) -> None:
        self._removed = removed
        self._kept: npt.NDArray[np.intp] | None = None

    def _table(self) -> npt.NDArray[np.intp]:
        if self._kept is None:
            self._kept = np.flatnonzero(np.frombuffer(self._removed, dtype=np.uint8) == 0)
        return self._kept

    def src(self, index: int) -> int:
        kept = self._table()
        if index < len(kept):
            return int(kept[index])
        return len(self._removed) + index - len(kept)  # one past the end maps one past the end

    def gap_before(self, index: int) -> bool:
        kept = self._table()
        after = int(kept[index]) if index < len(kept) else len(self._removed)
        return after - int(kept[index - 1]) > 1
