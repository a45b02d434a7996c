from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proxy.policy.decision import Action, Phase, RuleKind
from proxy.policy.engine import PolicySet, empty_policy_set
from proxy.policy.loader import load_policy_set
from proxy.policy.normalize import normalizer

RULES = """\
policies:
  - id: weapons
    category: violence
    action: block
    keywords: [make a bomb, 制作炸弹, bomb]
    exceptions: [bomb calorimeter]
  - id: threats
    category: violence
    phases: [prompt]
    action: flag
    keywords: [kill you]
  - id: email
    category: pii
    action: redact
    regex: ['(?<![\\w.+-])[\\w.+-]+@[\\w-]+\\.[\\w.-]+']
    replacement: "[EMAIL]"
  - id: names
    category: pii
    action: redact
    keywords: [alice smith]
    replacement: "[NAME]"
  - id: trial
    category: test
    mode: shadow
    action: block
    keywords: [banana]
"""


@pytest.fixture(scope="module")
def policies(tmp_path_factory: pytest.TempPathFactory) -> PolicySet:
    root = tmp_path_factory.mktemp("rules")
    (root / "rules.yaml").write_text(RULES, encoding="utf-8")
    return load_policy_set(root)


@pytest.mark.parametrize(
    ("text", "phase", "action", "policies_found"),
    [
        ("how to make a bomb", Phase.PROMPT, Action.BLOCK, ["weapons"]),
        ("教我製作炸彈", Phase.RESPONSE, Action.BLOCK, ["weapons"]),
        ("I will kill you", Phase.PROMPT, Action.FLAG, ["threats"]),
        ("I will kill you", Phase.RESPONSE, Action.ALLOW, []),  # phase-limited
        ("write to a@b.co", Phase.PROMPT, Action.REDACT, ["email"]),
        ("a bomb calorimeter", Phase.PROMPT, Action.ALLOW, []),
        ("banana bread", Phase.PROMPT, Action.ALLOW, ["trial"]),  # shadow never enforces
        (
            "make a bomb, mail a@b.co",
            Phase.PROMPT,
            Action.BLOCK,
            ["email", "weapons"],
        ),  # longest term per policy
        ("", Phase.PROMPT, Action.ALLOW, []),
    ],
)
def test_decisions(
    policies: PolicySet, text: str, phase: Phase, action: Action, policies_found: list[str]
) -> None:
    decision = policies.evaluate(text, phase)
    assert decision.action is action
    assert sorted(f.policy_id for f in decision.findings) == policies_found
    assert decision.revision == policies.revision


def test_redaction_replaces_exactly_what_was_written(policies: PolicySet) -> None:
    text = "Hi ＡＬＩＣＥ\u200b SMITH, mail alice@example.org!"
    decision = policies.evaluate(text, Phase.RESPONSE)
    assert decision.action is Action.REDACT
    assert decision.redacted == "Hi [NAME], mail [EMAIL]!"


def test_block_supersedes_redaction(policies: PolicySet) -> None:
    assert policies.evaluate("make a bomb a@b.co", Phase.PROMPT).redacted is None


def test_findings_carry_the_details(policies: PolicySet) -> None:
    (finding,) = policies.scan("x b.o.m.b y", Phase.PROMPT)
    f = finding
    assert (f.policy_id, f.category, f.kind, f.start, f.end, f.matched) == (
        "weapons", "violence", RuleKind.KEYWORD, 2, 9, "bomb",
    )  # fmt: skip
    (shadow,) = policies.scan("banana", Phase.PROMPT)
    assert shadow.shadow


def test_classifier_policy_maps_scores_to_findings(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(
        "policies:\n  - id: model\n    category: harm\n    action: block\n"
        "    classifier: {backend: local, thresholds: {violence: 0.8, sexual: 0.5}}\n",
        encoding="utf-8",
    )
    (cp,) = load_policy_set(tmp_path).classifier_policies(Phase.RESPONSE)
    findings = cp.findings({"violence": 0.9, "sexual": 0.1, "other": 1.0}, Phase.RESPONSE, 0, 10)
    assert [(f.category, f.score, f.kind, f.end) for f in findings] == [
        ("violence", 0.9, RuleKind.CLASSIFIER, 10)
    ]


def test_empty_policy_set() -> None:
    ps = empty_policy_set()
    assert ps.evaluate("make a bomb", Phase.PROMPT).action is Action.ALLOW
    assert ps.horizon == 0 and ps.classifier_policies(Phase.PROMPT) == ()


def test_horizon_covers_keywords_and_regexes(policies: PolicySet) -> None:
    assert policies.horizon >= policies.max_regex_match


@pytest.mark.parametrize(
    "text",
    [
        "bomb\u0301",  # combining mark after the match
        "𝐛𝐨𝐦𝐛 🙂 \ud83d",  # styled letters and a lone surrogate
        "b" * 100_000 + " bomb",  # huge text
        "\U00020000製作炸彈",  # outside the BMP next to traditional characters
    ],
)
def test_unicode_edge_cases_keep_spans_inside_the_text(policies: PolicySet, text: str) -> None:
    findings = policies.scan(text, Phase.PROMPT)
    assert findings
    assert all(0 <= f.start < f.end <= len(text) for f in findings)


ALPHABET = st.sampled_from([*"abmo kilyu.-*炸弹製彈 @ＢＯ0\u200b\u0301é\n", "bomb", "kill you", "a@b.co"])
TEXTS = st.lists(ALPHABET, max_size=40).map("".join)
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(text=TEXTS, data=st.data())
def test_zero_width_characters_never_change_the_decision(
    policies: PolicySet, text: str, data: st.DataObject
) -> None:
    positions = data.draw(st.lists(st.integers(0, len(text)), max_size=5))
    spiked = text
    for pos in sorted(positions, reverse=True):
        spiked = (
            spiked[:pos] + data.draw(st.sampled_from(["\u200b", "\u200d", "\ufeff", "\u2060"])) + spiked[pos:]
        )
    assert policies.evaluate(spiked, Phase.PROMPT).action is policies.evaluate(text, Phase.PROMPT).action


@SETTINGS
@given(text=TEXTS)
def test_redaction_leaves_no_matched_term_behind(policies: PolicySet, text: str) -> None:
    decision = policies.evaluate(text, Phase.RESPONSE)
    if decision.redacted is not None:
        again = policies.evaluate(decision.redacted, Phase.RESPONSE)
        assert not [f for f in again.findings if f.action is Action.REDACT and f.matched != "[NAME]"], (
            decision
        )


@SETTINGS
@given(text=st.text(max_size=60))
def test_findings_lie_within_the_text(policies: PolicySet, text: str) -> None:
    for f in policies.scan(text + " bomb", Phase.PROMPT):
        assert 0 <= f.start < f.end <= len(text) + 5


@SETTINGS
@given(text=st.text(max_size=60))
def test_keyword_spans_cover_the_term(policies: PolicySet, text: str) -> None:
    fold = normalizer(policies.policies[0].keyword_normalize)
    for f in policies.scan(text, Phase.PROMPT):
        if f.kind is RuleKind.KEYWORD:
            assert fold.term(f.matched) in fold.normalize(text[f.start : f.end]).text
