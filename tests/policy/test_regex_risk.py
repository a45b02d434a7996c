import re

import pytest

from proxy.policy.regex_risk import Risk, backtracking_risks


def _worst(pattern: str) -> Risk | None:
    return max((r.risk for r in backtracking_risks(pattern)), default=None)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        # the textbook catastrophes
        (r"(a+)+$", Risk.ERROR),
        (r"(a*)*b", Risk.ERROR),
        (r"(\w+\s?)*$", Risk.ERROR),
        (r"(x+|y)+z", Risk.ERROR),
        (r"(\w+|\d+)+!", Risk.ERROR),
        (r"^x{1,3}(?:y+)+$", Risk.ERROR),
        # ambiguous, usually polynomial rather than exponential
        (r"(\w+\w)+", Risk.WARNING),
        (r"(.*,)*x", Risk.WARNING),
        (r"(a|aa)+$", Risk.WARNING),
        (r"(.*a|b)+", Risk.WARNING),
        # safe: iterations are separated by something the inner repeat cannot eat
        (r"(\w+\s)+", None),
        (r"(ab+)+", None),
        (r"(?:foo|bar)+", None),
        (r"(?:colou?r)+", None),
        (r"\b\d{3}-\d{4}\b", None),
        (r"[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}", None),
        (r"(\w|\d)+", None),  # single-character alternatives compile to one character class
        (r"(?>a+)+", None),  # atomic groups never backtrack
        (r"(?i)(?:ignore|disregard) (?:all )?previous instructions", None),
    ],
)
def test_backtracking_risk(pattern: str, expected: Risk | None) -> None:
    re.compile(pattern)
    assert _worst(pattern) == expected


def test_case_insensitive_overlap_is_seen() -> None:
    assert _worst(r"(?i)(?:A+a)+") == Risk.WARNING
    assert _worst(r"(?:A+a)+") is None


def test_invalid_pattern_is_left_to_the_loader() -> None:
    assert backtracking_risks("(unclosed") == ()
