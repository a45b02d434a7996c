"""Fuzzing the normalizer on any Unicode (astral, surrogates, long invisible runs): it never raises,
its fast paths equal its reference, and every offset maps back inside the original text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy.policy.decision import Phase
from proxy.policy.normalize import KEYWORD_DEFAULTS, REGEX_DEFAULTS, NormalizeOptions, normalizer
from tests.fuzz.corpus import FUZZ, corpus
from tests.fuzz.test_openai_chat import POLICIES

OPTIONS = st.builds(
    NormalizeOptions,
    width=st.booleans(),
    case=st.booleans(),
    format=st.booleans(),
    chinese=st.booleans(),
    homoglyphs=st.booleans(),
    leet=st.booleans(),
    separators=st.integers(0, 3),
)
HARD = ["\u0301", "\u200b", " ", ".", "b", "ｏ", "0", "炸", "彈", "\ud800", "😀"]
# Any code point, and runs of the characters the normalizer works hardest on.
TEXTS = st.one_of(
    st.text(max_size=60),
    st.lists(
        st.sampled_from(["\u0301", "\u200b", " ", ".", "b", "ｏ", "0", "炸", "彈", "\ud800", "😀"]),
        max_size=80,
    ).map("".join),
)


def check(text: str, options: NormalizeOptions) -> None:
    engine = normalizer(options)
    fast, full = engine.normalize(text), engine.reference(text)
    assert (fast.text, fast.context) == (full.text, full.context)
    for i in range(len(fast.text)):
        start, end = fast.original_span(i, i + 1)
        assert 0 <= start < end <= len(text)
    POLICIES.evaluate(text, Phase.PROMPT)  # and the engine built on it takes the text too


@FUZZ
@given(TEXTS, OPTIONS)
def test_any_text_any_options(text: str, options: NormalizeOptions) -> None:
    check(text, options)


@pytest.mark.parametrize("options", [KEYWORD_DEFAULTS, REGEX_DEFAULTS])
@pytest.mark.parametrize("raw", corpus("normalize"))
def test_corpus(raw: bytes, options: NormalizeOptions) -> None:
    text = raw.decode("utf-8", "surrogatepass")
    check(text, options)
    check(text * 50, options)
