"""Thresholds from held-out scores: the precision bar and the benign budget."""

from __future__ import annotations

from pathlib import Path

from proxy.classifiers.thresholds import (
    ChosenThresholds,
    budget_blocks,
    budget_flags,
    choose_all,
    choose_thresholds,
)
from proxy.classifiers.train import CurvePoint, Example, TrainResult, read_examples, train_model
from tests.classifiers.test_train import write_data


def _point(threshold: float, precision: float, recall: float, flagged: int = 10) -> CurvePoint:
    return CurvePoint(threshold, precision, recall, flagged)


def test_thresholds_are_the_lowest_meeting_each_precision_bar_with_enough_support() -> None:
    curve = [
        _point(0.2, 0.70, 0.95),
        _point(0.4, 0.85, 0.80),
        _point(0.6, 0.96, 0.60),
        _point(0.8, 1.00, 0.10, flagged=2),  # too few to trust
    ]
    assert choose_thresholds("x", curve, flag_precision=0.8, block_precision=0.95) == ChosenThresholds(
        "x", 0.4, 0.6
    )
    assert choose_thresholds("x", curve, flag_precision=0.99, block_precision=0.99).flag is None


def test_the_flag_bar_rises_until_the_flags_together_stay_within_the_benign_budget(tmp_path: Path) -> None:
    data = tmp_path / "train.jsonl"
    write_data(data)
    result = train_model(read_examples(data), holdout=0.3, seed=3, c=4.0)
    assert {category for category, _ in result.curves} == {"spam", "rude"}
    assert len(result.held_scores) == result.holdout_size
    bar, chosen = choose_all(result, flag_precision=0.5, block_precision=0.9, max_benign=0.0)
    flags = {c.category: c.flag for c in chosen if c.flag is not None}
    assert result.combined(flags)[1] == 0.0
    assert 0.5 <= bar <= 1.0
    assert "held_out_curve" in result.model.metadata


def _result(held: list[tuple[bool, dict[str, float]]]) -> TrainResult:
    categories = sorted({c for _, scores in held for c in scores})
    model = train_model(
        [Example("spam spam", frozenset({c})) for c in categories] + [Example("fine", frozenset())] * 2,
        holdout=0.0,
    ).model
    return TrainResult(model, (), 0, len(held), tuple((c, ()) for c in categories), tuple(held))


def test_the_budget_buys_the_most_harmful_texts_per_benign_text_and_stays_within_it() -> None:
    held = [
        # x catches four harmful texts at 0.5 at the cost of one benign; y one at 0.3, at the same cost.
        *[(True, {"x": 0.52, "y": 0.0}) for _ in range(4)],
        (True, {"x": 0.0, "y": 0.32}),
        (False, {"x": 0.55, "y": 0.0}),
        (False, {"x": 0.0, "y": 0.35}),
        *[(False, {"x": 0.0, "y": 0.0}) for _ in range(18)],
    ]
    result = _result(held)
    assert budget_flags(result, max_benign=0.05) == {"x": 0.5}
    assert result.combined({"x": 0.5}) == (0.8, 0.05)
    # A budget of two benign texts in twenty buys y as well.
    flags = budget_flags(result, max_benign=0.1)
    assert flags == {"x": 0.5, "y": 0.3}
    assert budget_flags(result, max_benign=0.0) == {}


def test_a_plateau_in_the_curve_is_crossed_in_one_step() -> None:
    # Lowering x from 0.95 to 0.6 gains nothing; lowering it to 0.5 gains everything.
    held = [(True, {"x": 0.52}) for _ in range(5)] + [(False, {"x": 0.0}) for _ in range(5)]
    assert budget_flags(_result(held), max_benign=0.0) == {"x": 0.5}


def test_blocking_never_reaches_below_the_flag_threshold() -> None:
    assert budget_blocks(ChosenThresholds("x", 0.8, 0.4), 0.6) == ChosenThresholds("x", 0.6, 0.6)
    assert budget_blocks(ChosenThresholds("x", 0.8, 0.9), 0.6) == ChosenThresholds("x", 0.6, 0.9)
    assert budget_blocks(ChosenThresholds("x", 0.8, 0.9), None) == ChosenThresholds("x", None, None)
    assert budget_blocks(ChosenThresholds("x", 0.8, None), 0.6) == ChosenThresholds("x", 0.6, None)
