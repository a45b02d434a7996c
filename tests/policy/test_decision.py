import pytest

from proxy.policy.decision import (
    Action,
    Decision,
    Finding,
    Phase,
    RuleKind,
    apply_redactions,
    enforced_action,
)


def _finding(start: int, end: int, action: Action = Action.REDACT, *, shadow: bool = False) -> Finding:
    return Finding(
        "p", "pii", action, Phase.PROMPT, RuleKind.REGEX, start, end, "x", shadow=shadow, replacement="[X]"
    )


def test_actions_are_ordered_by_severity() -> None:
    assert Action.ALLOW < Action.FLAG < Action.REDACT < Action.BLOCK
    assert Action.from_label("Block") is Action.BLOCK
    with pytest.raises(ValueError, match="unknown action"):
        Action.from_label("deny")


def test_shadow_findings_are_not_enforced() -> None:
    assert (
        enforced_action([_finding(0, 1, Action.BLOCK, shadow=True), _finding(0, 1, Action.FLAG)])
        is Action.FLAG
    )


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        ([(0, 2)], "[X]cdef"),
        ([(2, 4), (0, 1)], "[X]b[X]ef"),
        ([(1, 4), (2, 5)], "a[X]f"),
        ([(0, 6)], "[X]"),
        ([], "abcdef"),
    ],
)
def test_apply_redactions(spans: list[tuple[int, int]], expected: str) -> None:
    assert apply_redactions("abcdef", [_finding(s, e) for s, e in spans]) == expected


def test_decision_round_trips_through_json() -> None:
    decision = Decision(Action.REDACT, (_finding(1, 3),), "rev1", "a[X]def", ("classifier:x",))
    assert Decision.from_json(decision.to_json()) == decision
