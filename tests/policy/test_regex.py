import re
from pathlib import Path

import pytest

from proxy.policy.decision import Action, Phase
from proxy.policy.loader import load_policy_set
from proxy.policy.normalize import REGEX_DEFAULTS
from proxy.policy.regex import RegexHit, RegexMatcher, RegexRule, compile_rule
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


def test_a_backtracking_scan_that_runs_out_of_time_covers_the_whole_text() -> None:
    slow = compile_rule(0, r"(x+x+)+y", True, engine=RegexEngine.BACKTRACKING, timeout_ms=5)
    quick = compile_rule(1, r"x", True)
    text = "ｘ" + "x" * 5000  # the full-width x folds: the span is the original text's
    hits = RegexMatcher(REGEX_DEFAULTS, [slow, quick]).scan(text)
    timed_out = [h for h in hits if h.timed_out]
    assert [(h.policy, h.start, h.end) for h in timed_out] == [(0, 0, len(text))]
    assert sum(1 for h in hits if h.policy == 1) == len(text)
    assert RegexMatcher(REGEX_DEFAULTS, [slow]).scan("xxy") == [RegexHit(0, r"(x+x+)+y", 0, 3)]


def test_a_timed_out_pattern_applies_its_policy_to_the_whole_text(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "policies:\n  - id: slow\n    category: c\n    action: block\n"
        "    regex: ['(x+x+)+y']\n    regex_engine: backtracking\n    regex_timeout_ms: 5\n"
    )
    text = "x" * 5000
    decision = load_policy_set(tmp_path).evaluate(text, Phase.PROMPT)
    assert decision.action is Action.BLOCK
    assert [(f.start, f.end, f.matched) for f in decision.findings] == [
        (0, len(text), "(x+x+)+y (timed out)")
    ]
