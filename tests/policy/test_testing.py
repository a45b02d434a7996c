from pathlib import Path

import pytest

from proxy.policy.decision import Action, Finding, Phase, RuleKind
from proxy.policy.testing import CaseResult, TestCase, discover, run_case, run_cases
from tests.fixtures.deciders import TableDecider


def _f(policy: str, action: Action, start: int, end: int, shadow: bool = False, repl: str = "") -> Finding:
    return Finding(policy, "cat", action, Phase.PROMPT, RuleKind.KEYWORD, start, end, "m", None, shadow, repl)


POLICY_WITH_TESTS = """\
id: weapons
rules: []
tests:
  - text: how to build a bomb
    expect: block
  - {text: nice weather, expect: allow, phase: response}
  - text: call 555-1234
    expect: redact
    policy: pii
    redacted: call [PHONE]
"""


def test_discovers_inline_and_sibling_cases_with_lines(tmp_path: Path) -> None:
    (tmp_path / "weapons.yaml").write_text(POLICY_WITH_TESTS)
    (tmp_path / "pii.yaml").write_text("id: pii\n")
    (tmp_path / "pii_test.yaml").write_text("- text: a\n  expect: flag\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.yml").write_text("tests:\n  - {text: b, expect: allow}\n")
    (tmp_path / "..data").mkdir()  # ConfigMap internals are never read twice
    (tmp_path / "..data" / "weapons.yaml").write_text(POLICY_WITH_TESTS)
    found = discover(tmp_path)
    assert found.problems == ()
    assert [(Path(c.file).name, c.line, c.text, c.expect) for c in found.cases] == [
        ("pii_test.yaml", 1, "a", Action.FLAG),
        ("x.yml", 2, "b", Action.ALLOW),
        ("weapons.yaml", 4, "how to build a bomb", Action.BLOCK),
        ("weapons.yaml", 6, "nice weather", Action.ALLOW),
        ("weapons.yaml", 7, "call 555-1234", Action.REDACT),
    ]
    assert found.cases[3].phase is Phase.RESPONSE
    assert found.cases[4].policy == "pii" and found.cases[4].redacted == "call [PHONE]"


def test_discover_single_file_includes_its_sibling(tmp_path: Path) -> None:
    (tmp_path / "pii.yaml").write_text("id: pii\ntests:\n  - {text: a, expect: flag}\n")
    (tmp_path / "pii_test.yaml").write_text("tests:\n  - {text: b, expect: block}\n")
    (tmp_path / "other.yaml").write_text("tests:\n  - {text: c, expect: block}\n")
    assert [c.text for c in discover(tmp_path / "pii.yaml").cases] == ["a", "b"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("tests: {text: a}\n", "must be a list"),
        ("tests:\n  - just a string\n", "must be a mapping"),
        ("tests:\n  - {text: a}\n", "'expect'"),
        ("tests:\n  - {text: a, expect: nuke}\n", "unknown action"),
        ("tests:\n  - {text: a, expect: block, phase: later}\n", "later"),
        ("tests:\n  - {text: a, expect: block, expected: allow}\n", "unknown case keys: expected"),
        ("tests:\n  - {text: 3, expect: block}\n", "'text' must be a string"),
        ("tests: [\n", "cannot read"),
    ],
)
def test_malformed_cases_are_problems_not_skips(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "p.yaml").write_text(body)
    found = discover(tmp_path)
    assert found.cases == ()
    assert len(found.problems) == 1 and message in found.problems[0].message
    assert found.problems[0].line >= 1


DECIDE = TableDecider(
    {
        "bomb": [_f("weapons", Action.BLOCK, 0, 4)],
        "call 555 now": [_f("pii", Action.REDACT, 5, 8, repl="[PHONE]"), _f("spam", Action.FLAG, 9, 12)],
        "new rule": [_f("trial", Action.BLOCK, 0, 3, shadow=True)],
    }
)
IDS = ("weapons", "pii", "spam", "trial")


def _case(text: str, expect: Action, policy: str | None = None, redacted: str | None = None) -> TestCase:
    return TestCase("f.yaml", 1, text, expect, Phase.PROMPT, policy, redacted)


@pytest.mark.parametrize(
    ("case", "passed", "actual"),
    [
        (_case("bomb", Action.BLOCK), True, Action.BLOCK),
        (_case("bomb", Action.ALLOW), False, Action.BLOCK),
        (_case("hello", Action.ALLOW), True, Action.ALLOW),
        (_case("call 555 now", Action.REDACT, redacted="call [PHONE] now"), True, Action.REDACT),
        (_case("call 555 now", Action.REDACT, redacted="call [NUMBER] now"), False, Action.REDACT),
        # focusing on one policy ignores the others' findings
        (_case("call 555 now", Action.FLAG, policy="spam"), True, Action.FLAG),
        (_case("bomb", Action.ALLOW, policy="pii"), True, Action.ALLOW),
        # a shadow policy is not enforced by the set, but its own cases judge it as if it were
        (_case("new rule", Action.ALLOW), True, Action.ALLOW),
        (_case("new rule", Action.BLOCK, policy="trial"), True, Action.BLOCK),
        (_case("bomb", Action.ALLOW, policy="nonexistent"), False, Action.ALLOW),
    ],
)
def test_run_case(case: TestCase, passed: bool, actual: Action) -> None:
    result = run_case(case, DECIDE, IDS)
    assert (result.passed, result.actual) == (passed, actual)


def test_failed_redaction_has_a_diff_and_names_the_deciding_finding() -> None:
    result = run_case(_case("call 555 now", Action.REDACT, redacted="call [NUMBER] now"), DECIDE, IDS)
    assert result.redacted == "call [PHONE] now"
    assert "- call [NUMBER] now" in result.redaction_diff()
    assert "+ call [PHONE] now" in result.redaction_diff()
    assert result.deciding is not None and result.deciding.policy_id == "pii"


def test_unknown_policy_is_reported() -> None:
    [result] = run_cases([_case("bomb", Action.ALLOW, policy="nope")], DECIDE, IDS)
    assert isinstance(result, CaseResult) and result.unknown_policy and not result.passed


def test_discover_follows_the_loader_into_included_packs_only(tmp_path: Path) -> None:
    (tmp_path / "packs" / "p").mkdir(parents=True)
    (tmp_path / "packs" / "p" / "x.yaml").write_text("tests:\n  - {text: in the pack, expect: allow}\n")
    (tmp_path / "a.yaml").write_text("tests:\n  - {text: default, expect: allow}\n")
    assert [c.text for c in discover(tmp_path).cases] == ["default"]
    (tmp_path / "enable.yaml").write_text("include: [packs/p]\n")
    assert [c.text for c in discover(tmp_path).cases] == ["default", "in the pack"]
