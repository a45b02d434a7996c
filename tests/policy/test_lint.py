import pytest

from proxy.policy.lint import (
    KeywordEntry,
    LintIssue,
    RegexEntry,
    Severity,
    has_errors,
    lint_keywords,
    lint_regexes,
    sort_issues,
)
from proxy.policy.normalize import KEYWORD_DEFAULTS, normalizer

NORMALIZE = normalizer(KEYWORD_DEFAULTS).term


def _kw(term: str, line: int, policy: str = "p", exception: bool = False) -> KeywordEntry:
    return KeywordEntry(policy, term, f"{policy}.yaml", line, exception)


def _messages(issues: list[LintIssue]) -> list[tuple[int | None, Severity, str]]:
    return [(i.line, i.severity, i.message) for i in issues]


@pytest.mark.parametrize(
    ("term", "severity", "fragment"),
    [
        ("...", Severity.ERROR, "normalizes to the empty string"),
        ("\u200b\u200b", Severity.ERROR, "normalizes to the empty string"),
        ("The", Severity.WARNING, "very common word"),
        ("Ｔｈｅ", Severity.WARNING, "very common word"),  # full-width folds to 'the'
        ("的", Severity.WARNING, "very common word"),
    ],
)
def test_single_keyword_checks(term: str, severity: Severity, fragment: str) -> None:
    [issue] = lint_keywords([_kw(term, 3)], NORMALIZE)
    assert issue.severity is severity and fragment in issue.message and issue.line == 3


def test_ordinary_keywords_are_clean() -> None:
    assert lint_keywords([_kw("pipe bomb", 1), _kw("nerve agent", 2)], NORMALIZE) == []


def test_duplicates_after_normalization_within_and_across_policies() -> None:
    issues = lint_keywords(
        [_kw("pipe bomb", 1), _kw("PIPE-BOMB", 2), _kw("p1pe bomb", 5, policy="q")], NORMALIZE
    )
    assert _messages(issues) == [
        (2, Severity.WARNING, "'PIPE-BOMB' duplicates p.yaml:1"),
        (5, Severity.WARNING, "'p1pe bomb' is also listed in policy 'p' (p.yaml:1)"),
    ]


def test_keyword_shadowed_by_an_exception_of_its_policy() -> None:
    entries = [
        _kw("bomb", 1),
        _kw("bath bomb", 2),
        _kw("BATH-BOMB", 9, exception=True),
        _kw("grenade", 3, policy="q"),  # another policy's exception does not apply
    ]
    issues = lint_keywords(entries, NORMALIZE)
    assert _messages(issues) == [
        (2, Severity.WARNING, "'bath bomb' can never fire: exception 'BATH-BOMB' (p.yaml:9) covers it")
    ]


def test_shadowing_rule_is_pluggable() -> None:
    entries = [_kw("bath bomb recipe", 1), _kw("bath bomb", 9, exception=True)]
    # a longer keyword still fires where the exception does not surround it
    assert lint_keywords(entries, NORMALIZE) == []
    assert len(lint_keywords(entries, NORMALIZE, shadows=lambda k, e: e in k)) == 1


def test_patterns_on_the_linear_engine_raise_no_backtracking_issue() -> None:
    assert lint_regexes([RegexEntry("p", r"(a+)+$", "p.yaml", 4), RegexEntry("p", r"\d+", "p.yaml", 6)]) == []


def test_backtracking_opt_in_and_its_risks_are_warnings() -> None:
    issues = lint_regexes(
        [
            RegexEntry("p", r"(a+)+$", "p.yaml", 4, backtracking_ms=50),
            RegexEntry("p", r"(.*,)*x", "p.yaml", 5, backtracking_ms=50),
            RegexEntry("p", r"(\d+)\1", "p.yaml", 6, backtracking_ms=20),
        ]
    )
    assert [(i.line, i.severity) for i in issues] == [(4, Severity.WARNING)] * 2 + [
        (5, Severity.WARNING)
    ] * 2 + [(6, Severity.WARNING)]
    assert "backtracking engine" in issues[0].message and "50 ms" in issues[0].message
    assert "catastrophic backtracking" in issues[1].message
    assert "20 ms" in issues[4].message
    assert not has_errors(issues)


def test_issue_text_and_order() -> None:
    issues = [
        LintIssue("b.yaml", 1, Severity.WARNING, "w"),
        LintIssue("a.yaml", 7, Severity.WARNING, "w2", "p"),
        LintIssue("a.yaml", 7, Severity.ERROR, "e", "p"),
    ]
    assert [str(i) for i in sort_issues(issues)] == [
        "a.yaml:7: error: [p] e",
        "a.yaml:7: warning: [p] w2",
        "b.yaml:1: warning: w",
    ]


def test_a_shared_list_or_a_second_category_is_not_a_duplicate() -> None:
    shared = KeywordEntry("q", "pipe bomb", "lists/w.txt", 1)
    other = KeywordEntry("t", "p1pe bomb", "t.yaml", 3, category="tc260-a1-06")
    entries = [KeywordEntry("p", "pipe bomb", "lists/w.txt", 1), shared, other]
    assert lint_keywords(entries, NORMALIZE) == []
