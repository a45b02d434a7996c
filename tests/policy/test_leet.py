"""Leet folding from class bytes equals the character-by-character rule it replaced."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.policy.leet import has_leet_candidate, leet_classes, unleet, unleet_runs

_LEET = str.maketrans("0134578@$!|", "oieastbasii")


def _rule(text: str) -> str:
    """The rule, one character at a time: maximal leet runs judged by their neighbours."""
    out = []
    n = len(text)
    pos = 0
    for m in re.finditer(r"[0134578@$!|]+", text):
        start, end = m.span()
        run = m.group()
        left = start > 0 and text[start - 1].isalpha()
        right = end < n and text[end].isalpha()
        if left and right:
            fold = end - start <= 3
        elif not (left or right) or end - start > 2 or "!" in run or "|" in run:
            fold = False
        elif right:
            fold = (start == 0 or not text[start - 1].isalnum()) and text[end : end + 2].isalpha()
        else:
            fold = (end == n or not text[end].isalnum()) and start >= 2 and text[start - 2 : start].isalpha()
        if fold:
            out.append(text[pos:start] + run.translate(_LEET))
            pos = end
    return "".join(out) + text[pos:]


@given(text=st.text(alphabet="ab1034!|@$ .,炸é\u0663\U0001d41b\ud800", max_size=30))
@settings(max_examples=400, deadline=None)
def test_runs_found_by_class_bytes_fold_like_the_rule(text: str) -> None:
    assert unleet_runs(text) == _rule(text)
    assert unleet(text) == _rule(text)


def test_one_class_byte_per_character() -> None:
    text = "a炸\U0001d41b1\ud800!"
    assert leet_classes(text.encode("utf-8", "surrogatepass")) == bytes([2, 2, 2, 5, 2, 4])
    assert has_leet_candidate(leet_classes(b"b0mb")) and not has_leet_candidate(leet_classes(b"2024 a 1"))


def test_a_long_digit_run_is_linear() -> None:
    text = "a" + "1" * 200_000 + "b"
    assert unleet_runs(text) == text
