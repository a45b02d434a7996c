"""Choosing a classifier policy's thresholds from a model's held-out scores.

Two rules. The *precision bar*: per category, the lowest threshold whose held-out precision against
benign texts reaches a bar, the flag bar raised until the flags together stay within a benign budget.
The *benign budget*: the flag thresholds that together catch the most held-out harmful texts while
catching at most a given share of the held-out benign ones; block thresholds then sit at or above
the flag thresholds, so blocking never adds a benign text the budget did not count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from proxy.classifiers.train import CURVE_THRESHOLDS, CurvePoint, TrainResult


@dataclass(frozen=True, slots=True)
class ChosenThresholds:
    """Per category: the lowest threshold meeting the flag precision and the block precision
    (None when no threshold does)."""

    category: str
    flag: float | None
    block: float | None


def choose_thresholds(
    category: str,
    curve: Sequence[CurvePoint],
    *,
    flag_precision: float = 0.8,
    block_precision: float = 0.95,
    min_flagged: int = 5,
) -> ChosenThresholds:
    """The lowest threshold (the most recall) whose held-out precision still reaches each bar; a
    point that flags fewer than ``min_flagged`` held-out examples says too little to count."""

    def lowest(bar: float) -> float | None:
        return next((p.threshold for p in curve if p.precision >= bar and p.flagged >= min_flagged), None)

    return ChosenThresholds(category, lowest(flag_precision), lowest(block_precision))


def choose_all(
    result: TrainResult, *, flag_precision: float, block_precision: float, max_benign: float | None = None
) -> tuple[float, tuple[ChosenThresholds, ...]]:
    """Thresholds for every category. With ``max_benign``, the flag precision bar is raised (in
    steps of 0.01) until every flag threshold together catches at most that share of the held-out
    benign texts: per-category precision alone says nothing of how the categories add up."""
    bar = flag_precision
    while True:
        chosen = tuple(
            choose_thresholds(category, curve, flag_precision=bar, block_precision=block_precision)
            for category, curve in result.curves
        )
        flags = {c.category: c.flag for c in chosen if c.flag is not None}
        if max_benign is None or bar >= 1.0 or result.combined(flags)[1] <= max_benign:
            return bar, chosen
        bar = round(bar + 0.01, 2)


def budget_flags(
    result: TrainResult, *, max_benign: float, thresholds: Sequence[float] = CURVE_THRESHOLDS
) -> dict[str, float]:
    """Flag thresholds that together catch the most held-out harmful texts while catching at most
    ``max_benign`` of the held-out benign ones: greedily, each step lowers the one category's
    threshold (to any lower point of the curve, so a plateau is crossed in one step) that buys the
    most harmful texts per benign text, until no step within the budget catches more. Unlike a
    per-category precision bar, this spends the benign budget where it buys the most recall, and a
    category whose precision wobbles between thresholds is not pushed to the top of the curve."""
    harmful = [is_harmful for is_harmful, _ in result.held_scores]
    benign_total = sum(not h for h in harmful) or 1
    categories = [category for category, _ in result.curves]
    # Per category and threshold, the held-out texts it catches.
    catches = {
        category: {
            t: frozenset(i for i, (_, scores) in enumerate(result.held_scores) if scores[category] >= t)
            for t in thresholds
        }
        for category in categories
    }
    chosen: dict[str, float] = {}
    caught: frozenset[int] = frozenset()
    while True:
        best: tuple[float, float, str] | None = None
        for category in categories:
            current = chosen.get(category, 1.0)
            for t in thresholds:
                if t >= current:
                    continue
                union = caught | catches[category][t]
                new_benign = sum(not harmful[i] for i in union)
                if new_benign / benign_total > max_benign:
                    continue
                gain = sum(harmful[i] for i in union) - sum(harmful[i] for i in caught)
                if gain <= 0:
                    continue
                cost = new_benign - sum(not harmful[i] for i in caught)
                # Most harmful texts per benign one; on a tie, the higher threshold.
                step = (gain / (cost + 0.5), t, category)
                if best is None or step[:2] > best[:2]:
                    best = step
        if best is None:
            return chosen
        _, t, category = best
        chosen[category] = t
        caught = caught | catches[category][t]


def budget_blocks(choice: ChosenThresholds, flag: float | None) -> ChosenThresholds:
    """A category's budgeted flag threshold, and its block threshold raised to at least that flag
    threshold (none when the category does not flag): blocking then catches a subset of what the
    flags catch, so the two together stay within the benign budget."""
    if flag is None or choice.block is None:
        return ChosenThresholds(choice.category, flag, None)
    return ChosenThresholds(choice.category, flag, max(choice.block, flag))


def format_curves(result: TrainResult, chosen: Sequence[ChosenThresholds]) -> str:
    """The held-out precision/recall curve per category, and the thresholds chosen from it."""
    lines = ["held-out precision / recall by threshold:"]
    header = f"{'threshold':<20}" + "".join(f" {p.threshold:>9.2f}" for p in result.curves[0][1])
    lines.append(header)
    for category, curve in result.curves:
        lines.append(f"{category:<20}" + "".join(f" {p.precision:>4.2f}/{p.recall:<4.2f}" for p in curve))
    lines.append(f"{'category':<20} {'flag at':>8} {'block at':>9}")
    for choice in chosen:
        flag = "-" if choice.flag is None else f"{choice.flag:.2f}"
        block = "-" if choice.block is None else f"{choice.block:.2f}"
        lines.append(f"{choice.category:<20} {flag:>8} {block:>9}")
    flags = {c.category: c.flag for c in chosen if c.flag is not None}
    blocks = {c.category: c.block for c in chosen if c.block is not None}
    for action, picked in (("flag", flags), ("block", blocks)):
        harmful, benign = result.combined(picked)
        lines.append(
            f"held out, every {action} threshold together: {harmful:.3f} of harmful texts caught,"
            f" {benign:.3f} of benign texts caught"
        )
    return "\n".join(lines)
