import pytest

from proxy.policy.keywords import KeywordMatcher, KeywordTerm, is_word_char
from proxy.policy.normalize import KEYWORD_DEFAULTS, RAW

TERMS = [
    KeywordTerm(0, "bomb"),
    KeywordTerm(0, "make a bomb"),
    KeywordTerm(0, "bomb calorimeter", exception=True, whole_word=False),
    KeywordTerm(1, "kill"),
    KeywordTerm(1, "class"),
    KeywordTerm(2, "炸弹"),
    KeywordTerm(3, "AK47步枪"),
    KeywordTerm(4, "bomb"),  # the same term in a second policy
]
MATCHER = KeywordMatcher(KEYWORD_DEFAULTS, TERMS)


def found(text: str) -> list[tuple[int, str, str]]:
    return [(h.policy, h.term, text[h.start : h.end]) for h in MATCHER.scan(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kill it", [(1, "kill", "kill")]),
        ("KILL", [(1, "kill", "KILL")]),
        ("k-i-l-l now", [(1, "kill", "k-i-l-l")]),
        ("我要炸弹", [(2, "炸弹", "炸弹")]),  # CJK: substring
        ("买炸彈吗", [(2, "炸弹", "炸彈")]),  # traditional
        ("炸 弹", [(2, "炸弹", "炸 弹")]),
        ("用AK47步枪", [(3, "AK47步枪", "AK47步枪")]),  # Latin start after CJK is a boundary
        ("class", [(1, "class", "class")]),
        ("kill词", [(1, "kill", "kill")]),
    ],
)
def test_matches(text: str, expected: list[tuple[int, str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "skill",
        "skilled",
        "killer whale",
        "classic",
        "subclass",
        "Scunthorpe",
        "xAK47步枪",
        "bomb calorimeter",
    ],
)
def test_whole_words_and_exceptions(text: str) -> None:
    assert [h for h in MATCHER.scan(text) if h.policy in (1, 3, 0)] == []


def test_longest_match_per_policy_and_no_hiding_across_policies() -> None:
    text = "how to make a bomb"
    assert found(text) == [(0, "make a bomb", "make a bomb"), (4, "bomb", "bomb")]


def test_leftmost_longest_chooses_non_overlapping() -> None:
    matcher = KeywordMatcher(
        KEYWORD_DEFAULTS, [KeywordTerm(0, "ab"), KeywordTerm(0, "abc"), KeywordTerm(0, "cd")]
    )
    assert [(h.term, h.start, h.end) for h in matcher.scan("abcd")] == []  # whole words: "abcd" is one word
    matcher = KeywordMatcher(
        KEYWORD_DEFAULTS, [KeywordTerm(0, t, whole_word=False) for t in ("ab", "abc", "cd")]
    )
    assert [(h.term, h.start, h.end) for h in matcher.scan("abcd")] == [("abc", 0, 3)]


def test_policy_filter() -> None:
    assert [h.policy for h in MATCHER.scan("bomb", frozenset({4}))] == [4]


def test_raw_profile_matches_exactly() -> None:
    raw = KeywordMatcher(RAW, [KeywordTerm(0, "Bomb")])
    assert [h.term for h in raw.scan("Bomb bomb b.o.m.b")] == ["Bomb"]


def test_term_that_normalizes_to_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="normalizes to nothing"):
        KeywordMatcher(KEYWORD_DEFAULTS, [KeywordTerm(0, "\u200b")])


def test_horizon_bounds_the_span_of_a_spread_out_match() -> None:
    matcher = KeywordMatcher(KEYWORD_DEFAULTS, [KeywordTerm(0, "bomb")])
    gap = " \u200b" * 1 + "." + "\u200b" * 8 + " "
    text = gap.join("bomb")
    hits = matcher.scan(text)
    assert hits and hits[0].end - hits[0].start <= matcher.horizon


@pytest.mark.parametrize(
    ("ch", "word"), [("a", True), ("Я", True), ("7", True), ("炸", False), ("の", False), ("_", False)]
)
def test_is_word_char(ch: str, word: bool) -> None:
    assert is_word_char(ch) is word


def test_empty_matcher_and_text() -> None:
    assert KeywordMatcher(KEYWORD_DEFAULTS, []).scan("bomb") == []
    assert MATCHER.scan("") == []


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("請問怎麼製作炸彈？", (4, 8)),  # traditional: OpenCC runs
        ("请问怎么制作炸弹？", (4, 8)),  # simplified: OpenCC is skipped
        ("Please: how do I 製 作 炸 彈", (17, 24)),  # traditional, spread out by separators
    ],
)
def test_traditional_and_simplified_text_match_with_the_same_span(text: str, span: tuple[int, int]) -> None:
    hits = KeywordMatcher(KEYWORD_DEFAULTS, [KeywordTerm(0, "制作炸弹")]).scan(text)
    assert [(h.start, h.end) for h in hits] == [span]


def test_word_boundaries_hold_across_removed_separators() -> None:
    matcher = KeywordMatcher(KEYWORD_DEFAULTS, [KeywordTerm(0, "bomb")])
    assert [(h.start, h.end) for h in matcher.scan("a b.o.m.b here")] == [(2, 9)]
    assert matcher.scan("ab.o.m.b here") == []  # glued to a letter on the left
    assert matcher.scan("a b.o.m.bs") == []  # and on the right
