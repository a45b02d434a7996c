"""Classifier segments of a streamed text: the hook for policies that judge meaning, not patterns.

A classifier cannot rule on a span as it grows; it rules on a *segment* (a sentence,
or at most ``max_chars`` characters). :class:`Segmenter` cuts the text the window
moderator released into segments and gives each one a bounded slice of the text
before it as context, so a sentence that only reads badly after the previous one is
still scored with it. The relay awaits a :data:`SegmentCheck` per segment and
releases the segment only once the check clears it; until then the client sees
nothing of it. With no classifier policy configured the relay skips this stage.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from proxy.policy.decision import Action, Finding, Phase

SENTENCE_ENDS = frozenset(".!?;\n。！？；…")
DEFAULT_SEGMENT_CHARS = 400
DEFAULT_OVERLAP_CHARS = 80


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    """The new text; released to the client once the check clears it."""
    context: str = ""
    """The tail of the previous segments, scored with ``text`` but never re-released."""

    @property
    def scored(self) -> str:
        return self.context + self.text


SegmentCheck = Callable[[Segment, Phase], Awaitable[tuple[Finding, ...]]]
"""Scores one segment; findings are relative to ``segment.scored``. A blocking finding stops the stream."""


class Segmenter:
    def __init__(self, max_chars: int = DEFAULT_SEGMENT_CHARS, overlap_chars: int = DEFAULT_OVERLAP_CHARS):
        if max_chars < 1 or overlap_chars < 0:
            raise ValueError("segment size must be positive and overlap non-negative")
        self._max = max_chars
        self._overlap = overlap_chars
        self._pending = ""
        self._tail = ""

    @property
    def pending(self) -> str:
        return self._pending

    def push(self, text: str) -> list[Segment]:
        """Add released text; return the segments it completes."""
        self._pending += text
        out: list[Segment] = []
        while self._pending:
            cut = self._cut(self._pending)
            if cut is None:
                break
            out.append(self._emit(cut))
        return out

    def flush(self) -> Segment | None:
        return self._emit(len(self._pending)) if self._pending else None

    def _cut(self, text: str) -> int | None:
        limit = min(len(text), self._max)
        for i in range(limit):
            if text[i] in SENTENCE_ENDS:
                return i + 1
        return self._max if len(text) >= self._max else None

    def _emit(self, cut: int) -> Segment:
        segment = Segment(self._pending[:cut], self._tail)
        self._pending = self._pending[cut:]
        if self._overlap:
            self._tail = (self._tail + segment.text)[-self._overlap :]
        return segment


async def release_segments(
    segmenter: Segmenter,
    text: str,
    check: SegmentCheck,
    phase: Phase,
    findings: list[Finding],
    *,
    final: bool,
) -> tuple[str, Finding | None]:
    """The classifier stage of a stream: ``text`` joins ``segmenter``, and what leaves is the text
    of every segment that filled up (all of them when ``final``) and was cleared by ``check``; the
    first block stops it. Every finding is added to ``findings``."""
    segments = segmenter.push(text)
    if final and (last := segmenter.flush()) is not None:
        segments.append(last)
    released: list[str] = []
    for segment in segments:
        found = await check(segment, phase)
        findings.extend(found)
        block = next((f for f in found if f.action is Action.BLOCK and not f.shadow), None)
        if block is not None:
            return "", block
        released.append(segment.text)
    return "".join(released), None
