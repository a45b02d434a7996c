import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.policy.leet import unleet
from proxy.policy.normalize import (
    KEYWORD_DEFAULTS,
    MAX_IGNORABLE_RUN,
    RAW,
    REGEX_DEFAULTS,
    NormalizeOptions,
    normalizer,
)
from proxy.policy.offsets import EditMap

FULL = normalizer(KEYWORD_DEFAULTS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ｂｏｍｂ", "bomb"),  # full-width
        ("BOMB", "bomb"),
        ("ⓑⓞⓜⓑ", "bomb"),  # circled
        ("𝐛𝐨𝐦𝐛", "bomb"),  # mathematical bold (outside the BMP)
        ("🅱🅾🅼🅱", "bomb"),  # negative squared letters
        ("b\u200bo\u200cm\u200db\ufeff", "bomb"),  # zero-width characters
        ("b\U000e0041omb", "bomb"),  # tag characters
        ("bоmb", "bomb"),  # Cyrillic о
        ("βοmβ", "bomb"),  # Greek
        ("bómb", "bomb"),  # precomposed accent
        ("bo\u0301mb", "bomb"),  # combining accent
        ("b0mb", "bomb"),  # leetspeak inside a word
        ("k1ll", "kill"),
        ("b.o.m.b", "bomb"),  # separators
        ("b o m b", "bomb"),
        ("b_o_m_b", "bomb"),
        ("炸 弹", "炸弹"),
        ("炸*弹", "炸弹"),
        ("炸😀弹", "炸弹"),
        ("製作炸彈", "制作炸弹"),  # traditional → simplified
        ("Straße", "strasse"),
        ("İ", "i"),
    ],
)
def test_evasions_fold_to_the_plain_term(text: str, expected: str) -> None:
    assert FULL.normalize(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a1 b2", "a1b2"),  # a digit after a single letter stays
        ("in 2024", "in2024"),
        ("4 KB", "4kb"),
        ("wow!", "wow!"),  # '!' is only a letter inside a word
        ("k!ll", "kill"),
        ("b    o", "b\uffffo"),  # a long separator run is a barrier
        ("炸，弹", "炸，弹"),  # clause punctuation is never skipped
        ("a\nb", "a\nb"),
    ],
)
def test_folds_that_must_not_happen(text: str, expected: str) -> None:
    assert FULL.normalize(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("b0mb", "bomb"), ("h3ll0", "hello"), ("2024", "2024"), ("mp3", "mpe"), ("a1", "a1"), ("$ex", "sex")],
)
def test_unleet(text: str, expected: str) -> None:
    assert unleet(text) == expected


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("say ＢＯＭＢ now", "bomb"),
        ("x Straße y", "strasse"),
        ("go b\u200b.\u200bo.m.b!", "bomb"),
        ("這是製作炸彈", "制作炸弹"),
        ("🙂🙂 𝐛𝐨𝐦𝐛", "bomb"),
        ("\ud800 bomb", "bomb"),  # lone surrogate
    ],
)
def test_spans_map_back_to_the_original(text: str, needle: str) -> None:
    norm = FULL.normalize(text)
    start = norm.text.index(needle)
    ostart, oend = norm.original_span(start, start + len(needle))
    assert FULL.normalize(text[ostart:oend]).text == needle
    assert FULL.normalize(text[:ostart]).text + needle + FULL.normalize(text[oend:]).text != ""


def test_long_invisible_run_is_a_barrier() -> None:
    assert FULL.normalize("b" + "\u200b" * MAX_IGNORABLE_RUN + "omb").text == "bomb"
    assert FULL.normalize("b" + "\u200b" * (MAX_IGNORABLE_RUN + 1) + "omb").text != "bomb"


@pytest.mark.parametrize("options", [KEYWORD_DEFAULTS, REGEX_DEFAULTS, RAW], ids=["keyword", "regex", "raw"])
def test_lone_surrogates_are_replaced_in_every_profile(options: NormalizeOptions) -> None:
    assert "\ud800" not in normalizer(options).normalize("a\ud800b").text


def test_regex_profile_keeps_case_and_separators() -> None:
    assert normalizer(REGEX_DEFAULTS).normalize("Ｍail: A.B\u200b@x.com").text == "Mail: A.B@x.com"


def test_empty_text() -> None:
    assert FULL.normalize("").text == ""


def test_edit_map() -> None:
    # "aßb" → "assb": 'ß' (1 char at 1) became 2; "x\u200by" → "xy": deletion at 1.
    assert [EditMap([(1, 1, 2)]).src(i) for i in range(4)] == [0, 1, 1, 2]
    assert [EditMap([(1, 1, 0)]).src(i) for i in range(2)] == [0, 2]


def test_separator_bound_is_validated() -> None:
    with pytest.raises(ValueError, match="separators"):
        NormalizeOptions(separators=9)


# Characters that exercise each shortcut: ASCII and non-ASCII case, leet next to letters and
# digits, ASCII and non-ASCII separators (long runs too), traditional characters and phrases,
# folds that change lengths, invisible characters, astral characters, lone surrogates.
_ALPHABET = (
    "aAbkZ0134@$!|?.,-_ \n\t" + "炸彈弹深沈回覆請请" + "ＡＢ１" + "éß\u0130" + "\u200b\u0301" + "оОα"
    + "，。“”（" + "😀𝐛" + "\ud800"
)  # fmt: skip
_PROFILES = [
    KEYWORD_DEFAULTS,
    NormalizeOptions(separators=0),
    NormalizeOptions(separators=1),
    NormalizeOptions(case=False),
    NormalizeOptions(leet=False, chinese=False),
    REGEX_DEFAULTS,
    RAW,
]


@pytest.mark.parametrize("options", _PROFILES)
@given(text=st.text(alphabet=_ALPHABET, max_size=30))
@settings(max_examples=150, deadline=None)
def test_shortcuts_give_what_every_step_gives(options: NormalizeOptions, text: str) -> None:
    fast, full = normalizer(options).normalize(text), normalizer(options).reference(text)
    assert (fast.text, fast.context) == (full.text, full.context)
    for i in range(len(fast.text)):
        assert fast.original_span(i, i + 1) == full.original_span(i, i + 1)
        if i:
            assert fast.gap_before(i) == full.gap_before(i)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("請檢查配置文件 and the 製作炸彈 guide", "请检查配置文件andthe制作炸弹guide"),
        ("意志消沈", "意志消沉"),
        ("plain English, simplified 中文", "plainenglish,simplified中文"),
        ("Ｂ.Ｏ.Ｍ.Ｂ 炸 彈", "bomb炸弹"),
    ],
)
def test_traditional_text_still_converts_on_every_path(text: str, expected: str) -> None:
    assert FULL.normalize(text).text == expected
