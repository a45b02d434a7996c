import re

import pytest

from proxy.policy.normalize import REGEX_DEFAULTS
from proxy.policy.regex import RegexMatcher, RegexRule, compile_rule
from proxy.policy.schema import RegexEngine
from proxy.policy.validators import luhn


def rule(  # type: ignore[no-untyped-def]
    policy: int, pattern: str, case_sensitive: bool = True, validator=None, engine=RegexEngine.LINEAR
) -> RegexRule:
    return compile_rule(policy, pattern, case_sensitive, engine=engine, validator=validator)


MATCHER = RegexMatcher(
    REGEX_DEFAULTS,
    [
        rule(0, r"(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.-]+"),
        rule(1, r"(?<!\d)(?:\d[ -]?){11,18}\d(?!\d)", validator=luhn),
        rule(2, r"secret", case_sensitive=False),
        rule(3, r"x@y"),  # overlaps an email: both are reported
    ],
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail bob@example.com", [(0, "bob@example.com")]),
        ("ｂｏｂ@example.com", [(0, "ｂｏｂ@example.com")]),  # full-width user part
        ("bob\u200b@example.com", [(0, "bob\u200b@example.com")]),  # zero-width inside
        ("card 4111 1111 1111 1111.", [(1, "4111 1111 1111 1111")]),
        ("card 4111 1111 1111 1112.", []),  # fails Luhn
        ("my SECRET", [(2, "SECRET")]),
        ("ax@y.org", [(0, "ax@y.org"), (3, "x@y")]),
        ("nothing here", []),
    ],
)
def test_regex_matches(text: str, expected: list[tuple[int, str]]) -> None:
    assert [(h.policy, text[h.start : h.end]) for h in MATCHER.scan(text)] == expected


@pytest.mark.parametrize(
    ("pattern", "message"),
    [("(unclosed", "bad regex"), ("a*", "matches the empty string"), ("[z-a]", "bad regex")],
)
def test_bad_patterns(pattern: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compile_rule(0, pattern, True)


def test_back_references_run_on_the_backtracking_engine() -> None:
    backtracking = RegexEngine.BACKTRACKING
    matcher = RegexMatcher(
        REGEX_DEFAULTS,
        [rule(0, r"(a)\1", engine=backtracking), rule(1, r"(?P<x>b)(?P=x)", engine=backtracking)],
    )
    assert [h.policy for h in matcher.scan("aa bb")] == [0, 1]
    assert re.compile(r"(a)\1").search("aa")
