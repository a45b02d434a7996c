"""Python patterns on RE2: the same spans as ``re``'s ``finditer``, or a refusal that says why."""

from __future__ import annotations

import functools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.policy.regex import LinearRule, _char_spans, _utf8
from proxy.policy.regex_syntax import UnsupportedPattern, translate

PATTERNS = [
    r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}",
    r"[\w.+-]+@[\w-]+\.[\w.-]+",
    r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)",
    r"(?<![\w+])\+[1-9]\d{0,2}[ .-]?\(?\d{1,4}\)?(?:[ .-]?\d{2,4}){2,3}(?!\d)",
    r"(?<!\d)(?:\d[ -]?){11,18}\d(?!\d)",
    r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])",
    r"\bab\b",
    r"\b\d+",
    r"\W\b",
    r"ab|a",
    r"a.*?b",
    r"(?s)a.b",
    r"(?m)^a|b$",
    r"\Aa|b\Z",
    r"[^ab\s]+",
    r"(?i:k)s",
    r"(?a)\w+",
    r"炸弹|[一-龥]{2}",
    r"(?<=a)b",
    r"b(?=[ac])",
    r"İ|ß|ſ",
]
CATASTROPHIC = [r"(a+)+$", r"(\w+\s?)+$", r"(.*,)*x"]
"""Exponential on ``re`` for near misses: compared on short texts only."""
ALPHABET = "aAbBks+-.@_ 1236\n\tXx,()炸弹一二ＡßſİıK\u212a\u00e9\u0663"


@functools.cache
def _rule(pattern: str, case_sensitive: bool) -> LinearRule:
    return LinearRule.compile(pattern, case_sensitive)


def _re2_spans(rule: LinearRule, text: str) -> list[tuple[int, int]]:
    data = _utf8(text)
    return _char_spans(data, rule.spans(data))


def _re_spans(pattern: str, text: str, flags: int) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(pattern, text, flags) if m.end() > m.start()]


@pytest.mark.parametrize("case_sensitive", [True, False])
@pytest.mark.parametrize("pattern", PATTERNS)
@given(text=st.text(alphabet=ALPHABET, max_size=40))
@settings(max_examples=60, deadline=None)
def test_spans_equal_re_finditer(pattern: str, case_sensitive: bool, text: str) -> None:
    assert _re2_spans(_rule(pattern, case_sensitive), text) == _re_spans(
        pattern, text, 0 if case_sensitive else re.IGNORECASE
    )


@pytest.mark.parametrize("pattern", CATASTROPHIC)
@given(text=st.text(alphabet="aa, x\n炸", max_size=14))
@settings(max_examples=60, deadline=None)
def test_catastrophic_patterns_give_re_spans(pattern: str, text: str) -> None:
    assert _re2_spans(_rule(pattern, True), text) == _re_spans(pattern, text, 0)


def test_catastrophic_patterns_are_linear_on_re2() -> None:
    # ``re`` needs years for these; RE2 answers at once.
    assert _re2_spans(_rule(r"(a+)+$", True), "a" * 100_000 + "!") == []
    assert _re2_spans(_rule(r"(\w+\s?)+$", True), "ab " * 30_000 + "!") == []


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("jane@example.com, bob@b.org", [(0, 16), (18, 27)]),
        ("ｊａｎｅ@例子.中国 x", [(0, 10)]),  # Unicode \w, as in re
        ("a.b@c.d.", [(0, 8)]),
    ],
)
def test_naive_email_spans_are_character_offsets(text: str, spans: list[tuple[int, int]]) -> None:
    assert _re2_spans(LinearRule.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+", False), text) == spans


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"a(?=b)c", "look-around inside the pattern"),
        (r"(?<!ab)c", "look-around longer than one character"),
        (r"(?=a)b", "look-ahead at the start"),
        (r"a(?<=b)", "look-behind at the end"),
        (r"(a)\1", "back-reference"),
        (r"(?P<x>a)(?P=x)", "back-reference"),
        (r"(a)?(?(1)b|c)", "back-reference"),
        (r"a++", "possessive"),
        (r"(?>ab)", "atomic"),
        (r"a{1001}", "counted repeat above 1000"),
        (r"a\bb", "\\b or \\B inside the pattern"),
        (r"a$b", "'$' before the end"),
        (r"\b[a.]", "may or may not be word characters"),
    ],
)
def test_patterns_the_linear_engine_refuses(pattern: str, reason: str) -> None:
    with pytest.raises(UnsupportedPattern, match=re.escape(reason)):
        LinearRule.compile(pattern, True)


def test_edges_become_consumed_characters_around_a_group() -> None:
    translated = translate(r"(?<!\d)7(?!\d)")
    assert translated.lead is not None and translated.lead.consumes_before
    assert translated.trail is not None
    assert translated.source.startswith("(?:\\A|[^") and "(7)" in translated.source
    assert translate("x$").source == "(x)\\n?\\z"
