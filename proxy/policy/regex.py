"""Regex matching: all patterns of a normalization profile share one prefilter pass.

Most texts match no pattern, so one combined alternation decides that in a
single scan; only texts it matches are scanned pattern by pattern (which keeps
overlapping matches of different policies and exact per-pattern semantics).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from proxy.policy.normalize import NormalizeOptions, normalizer

_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")


@dataclass(frozen=True, slots=True)
class RegexRule:
    policy: int
    pattern: str
    compiled: re.Pattern[str]
    validator: Callable[[str], bool] | None = None


@dataclass(frozen=True, slots=True)
class RegexHit:
    policy: int
    pattern: str
    start: int
    end: int


def compile_rule(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    """Compile one pattern; raises ``ValueError`` with a reason authors can act on."""
    try:
        compiled = re.compile(pattern, 0 if case_sensitive else re.IGNORECASE)
    except re.error as e:
        raise ValueError(f"bad regex {pattern!r}: {e.msg}") from None
    if compiled.match("") is not None:
        raise ValueError(f"regex {pattern!r} matches the empty string")
    return compiled


class RegexMatcher:
    def __init__(self, options: NormalizeOptions, rules: Iterable[RegexRule]) -> None:
        self.options = options
        self._normalizer = normalizer(options)
        self.rules = tuple(rules)
        self._prefilter = _combine(self.rules)

    def scan(self, text: str, policies: frozenset[int] | None = None) -> list[RegexHit]:
        if not self.rules or not text:
            return []
        norm = self._normalizer.normalize(text)
        scanned = norm.text
        if self._prefilter is not None and self._prefilter.search(scanned) is None:
            return []
        hits: list[RegexHit] = []
        for rule in self.rules:
            if policies is not None and rule.policy not in policies:
                continue
            for m in rule.compiled.finditer(scanned):
                if m.end() == m.start() or (rule.validator is not None and not rule.validator(m.group())):
                    continue
                start, end = norm.original_span(m.start(), m.end())
                hits.append(RegexHit(rule.policy, rule.pattern, start, end))
        hits.sort(key=lambda h: (h.start, h.end, h.policy))
        return hits


def _combine(rules: tuple[RegexRule, ...]) -> re.Pattern[str] | None:
    """One alternation of every pattern, or ``None`` when they cannot be combined faithfully."""
    if len(rules) < 2 or any(_BACKREFERENCE.search(r.pattern) for r in rules):
        return None
    parts = []
    for rule in rules:
        flags = "" if not rule.compiled.flags & re.IGNORECASE else "i"
        parts.append(f"(?{flags}:{rule.pattern})" if flags else f"(?:{rule.pattern})")
    try:
        return re.compile("|".join(parts))
    except re.error:
        return None  # e.g. global inline flags or clashing group names
