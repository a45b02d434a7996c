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


@dataclass(frozen=True, slots=True)
class KeywordTerm:
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


class _Entry(NamedTuple):
    """A NamedTuple, not a dataclass: 100,000 of them are built per policy set."""

    policy: int
    term: str
    exception: bool
    bound_start: bool
    bound_end: bool


class KeywordMatcher:
    def __init__(self, options: NormalizeOptions, terms: Iterable[KeywordTerm]) -> None:
        self.options = options
        self._normalizer = normalizer(options)
        terms = list(terms)
        index: dict[str, int] = {}
        patterns: list[str] = []
        # One entry per pattern; the rare pattern shared by several terms keeps the rest aside.
        entries: list[_Entry] = []
        extra: dict[int, list[_Entry]] = {}
        word_char: dict[str, bool] = {}
        for t, pattern in zip(terms, self._normalizer.terms([t.term for t in terms]), strict=True):
            if not pattern:
                raise ValueError(f"{t.term!r} normalizes to nothing")
            first, last = pattern[0], pattern[-1]
            if first not in word_char:
                word_char[first] = is_word_char(first)
            if last not in word_char:
                word_char[last] = is_word_char(last)
            entry = _Entry(
                t.policy,
                t.term,
                t.exception,
                t.whole_word and word_char[first],
                t.whole_word and word_char[last],
            )
            known = index.get(pattern)
            if known is None:
                index[pattern] = len(patterns)
                patterns.append(pattern)
                entries.append(entry)
            else:
                extra.setdefault(known, []).append(entry)
        self._entries = entries
        self._extra = {k: (entries[k], *v) for k, v in extra.items()}
        self.pattern_count = len(patterns)
        self.longest = max(map(len, patterns), default=0)
        self._automaton = (
            ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MatchKind.Standard)
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
        norm = self._normalizer.normalize(text)
        raw = self._automaton.find_matches_as_indexes(norm.text, overlapping=True)
        if not raw:
            return []
        found: dict[int, list[tuple[int, int, str]]] = {}
        excepted: dict[int, list[tuple[int, int]]] = {}
        entries, extra = self._entries, self._extra
        for index, start, end in raw:
            for entry in extra.get(index, (entries[index],)) if extra else (entries[index],):
                if policies is not None and entry.policy not in policies:
                    continue
                if entry.exception:
                    excepted.setdefault(entry.policy, []).append((start, end))
                elif _bounded(norm, start, end, entry):
                    found.setdefault(entry.policy, []).append((start, end, entry.term))
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


def _bounded(norm: Normalized, start: int, end: int, entry: _Entry) -> bool:
    # A neighbour in ``text`` is the neighbour in ``context`` unless separators were removed
    # between them, and separators are never word characters.
    text = norm.text
    if entry.bound_start and start > 0 and is_word_char(text[start - 1]) and not norm.gap_before(start):
        return False
    return not (entry.bound_end and end < len(text) and is_word_char(text[end]) and not norm.gap_before(end))


def _leftmost_longest(matches: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    chosen: list[tuple[int, int, str]] = []
    pos = -1
    for start, end, term in sorted(matches, key=lambda m: (m[0], -m[1])):
        if start >= pos:
            chosen.append((start, end, term))
            pos = end
    return chosen
