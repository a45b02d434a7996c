"""The opt-in backtracking engine: patterns RE2 cannot run, each scan bounded in time.

A policy that sets ``regex_engine: backtracking`` accepts look-arounds and back-references at
the price of a backtracking engine (the ``regex`` package), whose cost on a crafted text can
grow exponentially. So every scan of one text by one pattern gets ``regex_timeout_ms`` of
time, and releases the GIL while it runs (``concurrent=True``) so other threads and the event
loop keep going. A scan that runs out of time is not an error and not a pass: it becomes a
finding of the policy over the whole scanned text (``RegexHit.timed_out``), so the policy's
action applies (fail closed) and the timeout is counted with the policy's findings.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

DEFAULT_TIMEOUT_MS = 50
MAX_TIMEOUT_MS = 1000


@dataclass(frozen=True, slots=True)
class BacktrackingPattern:
    compiled: regex.Pattern[str]
    timeout_s: float

    @classmethod
    def compile(cls, pattern: str, case_sensitive: bool, timeout_ms: int) -> BacktrackingPattern:
        # V0 is ``re``'s behaviour (the pattern was already checked with ``re``).
        flags = regex.V0 | (0 if case_sensitive else regex.IGNORECASE)
        try:
            compiled = regex.compile(pattern, flags)
        except regex.error as e:  # pragma: no cover - ``re`` accepted it, ``regex`` is a superset
            raise ValueError(f"bad regex {pattern!r}: {e}") from None
        return cls(compiled, (timeout_ms or DEFAULT_TIMEOUT_MS) / 1000)

    def spans(self, text: str) -> tuple[list[tuple[int, int]], bool]:
        """``finditer`` spans, and whether the scan ran out of time (spans are then incomplete)."""
        out: list[tuple[int, int]] = []
        try:
            for m in self.compiled.finditer(text, timeout=self.timeout_s, concurrent=True):
                out.append(m.span())
        except TimeoutError:
            return out, True
        return out, False
