"""Regex matching on RE2: linear in the text for every pattern it accepts.

Each pattern is translated once (:mod:`proxy.policy.regex_syntax`) into RE2 syntax that
accepts, position by position, what Python's ``re`` would. Per normalization profile, one
``RE2::Set`` pass over the UTF-8 of the normalized text says which patterns match at all (most
texts match none); only those are then run for spans, with ``re``'s ``finditer`` rules
(leftmost-first, non-overlapping, resuming where the previous match ended). Offsets are
bytes until a match is found, then converted to characters and mapped back to the original.

A policy that opts into ``regex_engine: backtracking`` runs its patterns on the ``regex``
package instead (see :mod:`proxy.policy.regex_backtracking`), each scan bounded in time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import re2

from proxy.policy.normalize import Normalized, NormalizeOptions, normalizer
from proxy.policy.regex_backtracking import BacktrackingPattern
from proxy.policy.regex_syntax import LinearPattern, UnsupportedPattern, sre_p, translate
from proxy.policy.schema import RegexEngine

_re2 = re2._re2
_UNANCHORED = _re2.RE2.Anchor.UNANCHORED
_NO_SPAN = (-1, -1)
_SURROGATE = re.compile("[\ud800-\udfff]")
_RE2_MAX_MEM = 64 << 20
"""Per compiled pattern; Unicode classes make big automata, and the DFA cache lives in this budget."""


def _options() -> re2.Options:
    options = re2.Options()
    options.max_mem = _RE2_MAX_MEM
    options.log_errors = False
    return options


@dataclass(frozen=True, slots=True)
class LinearRule:
    """One translated pattern compiled on RE2."""

    pattern: LinearPattern
    compiled: object
    after_start: object
    """The pattern without its leading ``\\A`` branch (the same object when it has none)."""

    @classmethod
    def compile(cls, pattern: str, case_sensitive: bool) -> LinearRule:
        translated = translate(pattern, 0 if case_sensitive else re.IGNORECASE)
        compiled = _compile(translated.source)
        after_start = compiled
        if translated.after_start_source != translated.source:
            after_start = _compile(translated.after_start_source)
        return cls(translated, compiled, after_start)

    def spans(self, data: bytes) -> list[tuple[int, int]]:
        """Byte spans of ``re``'s ``finditer`` matches in ``data`` (UTF-8)."""
        out: list[tuple[int, int]] = []
        group = 0 if self.pattern.lead is None and self.pattern.trail is None else 1
        back = self.pattern.lead is not None
        pos, end = 0, len(data)
        match = self.compiled.Match  # type: ignore[attr-defined]
        while pos <= end:
            spans = match(_UNANCHORED, data, pos, end)
            if spans[0] == _NO_SPAN:
                break
            start, stop = spans[group]
            out.append((start, stop))
            # ``re`` resumes at the end of the reported match; a leading edge is the character
            # before the next match, which may be this match's last one.
            pos = _char_start(data, stop - 1) if back else stop
            if pos == 0:
                match = self.after_start.Match  # type: ignore[attr-defined]
        return out


def _compile(source: str) -> object:
    compiled = _re2.RE2(source.encode(), _options())
    if not compiled.ok():
        raise UnsupportedPattern(f"the linear engine cannot compile it: {compiled.error()}")
    return compiled


def _char_start(data: bytes, index: int) -> int:
    while index > 0 and 0x80 <= data[index] < 0xC0:
        index -= 1
    return index


@dataclass(frozen=True, slots=True)
class RegexRule:
    policy: int
    pattern: str
    linear: LinearRule | None
    backtracking: BacktrackingPattern | None = None
    validator: Callable[[str], bool] | None = None


@dataclass(frozen=True, slots=True)
class RegexHit:
    policy: int
    pattern: str
    start: int
    end: int
    timed_out: bool = False


def compile_rule(
    policy: int,
    pattern: str,
    case_sensitive: bool,
    *,
    engine: RegexEngine = RegexEngine.LINEAR,
    timeout_ms: int = 0,
    validator: Callable[[str], bool] | None = None,
) -> RegexRule:
    """Compile one pattern; raises ``ValueError`` with a reason authors can act on."""
    check_pattern(pattern, case_sensitive)
    if engine is RegexEngine.BACKTRACKING:
        return RegexRule(
            policy, pattern, None, BacktrackingPattern.compile(pattern, case_sensitive, timeout_ms), validator
        )
    return RegexRule(policy, pattern, LinearRule.compile(pattern, case_sensitive), None, validator)


def check_pattern(pattern: str, case_sensitive: bool) -> None:
    """Problems every engine shares: syntax, and matching the empty string."""
    try:
        compiled = re.compile(pattern, 0 if case_sensitive else re.IGNORECASE)
    except re.error as e:
        raise ValueError(f"bad regex {pattern!r}: {e.msg}") from None
    if compiled.match("") is not None or _can_be_empty(pattern):
        raise ValueError(f"regex {pattern!r} matches the empty string")


def _can_be_empty(pattern: str) -> bool:
    return bool(sre_p.parse(pattern).getwidth()[0] == 0)


def linear_problem(pattern: str, case_sensitive: bool) -> str | None:
    """Why the linear engine refuses ``pattern`` (``None`` when it runs it)."""
    try:
        LinearRule.compile(pattern, case_sensitive)
    except UnsupportedPattern as e:
        return str(e)
    return None


class RegexMatcher:
    def __init__(self, options: NormalizeOptions, rules: Iterable[RegexRule]) -> None:
        self.options = options
        self._normalizer = normalizer(options)
        self.rules = tuple(rules)
        self._linear = tuple(r for r in self.rules if r.linear is not None)
        self._backtracking = tuple(r for r in self.rules if r.backtracking is not None)
        self._set = _combine(self._linear)

    def scan(self, text: str, policies: frozenset[int] | None = None) -> list[RegexHit]:
        if not self.rules or not text:
            return []
        return self.scan_normalized(self._normalizer.normalize(text), policies)

    def scan_normalized(self, norm: Normalized, policies: frozenset[int] | None = None) -> list[RegexHit]:
        """Matches in a text already normalized under this matcher's options."""
        scanned = norm.text
        hits: list[RegexHit] = []
        if self._linear:
            data = _utf8(scanned)
            matched = self._set.Match(data) if self._set is not None else range(len(self._linear))
            if matched:
                ascii_only = len(data) == len(scanned)
                for index in sorted(matched):
                    rule = self._linear[index]
                    if policies is not None and rule.policy not in policies:
                        continue
                    assert rule.linear is not None
                    spans = rule.linear.spans(data)
                    chars = spans if ascii_only else _char_spans(data, spans)
                    self._add(hits, norm, rule, chars)
        for rule in self._backtracking:
            if policies is not None and rule.policy not in policies:
                continue
            assert rule.backtracking is not None
            spans, timed_out = rule.backtracking.spans(scanned)
            if timed_out:
                hits.append(RegexHit(rule.policy, rule.pattern, *norm.original_span(0, len(scanned)), True))
                continue
            self._add(hits, norm, rule, spans)
        if len(hits) > 1:
            hits.sort(key=lambda h: (h.start, h.end, h.policy))
        return hits

    @staticmethod
    def _add(hits: list[RegexHit], norm: Normalized, rule: RegexRule, spans: list[tuple[int, int]]) -> None:
        scanned = norm.text
        for start, end in spans:
            if end <= start or (rule.validator is not None and not rule.validator(scanned[start:end])):
                continue
            ostart, oend = norm.original_span(start, end)
            hits.append(RegexHit(rule.policy, rule.pattern, ostart, oend))


def _combine(rules: tuple[RegexRule, ...]) -> Any:
    """One ``RE2::Set`` of the rules (``None`` if it would exceed RE2's memory budget: then each
    pattern is run on its own, slower but the same matches)."""
    if not rules:
        return None
    found = _re2.Set(_UNANCHORED, _options())
    for rule in rules:
        assert rule.linear is not None
        if found.Add(rule.linear.pattern.source.encode()) < 0:
            return None
    return found if found.Compile() else None


def _utf8(text: str) -> bytes:
    try:
        return text.encode()
    except UnicodeEncodeError:
        # Lone surrogates (only without the fold, which replaces them) cannot be UTF-8: RE2 sees
        # U+FFFD in their place, one character for one.
        return _SURROGATE.sub("\ufffd", text).encode()


def _char_spans(data: bytes, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    last_byte = last_char = 0
    to_chars = _re2.BytesToCharLen
    for start, end in spans:
        # Spans come in order, but a leading edge can make one start before the previous ended.
        if start < last_byte:
            last_byte = last_char = 0
        cstart = last_char + to_chars(data, last_byte, start)
        cend = cstart + to_chars(data, start, end)
        out.append((cstart, cend))
        last_byte, last_char = end, cend
    return out
