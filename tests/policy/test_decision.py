from dataclasses import replace

import pytest

from proxy.policy.decision import (
    Action,
    Decision,
    Finding,
    Phase,
    PolicyMessage,
    RuleKind,
    apply_redactions,
    enforced_action,
    policy_message,
    sealed,
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


def test_a_policy_message_travels_with_its_finding_through_json() -> None:
    help_text = PolicyMessage("Call 988.", "请拨打 400-161-9995。")
    finding = replace(_finding(0, 3), action=Action.FLAG, message=help_text)
    decision = Decision(Action.FLAG, (finding,), "rev1")
    assert Decision.from_json(decision.to_json()) == decision
    assert policy_message(decision.findings, Action.FLAG) == help_text
    assert policy_message(decision.findings, Action.BLOCK) is None
    assert policy_message([replace(finding, shadow=True)], Action.FLAG) is None
    assert (help_text.for_language(chinese=True), help_text.for_language(chinese=False)) == (
        "请拨打 400-161-9995。", "Call 988.",
    )  # fmt: skip


def test_a_sealed_verdict_refuses_what_it_would_have_rewritten() -> None:
    redact = Decision(Action.REDACT, (_finding(0, 2), _finding(3, 4, Action.FLAG)), "r1", "[X]t x", ("c",))
    out = sealed(redact)
    assert out.action is Action.BLOCK
    assert out.redacted is None
    assert [f.action for f in out.findings] == [Action.BLOCK, Action.FLAG]
    assert (out.revision, out.bypassed) == ("r1", ("c",))
    assert [f.replacement for f in out.findings] == ["[X]", "[X]"], "otherwise the same findings"


def test_a_sealed_pseudonymization_refuses_too() -> None:
    decision = Decision(Action.PSEUDONYMIZE, (_finding(0, 2, Action.PSEUDONYMIZE),), "r1")
    assert sealed(decision).action is Action.BLOCK


@pytest.mark.parametrize("action", [Action.ALLOW, Action.FLAG, Action.BLOCK])
def test_a_verdict_that_rewrites_nothing_is_sealed_as_it_is(action: Action) -> None:
    findings = () if action is Action.ALLOW else (_finding(0, 1, action), _finding(2, 3, shadow=True))
    decision = Decision(action, findings, "r1")
    assert sealed(decision) is decision


def test_a_shadow_rewrite_stays_a_shadow() -> None:
    decision = Decision(Action.REDACT, (_finding(0, 1), _finding(2, 3, shadow=True)), "r1", "[X]bcd")
    assert [(f.action, f.shadow) for f in sealed(decision).findings] == [
        (Action.BLOCK, False),
        (Action.REDACT, True),
    ]
