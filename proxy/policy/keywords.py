"""Keyword matching: one Aho-Corasick automaton per normalization profile.

Every keyword and exception phrase of every policy that shares a profile goes
into one automaton, scanned once per text with overlapping matches so that a
long term of one policy never hides a shorter term of another. Per policy, the
surviving matches are then chosen leftmost-longest.

Word boundaries are judged where words have them: a keyword whose first (last)
character belongs to a script written with spaces (Latin, Cyrillic, ...) must
not be preceded (followed) by a letter or digit of such a script. Han, kana,
Thai and similar scripts match as substrings.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import ahocorasick_rs

from proxy.policy.normalize import Normalized, NormalizeOptions, normalizer

_NO_SPACE_SCRIPT = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3100-\u312f\u31a0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f]"
)


def is_word_char(ch: str) -> bool:
    """A letter or digit of a script that separates words with spaces."""
    return ch.isalnum() and _NO_SPACE_SCRIPT.match(ch) is None


class KeywordTerm(NamedTuple):
    """A NamedTuple, not a frozen dataclass: 100,000 of them are built per policy set, and a
    frozen dataclass's ``__init__`` costs several times as much."""

    policy: int
    """Index of the policy in its policy set."""
    term: str
    """As the author wrote it (reported in findings)."""
    exception: bool = False
    whole_word: bool = True


@dataclass(frozen=True, slots=True)
class KeywordHit:
    policy: int
    term: str
    start: int
    end: int
    """Span in the original text."""


# Per-keyword flags, one byte each.
_EXCEPTION = 1
_BOUND_START = 2
_BOUND_END = 4
_BATCH = 4096
"""Keywords folded per call: bounds the temporary strings of a big build."""


class KeywordMatcher:
    def __init__(self, options: NormalizeOptions, terms: Iterable[KeywordTerm]) -> None:
        self.options = options
        self._normalizer = normalizer(options)
        terms = terms if isinstance(terms, list) else list(terms)
        patterns: list[str] = []
        for batch in range(0, len(terms), _BATCH):
            patterns.extend(self._normalizer.terms([t.term for t in terms[batch : batch + _BATCH]]))
        if not all(patterns):
            raise ValueError(f"{terms[patterns.index('')].term!r} normalizes to nothing")
        # Per keyword, in compact arrays (no object per keyword; the terms are the policies' own
        # strings), built by comprehensions rather than one Python statement after another.
        edges = {p[0] for p in patterns} | {p[-1] for p in patterns}
        word = {c for c in edges if is_word_char(c)}
        self._policies = array("i", [t.policy for t in terms])
        self._terms = [t.term for t in terms]
        self._flags = bytes(
            (_EXCEPTION if t.exception else 0)
            | (_BOUND_START if t.whole_word and p[0] in word else 0)
            | (_BOUND_END if t.whole_word and p[-1] in word else 0)
            for t, p in zip(terms, patterns, strict=True)
        )
        # Automaton pattern id -> keyword position; a pattern several keywords share lists them all.
        first = dict(zip(reversed(patterns), range(len(patterns) - 1, -1, -1), strict=True))
        self._position: array[int] | None = None
        self._shared: dict[int, tuple[int, ...]] = {}
        if len(first) < len(patterns):
            unique = list(first)
            self._position = array("i", first.values())
            ids = {p: k for k, p in enumerate(unique)}
            shared: dict[int, list[int]] = {}
            for pos in (i for i, p in enumerate(patterns) if first[p] != i):
                k = ids[patterns[pos]]
                shared.setdefault(k, [self._position[k]]).append(pos)
            self._shared = {k: tuple(v) for k, v in shared.items()}
            patterns = unique
        del first
        self.pattern_count = len(patterns)
        self.longest = max(map(len, patterns), default=0)
        self._automaton = (
            ahocorasick_rs.AhoCorasick(
                patterns, matchkind=ahocorasick_rs.MatchKind.Standard, store_patterns=False
            )
            if patterns
            else None
        )

    @property
    def horizon(self) -> int:
        """Longest original-text span one match can cover."""
        if not self.longest:
            return 0
        return self.longest + (self.longest - 1) * self.options.gap_bound()

    def scan(self, text: str, policies: frozenset[int] | None = None) -> list[KeywordHit]:
        """Matches of the given policies (all when ``None``), ordered by position."""
        if self._automaton is None or not text:
            return []
        return self.scan_normalized(self._normalizer.normalize(text), policies)

    def scan_normalized(self, norm: Normalized, policies: frozenset[int] | None = None) -> list[KeywordHit]:
        """Matches in a text already normalized under this matcher's options."""
        if self._automaton is None:
            return []
        raw = self._automaton.find_matches_as_indexes(norm.text, overlapping=True)
        if not raw:
            return []
        found: dict[int, list[tuple[int, int, str]]] = {}
        excepted: dict[int, list[tuple[int, int]]] = {}
        all_policies, terms, all_flags = self._policies, self._terms, self._flags
        position, shared = self._position, self._shared
        for index, start, end in raw:
            positions = shared.get(index) if shared else None
            for pos in positions or ((index if position is None else position[index]),):
                policy = all_policies[pos]
                if policies is not None and policy not in policies:
                    continue
                flags = all_flags[pos]
                if flags & _EXCEPTION:
                    excepted.setdefault(policy, []).append((start, end))
                elif _bounded(norm, start, end, flags):
                    found.setdefault(policy, []).append((start, end, terms[pos]))
        hits: list[KeywordHit] = []
        for policy, matches in found.items():
            exceptions = excepted.get(policy, ())
            for start, end, term in _leftmost_longest(matches):
                if any(es <= start and end <= ee for es, ee in exceptions):
                    continue
                ostart, oend = norm.original_span(start, end)
                hits.append(KeywordHit(policy, term, ostart, oend))
        hits.sort(key=lambda h: (h.start, h.end, h.policy))
        return hits


def _bounded(norm: Normalized, start: int, end: int, flags: int) -> bool:
    # A neighbour in ``text`` is the neighbour in ``context`` unless separators were removed
    # between them, and separators are never word characters.
    text = norm.text
    if flags & _BOUND_START and start > 0 and is_word_char(text[start - 1]) and not norm.gap_before(start):
        return False
    return not (
        flags & _BOUND_END and end < len(text) and is_word_char(text[end]) and not norm.gap_before(end)
    )


def _leftmost_longest(matches: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    chosen: list[tuple[int, int, str]] = []
    pos = -1
    for start, end, term in sorted(matches, key=lambda m: (m[0], -m[1])):
        if start >= pos:
            chosen.append((start, end, term))
            pos = end
    return chosen
