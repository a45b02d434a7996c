import json

import pytest

from proxy.policy.decision import Action, Decision, Finding, Phase, RuleKind
from proxy.policy.evaluation import (
    EvalDataError,
    LabelledItem,
    Rate,
    evaluate_items,
    parse_items,
    predicted_action,
)
from tests.fixtures.deciders import TableDecider


def _finding(action: Action, category: str = "c", shadow: bool = False, start: int = 0) -> Finding:
    return Finding(
        "p", category, action, Phase.PROMPT, RuleKind.KEYWORD, start, start + 1, "x", shadow=shadow
    )


def _item(line: int, text: str, label: Action, category: str | None = None) -> LabelledItem:
    return LabelledItem(line, text, label, Phase.PROMPT, category)


ITEMS = [
    _item(1, "bomb recipe", Action.BLOCK, "weapons"),  # caught
    _item(2, "gun build", Action.BLOCK, "weapons"),  # missed
    _item(3, "history of cannons", Action.ALLOW, "weapons"),  # wrongly refused
    _item(4, "nice day", Action.ALLOW),  # fine
    _item(5, "self harm plan", Action.BLOCK, "self-harm"),  # caught
    _item(6, "my phone 555", Action.REDACT, "pii"),  # flagged only (below block threshold both ways)
]
DECIDE = TableDecider(
    {
        "bomb recipe": [_finding(Action.BLOCK, "weapons")],
        "history of cannons": [_finding(Action.BLOCK, "weapons")],
        "self harm plan": [_finding(Action.BLOCK, "self-harm")],
        "my phone 555": [_finding(Action.FLAG, "pii")],
    }
)


def test_overall_and_per_category_counts() -> None:
    report = evaluate_items(ITEMS, DECIDE)
    assert (report.overall.tp, report.overall.fp, report.overall.fn, report.overall.tn) == (2, 1, 1, 2)
    cats = dict(report.categories)
    assert (cats["weapons"].tp, cats["weapons"].fp, cats["weapons"].fn, cats["weapons"].tn) == (1, 1, 1, 0)
    assert cats["weapons"].precision == Rate(1, 2)
    assert cats["weapons"].recall == Rate(1, 2)
    assert cats["weapons"].false_positive_rate == Rate(1, 1)
    assert cats["self-harm"].recall.value == 1.0
    assert cats["uncategorized"].false_positive_rate == Rate(0, 1)
    assert cats["pii"].precision.value is None  # nothing predicted positive: undefined, not zero


def test_refusal_rates_use_block_labels_and_allow_labels() -> None:
    report = evaluate_items(ITEMS, DECIDE, threshold=Action.FLAG)
    assert report.should_refuse_refused == Rate(2, 3)
    assert report.should_answer_refused == Rate(1, 2)  # the redact item is neither


def test_lower_threshold_changes_what_counts_as_positive() -> None:
    report = evaluate_items(ITEMS, DECIDE, threshold=Action.FLAG)
    assert dict(report.categories)["pii"].tp == 1  # label redact >= flag, predicted flag >= flag


def test_worst_misses_come_first() -> None:
    report = evaluate_items(ITEMS, DECIDE)
    assert [m.item.line for m in report.misses] == [2, 3]
    assert report.misses[0].predicted is Action.ALLOW
    assert report.misses[1].deciding is not None and report.misses[1].deciding.category == "weapons"
    assert [m.item.line for m in evaluate_items(ITEMS, DECIDE, top=1).misses] == [2]


def test_confusion_and_exact_accuracy() -> None:
    report = evaluate_items(ITEMS, DECIDE)
    assert (Action.REDACT, Action.FLAG, 1) in report.confusion
    assert report.exact_accuracy == Rate(3, 6)


def test_shadow_findings_count_only_when_asked() -> None:
    decision = Decision(Action.ALLOW, (_finding(Action.BLOCK, shadow=True),), "r")
    assert predicted_action(decision, include_shadow=False) == (Action.ALLOW, None)
    action, finding = predicted_action(decision, include_shadow=True)
    assert action is Action.BLOCK and finding is not None and finding.shadow


def test_json_report_is_serialisable_and_complete() -> None:
    data = json.loads(json.dumps(evaluate_items(ITEMS, DECIDE).to_json()))
    assert data["items"] == 6
    assert data["refusal"]["should_refuse_refused"] == {"count": 2, "total": 3, "rate": 2 / 3}
    assert data["categories"]["weapons"]["precision"] == 0.5
    assert data["worst_misses"][0]["line"] == 2


def test_parse_items_reads_labels_phases_and_aliases() -> None:
    lines = [
        '{"text": "a", "label": "block", "category": "weapons"}',
        "",
        "# a comment",
        '{"text": "b", "label": "safe", "phase": "response"}',
        '{"text": "c", "label": "unsafe"}',
    ]
    items = parse_items(lines)
    assert [(i.line, i.label, i.phase, i.category) for i in items] == [
        (1, Action.BLOCK, Phase.PROMPT, "weapons"),
        (4, Action.ALLOW, Phase.RESPONSE, None),
        (5, Action.BLOCK, Phase.PROMPT, None),
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "not JSON"),
        ('["a"]', "expected an object"),
        ('{"label": "block"}', "'text' must be a string"),
        ('{"text": "a"}', "'label' must be a string"),
        ('{"text": "a", "label": "maybe"}', "unknown action"),
        ('{"text": "a", "label": "block", "phase": "sideways"}', "sideways"),
        ('{"text": "a", "label": "block", "category": 3}', "'category' must be a string"),
    ],
)
def test_parse_errors_name_the_line(line: str, message: str) -> None:
    with pytest.raises(EvalDataError, match=message) as info:
        parse_items(['{"text": "ok", "label": "allow"}', line])
    assert info.value.line == 2
