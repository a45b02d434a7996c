"""Policy quality on a labelled data set: precision, recall, false positives and refusal rates.

Each item says what *should* happen to a text (``label``: allow, flag, redact or
block) and optionally which harm ``category`` it belongs to. An item counts as
*positive* when its label is at least the threshold action (block by default, so
positive means "should be refused"); the prediction is positive when the policy
set's action on it reaches the same threshold. Benign items may carry the category
they are a near miss for ("a history of the war" under ``violence``), so each
category row also shows the false positives it provokes.

The refusal rates are fixed at the block threshold whatever the threshold is:
the share of should-refuse items refused, and the share of should-answer items
(label allow) wrongly refused.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from proxy.policy.decision import Action, Decision, Finding, Phase

UNCATEGORIZED = "uncategorized"
_LABEL_ALIASES = {"safe": Action.ALLOW, "benign": Action.ALLOW, "unsafe": Action.BLOCK}


class EvalDataError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass(frozen=True, slots=True)
class LabelledItem:
    line: int
    text: str
    label: Action
    phase: Phase = Phase.PROMPT
    category: str | None = None
    lang: str | None = None


def parse_items(lines: Iterable[str]) -> tuple[LabelledItem, ...]:
    """Read JSON lines; blank lines and lines starting with ``#`` are skipped."""
    items: list[LabelledItem] = []
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise EvalDataError(number, f"not JSON: {exc.msg}") from None
        items.append(_item(number, data))
    return tuple(items)


def _item(number: int, data: Any) -> LabelledItem:
    if not isinstance(data, dict):
        raise EvalDataError(number, "expected an object")
    text, label = data.get("text"), data.get("label")
    if not isinstance(text, str):
        raise EvalDataError(number, "'text' must be a string")
    if not isinstance(label, str):
        raise EvalDataError(number, "'label' must be a string")
    try:
        alias = _LABEL_ALIASES.get(label.lower())
        action = alias if alias is not None else Action.from_label(label)
        phase = Phase(str(data.get("phase", Phase.PROMPT.value)))
    except ValueError as exc:
        raise EvalDataError(number, str(exc)) from None
    category, lang = data.get("category"), data.get("lang")
    if category is not None and not isinstance(category, str):
        raise EvalDataError(number, "'category' must be a string")
    if lang is not None and not isinstance(lang, str):
        raise EvalDataError(number, "'lang' must be a string")
    return LabelledItem(number, text, action, phase, category or None, lang or None)


@dataclass(frozen=True, slots=True)
class Rate:
    count: int
    total: int

    @property
    def value(self) -> float | None:
        return self.count / self.total if self.total else None

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "total": self.total, "rate": self.value}


@dataclass(frozen=True, slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, positive: bool, predicted: bool) -> Counts:
        return Counts(
            self.tp + (positive and predicted),
            self.fp + (not positive and predicted),
            self.fn + (positive and not predicted),
            self.tn + (not positive and not predicted),
        )

    @property
    def precision(self) -> Rate:
        return Rate(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> Rate:
        return Rate(self.tp, self.tp + self.fn)

    @property
    def false_positive_rate(self) -> Rate:
        return Rate(self.fp, self.fp + self.tn)

    @property
    def support(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    def to_json(self) -> dict[str, Any]:
        return {
            "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
            "precision": self.precision.value,
            "recall": self.recall.value,
            "false_positive_rate": self.false_positive_rate.value,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Outcome:
    item: LabelledItem
    predicted: Action
    deciding: Finding | None

    @property
    def severity_gap(self) -> int:
        return abs(int(self.item.label) - int(self.predicted))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "line": self.item.line,
            "text": self.item.text,
            "label": self.item.label.label,
            "predicted": self.predicted.label,
            "category": self.item.category,
        }
        if self.deciding is not None:
            data["finding"] = self.deciding.to_json()
        return data


@dataclass(frozen=True, slots=True)
class EvalReport:
    threshold: Action
    overall: Counts
    categories: tuple[tuple[str, Counts], ...]
    should_refuse_refused: Rate
    should_answer_refused: Rate
    confusion: tuple[tuple[Action, Action, int], ...]
    """(label, predicted, count) for every pair that occurred."""
    misses: tuple[Outcome, ...]
    """The worst disagreements first: largest severity gap, then file order."""

    @property
    def exact_accuracy(self) -> Rate:
        agree = sum(n for label, predicted, n in self.confusion if label is predicted)
        return Rate(agree, self.overall.support)

    def to_json(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold.label,
            "items": self.overall.support,
            "overall": self.overall.to_json(),
            "categories": {name: counts.to_json() for name, counts in self.categories},
            "refusal": {
                "should_refuse_refused": self.should_refuse_refused.to_json(),
                "should_answer_refused": self.should_answer_refused.to_json(),
            },
            "exact_action_accuracy": self.exact_accuracy.to_json(),
            "confusion": [
                {"label": label.label, "predicted": predicted.label, "count": n}
                for label, predicted, n in self.confusion
            ],
            "worst_misses": [m.to_json() for m in self.misses],
        }


def predicted_action(decision: Decision, include_shadow: bool) -> tuple[Action, Finding | None]:
    """The action the policies take (shadow findings count only when asked) and the finding behind it."""
    findings = [f for f in decision.findings if include_shadow or not f.shadow]
    if not findings:
        return Action.ALLOW, None
    deciding = max(findings, key=lambda f: (f.action, -f.start))
    return deciding.action, deciding


def evaluate_items(
    items: Sequence[LabelledItem],
    decide: Callable[[str, Phase], Decision],
    *,
    threshold: Action = Action.BLOCK,
    include_shadow: bool = False,
    top: int = 10,
) -> EvalReport:
    outcomes = [
        Outcome(item, *predicted_action(decide(item.text, item.phase), include_shadow)) for item in items
    ]
    return report_from_outcomes(outcomes, threshold=threshold, top=top)


def report_from_outcomes(outcomes: Sequence[Outcome], *, threshold: Action, top: int) -> EvalReport:
    overall = Counts()
    per_category: dict[str, Counts] = {}
    refuse, answer = Rate(0, 0), Rate(0, 0)
    confusion: Counter[tuple[Action, Action]] = Counter()
    for o in outcomes:
        positive, predicted = o.item.label >= threshold, o.predicted >= threshold
        overall = overall.add(positive, predicted)
        name = o.item.category or UNCATEGORIZED
        per_category[name] = per_category.get(name, Counts()).add(positive, predicted)
        refused = o.predicted is Action.BLOCK
        if o.item.label is Action.BLOCK:
            refuse = Rate(refuse.count + refused, refuse.total + 1)
        elif o.item.label is Action.ALLOW:
            answer = Rate(answer.count + refused, answer.total + 1)
        confusion[o.item.label, o.predicted] += 1
    misses = sorted(
        (o for o in outcomes if (o.item.label >= threshold) != (o.predicted >= threshold)),
        key=lambda o: (-o.severity_gap, o.item.line),
    )
    return EvalReport(
        threshold=threshold,
        overall=overall,
        categories=tuple(sorted(per_category.items())),
        should_refuse_refused=refuse,
        should_answer_refused=answer,
        confusion=tuple((label, pred, n) for (label, pred), n in sorted(confusion.items())),
        misses=tuple(misses[:top]),
    )
