"""Window moderation of one streamed text (one choice of one answer).

A :class:`WindowModerator` is fed the text deltas of a stream as they arrive and
answers, per delta, which text may be released to the client now (already
redacted) or that the stream must be blocked. It holds back only what a keyword or
regex could still claim.

Why the window is safe. Let ``H`` be the scanner's horizon (the longest span, in
original characters, any match can cover) and ``m`` an edge margin (characters of
right context a match's validity or normalization may depend on, e.g. a combining
mark or a word boundary after it). When ``end`` characters have arrived, a match
the final text has but the received text cannot show yet must contain a character
at index ``>= end - m`` so it starts at ``>= end - m - H + 1`` (the *frontier*).
Everything before the frontier is settled:

* no unseen match covers it, and
* a match found there is final: a longer match at the same start, or an earlier
  one overlapping it, would span more than ``H`` characters.

So each step scans ``context + pending`` once, processes the matches that start in
``[previous frontier, frontier)`` in the order :func:`apply_redactions` uses, and
releases text up to the frontier. Released text is never retracted: a redaction
that straddles the frontier is released whole (it is settled), and a later match
that overlaps it merges into it exactly as ``apply_redactions`` merges overlapping
spans. The concatenated released text therefore equals the non-streamed
``apply_redactions(text, scan(text))``, for any split of the text into deltas.

A scan covers the window ``K + H + m + pending`` characters, where the context
``K = H + m`` lets rules that look before a match (word boundaries) see what they
would see in the whole text. Context starts at a boundary no settled match
straddles, so leftmost-longest matchers resume in step.

Cost. Scanning on every delta would cost ``K + H + m + len(delta)`` per delta: a
cost per character that grows with the horizon (a 1 KB answer in 50 chunks was
scanned as ~25 times its length with a horizon of 469). Nothing above needs a scan
per delta, though: any increasing sequence of frontiers gives the same released
text. So a delta is only appended until the window is at most ``scan_ratio`` times
the text that arrived since the last scan, and a scan then settles all of it at
once. Every character is thus scanned at most ``scan_ratio`` times over a stream
(plus one final scan), whatever the horizon. The first scan happens exactly when it
did before (as soon as a character is past the hold), so the time to the first
released text does not change; after that, text is released in batches of at
least ``(K + H + m) / (scan_ratio - 1)`` characters, which adds up to about ``H``
characters of lag at the default ratio of 3. A block found by a batched scan first
releases the text before its match (the match's start is a valid frontier too),
then answers the next call, unless the text has ended.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from proxy.policy.decision import Action, Finding, Phase, sealed_findings

DEFAULT_EDGE_MARGIN = 1
DEFAULT_SCAN_RATIO = 3
"""A scan may cover at most this many times the characters that arrived since the previous one."""


class Scanner(Protocol):
    """What the window needs from a policy set: raw findings and how far a match can reach."""

    @property
    def horizon(self) -> int: ...

    def scan(self, text: str, phase: Phase) -> tuple[Finding, ...]: ...


class _NoPatterns:
    horizon = 0

    def scan(self, text: str, phase: Phase) -> tuple[Finding, ...]:
        return ()


NO_PATTERNS: Scanner = _NoPatterns()
"""The scanner of a proxy without keyword or regex policies: every delta is released at once."""


@dataclass(frozen=True, slots=True)
class SealedScanner:
    """``inner``'s findings for a text that must go out exactly as written (a signed thinking block):
    a finding that would rewrite it blocks instead (:func:`~proxy.policy.decision.sealed_findings`)."""

    inner: Scanner

    @property
    def horizon(self) -> int:
        return self.inner.horizon

    def scan(self, text: str, phase: Phase) -> tuple[Finding, ...]:
        return sealed_findings(self.inner.scan(text, phase))


@dataclass(frozen=True, slots=True)
class StreamStep:
    """The outcome of one delta: text to release now, or a block (and nothing more is ever released)."""

    text: str = ""
    block: Finding | None = None
    findings: tuple[Finding, ...] = ()
    """Findings that settled in this step (including flag and shadow ones), for observers."""

    @property
    def blocked(self) -> bool:
        return self.block is not None


_NOTHING = StreamStep()
"""The step of a delta that releases nothing (most deltas): immutable, so shared."""


def _order(f: Finding) -> tuple[int, int, str]:
    return (f.start, f.end, f.replacement or "")


class WindowModerator:
    def __init__(
        self,
        scanner: Scanner,
        phase: Phase = Phase.RESPONSE,
        edge_margin: int = DEFAULT_EDGE_MARGIN,
        scan_ratio: int = DEFAULT_SCAN_RATIO,
    ):
        if scan_ratio < 2:
            raise ValueError("scan_ratio must be at least 2: a window always holds more than its new text")
        self._scanner = scanner
        self._scan_ratio = scan_ratio
        self._phase = phase
        horizon = max(scanner.horizon, 0)
        # With no patterns there is nothing to wait for; otherwise hold H + m - 1 characters.
        self._hold = horizon + edge_margin - 1 if horizon else 0
        self._context = horizon + edge_margin
        self._buf = ""  # text[_base:_end]
        self._base = 0
        self._end = 0
        self._scanned = 0  # _end at the last scan
        self._settled = 0  # findings starting before this have been processed
        self._pos = 0  # output cursor: text before it is released (or redacted away)
        self._recent: list[Finding] = []  # processed findings that may straddle the context start
        self._block: Finding | None = None
        self._block_findings: tuple[Finding, ...] = ()  # reported with the block, by the call after it

    @property
    def held(self) -> int:
        """Characters received but not yet released."""
        return self._end - self._pos if self._block is None else 0

    @property
    def released_upto(self) -> int:
        """Offset in the original text up to which output has been released (or redacted away)."""
        return self._pos

    @property
    def blocked(self) -> Finding | None:
        return self._block

    def feed(self, delta: str) -> StreamStep:
        if self._block is not None:
            return self._blocked_step()
        if not delta:
            return _NOTHING
        self._buf += delta
        self._end += len(delta)
        frontier = self._end - self._hold
        if frontier <= self._settled:
            return _NOTHING
        if not self._hold:
            # No pattern can match: skip the scan entirely.
            return self._release_plain(frontier)
        if len(self._buf) > self._scan_ratio * (self._end - self._scanned):
            # Too little new text to pay for rescanning the window: settle it with a later scan.
            return _NOTHING
        return self._advance(frontier)

    def finish(self) -> StreamStep:
        """End of the text: every match is now settled; release (or block) the rest."""
        if self._block is not None:
            return self._blocked_step()
        if not self._hold:
            return self._release_plain(self._end)
        return self._advance(self._end + 1, last=True)

    def _blocked_step(self) -> StreamStep:
        assert self._block is not None
        findings, self._block_findings = self._block_findings, ()
        return StreamStep(block=self._block, findings=findings)

    def _release_plain(self, frontier: int) -> StreamStep:
        text = self._buf[self._pos - self._base : frontier - self._base]
        self._pos = self._settled = frontier
        self._buf = self._buf[frontier - self._base :]
        self._base = frontier
        return StreamStep(text)

    def _advance(self, frontier: int, *, last: bool = False) -> StreamStep:
        base = self._base
        settled = self._settled
        self._scanned = self._end
        found = self._scanner.scan(self._buf, self._phase)
        if not found and not self._recent:
            # The common case: nothing matched and no earlier match reaches into the window, so
            # release up to the frontier and keep the context (what _trim would do with no findings).
            release_to = min(frontier, self._end)
            pos = self._pos
            text = self._buf[pos - base : release_to - base] if pos < release_to else ""
            self._pos = max(pos, release_to)
            self._settled = frontier
            start = max(base, frontier - self._context)
            self._buf = self._buf[start - base :]
            self._base = start
            return StreamStep(text)
        new = sorted(
            (f.shifted(base) for f in found if settled <= f.start + base < frontier),
            key=_order,
        )
        block = next((f for f in new if f.action is Action.BLOCK and not f.shadow), None)
        if block is not None:
            return self._block_at(block, new, last=last)
        text = self._release(new, min(frontier, self._end))
        self._settled = frontier
        self._trim(new)
        return StreamStep(text, None, tuple(new))

    def _release(self, new: Iterable[Finding], release_to: int) -> str:
        """The text up to ``release_to`` with the redactions in ``new`` applied; moves the cursor."""
        out: list[str] = []
        pos = self._pos
        base = self._base
        buf = self._buf
        for f in new:
            if f.action is not Action.REDACT or f.shadow or f.end <= f.start or f.end <= pos:
                continue
            if f.start >= pos:
                out.append(buf[pos - base : f.start - base])
                out.append(f.replacement or "")
            pos = f.end
        if pos < release_to:
            out.append(buf[pos - base : release_to - base])
            pos = release_to
        self._pos = pos
        return "".join(out)

    def _block_at(self, block: Finding, new: list[Finding], *, last: bool) -> StreamStep:
        """Block, after releasing what precedes the match: the start of the first block is a valid
        frontier (it is before this scan's), so that text is settled, as a scan per delta would have
        released it. The block itself then answers the next call (at the end of the text, at once)."""
        before = [f for f in new if f.start < block.start]
        text = "" if last else self._release(before, block.start)
        self._block = block
        self._buf = ""
        rest = tuple(f for f in new if f.start >= block.start)
        if not text:
            return StreamStep(block=block, findings=tuple(new))
        self._block_findings = rest
        return StreamStep(text, None, tuple(before))

    def _trim(self, new: Iterable[Finding]) -> None:
        start = max(self._base, self._settled - self._context)
        recent = [*self._recent, *new]
        moved = True
        while moved:
            moved = False
            for f in recent:
                if f.start < start < f.end:
                    start = max(self._base, f.start)
                    moved = start > self._base
        self._recent = [f for f in recent if f.end > start]
        self._buf = self._buf[start - self._base :]
        self._base = start
