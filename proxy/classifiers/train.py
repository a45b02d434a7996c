"""Train a built-in model from labelled JSONL: one logistic regression per category.

Input lines are ``{"text": ..., "labels": [category, ...]}`` or ``{"text": ..., "label":
category}``, where ``"benign"`` (or no labels) means no category applies. An optional
``"group"`` keeps related examples (variants of one template, say) on the same side of the
held-out split, so the held-out numbers measure generalisation rather than recall of a
near-duplicate.

scikit-learn is needed here only, never to serve: ``pip install 'modproxy[train]'``.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proxy.classifiers.builtin_model import CategoryWeights, FeatureSpec, LinearModel, featurize

BENIGN = "benign"


class TrainingError(Exception):
    """Bad training data, or the training extra is missing."""


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    labels: frozenset[str]
    group: str | None = None


@dataclass(frozen=True, slots=True)
class CategoryMetrics:
    category: str
    precision: float
    recall: float
    support: int
    """Held-out examples that carry the category."""
    predicted: int
    """Held-out examples scored at or above the threshold."""
    threshold: float


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """Held-out precision and recall of one category when acting at ``threshold``."""

    threshold: float
    precision: float
    recall: float
    flagged: int


CURVE_THRESHOLDS = tuple(round(0.05 * step, 2) for step in range(1, 20))


@dataclass(frozen=True, slots=True)
class ChosenThresholds:
    """Per category: the lowest threshold meeting the flag precision and the block precision
    (None when no threshold does)."""

    category: str
    flag: float | None
    block: float | None


@dataclass(frozen=True, slots=True)
class TrainResult:
    model: LinearModel
    metrics: tuple[CategoryMetrics, ...]
    train_size: int
    holdout_size: int
    curves: tuple[tuple[str, tuple[CurvePoint, ...]], ...] = ()
    """Per category, the held-out precision/recall curve of the model before any refit."""


def read_examples(path: Path) -> list[Example]:
    examples: list[Example] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                examples.append(_example(json.loads(line)))
            except (ValueError, TypeError) as exc:
                raise TrainingError(f"{path}:{number}: {exc}") from None
    if not examples:
        raise TrainingError(f"{path}: no examples")
    return examples


def _example(data: Any) -> Example:
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise ValueError('each line must be an object with a "text" string')
    if "labels" in data:
        raw = data["labels"]
        if not isinstance(raw, list) or not all(isinstance(label, str) for label in raw):
            raise ValueError('"labels" must be a list of category names')
    elif "label" in data:
        if not isinstance(data["label"], str):
            raise ValueError('"label" must be a category name')
        raw = [data["label"]]
    else:
        raise ValueError('a line needs "labels" or "label"')
    labels = frozenset(label.strip() for label in raw if label.strip() and label.strip() != BENIGN)
    group = data.get("group")
    return Example(data["text"], labels, None if group is None else str(group))


def split_holdout(
    examples: Sequence[Example], fraction: float, seed: int
) -> tuple[list[Example], list[Example]]:
    """Hold out about ``fraction`` of each primary label's groups; a group never straddles the split."""
    if not 0.0 <= fraction < 1.0:
        raise TrainingError("holdout must be in [0, 1)")
    groups: dict[str, list[Example]] = defaultdict(list)
    for index, example in enumerate(examples):
        groups[example.group or f"#{index}"].append(example)
    # A group is filed under its first example's label, so the split stratifies by label
    # without ever cutting a group in two.
    by_label: dict[str, dict[str, list[Example]]] = defaultdict(dict)
    for name, members in groups.items():
        by_label[min(members[0].labels, default=BENIGN)][name] = members
    rng = random.Random(seed)
    train: list[Example] = []
    held: list[Example] = []
    for label in sorted(by_label):
        names = sorted(by_label[label])
        rng.shuffle(names)
        target = fraction * sum(len(by_label[label][name]) for name in names)
        taken = 0
        for position, name in enumerate(names):
            members = by_label[label][name]
            # Never hold out a label's last group: the model must see every category.
            if position < len(names) - 1 and taken + len(members) / 2 < target:
                held.extend(members)
                taken += len(members)
            else:
                train.extend(members)
    return train, held


def train_model(
    examples: Sequence[Example],
    *,
    holdout: float = 0.2,
    seed: int = 0,
    c: float = 16.0,
    threshold: float = 0.5,
    refit_all: bool = False,
    spec: FeatureSpec | None = None,
) -> TrainResult:
    spec = spec or FeatureSpec()
    categories = sorted({label for example in examples for label in example.labels})
    if not categories:
        raise TrainingError("no example carries a category: nothing to learn")
    train, held = split_holdout(examples, holdout, seed)
    for category in categories:
        if not any(category in ex.labels for ex in train) or all(category in ex.labels for ex in train):
            raise TrainingError(f"category {category!r} needs positive and negative training examples")
    weights = _fit(train, categories, spec, c, seed, threshold)
    model = LinearModel(spec, weights)
    metrics = tuple(_evaluate(model, held, category) for category in categories)
    held_scores = [model.score(example.text) for example in held]
    curves = tuple((category, precision_recall_curve(held, held_scores, category)) for category in categories)
    if refit_all:
        model = LinearModel(spec, _fit(list(examples), categories, spec, c, seed, threshold))
    metadata = {
        "examples": len(examples),
        "trained_on": len(examples) if refit_all else len(train),
        "holdout": len(held),
        "seed": seed,
        "c": c,
        "threshold": threshold,
        "held_out_metrics": {
            m.category: {
                "precision": round(m.precision, 4),
                "recall": round(m.recall, 4),
                "support": m.support,
            }
            for m in metrics
        },
    }
    metadata["held_out_curve"] = {
        category: [[p.threshold, round(p.precision, 4), round(p.recall, 4)] for p in curve]
        for category, curve in curves
    }
    return TrainResult(LinearModel(spec, model.categories, metadata), metrics, len(train), len(held), curves)


def precision_recall_curve(
    held: Sequence[Example],
    scores: Sequence[Mapping[str, float]],
    category: str,
    thresholds: Sequence[float] = CURVE_THRESHOLDS,
) -> tuple[CurvePoint, ...]:
    positives = sum(category in example.labels for example in held)
    points = []
    for threshold in thresholds:
        hits = [
            category in ex.labels for ex, sc in zip(held, scores, strict=True) if sc[category] >= threshold
        ]
        true_pos = sum(hits)
        points.append(
            CurvePoint(
                threshold,
                precision=true_pos / len(hits) if hits else 1.0,
                recall=true_pos / positives if positives else 0.0,
                flagged=len(hits),
            )
        )
    return tuple(points)


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


def _fit(
    examples: Sequence[Example],
    categories: Sequence[str],
    spec: FeatureSpec,
    c: float,
    seed: int,
    threshold: float,
) -> dict[str, CategoryWeights]:
    sparse, linear_model = _sklearn()
    data: list[float] = []
    indices: list[int] = []
    indptr = [0]
    for example in examples:
        features = featurize(example.text, spec)
        data.extend(v / features.norm for v in features.values)
        indices.extend(features.buckets)
        indptr.append(len(indices))
    matrix = sparse.csr_matrix((data, indices, indptr), shape=(len(examples), spec.buckets))
    matrix.sum_duplicates()
    fitted: dict[str, CategoryWeights] = {}
    for category in categories:
        target = [int(category in example.labels) for example in examples]
        # Balanced weights: each category is a small minority of the examples.
        classifier = linear_model.LogisticRegression(
            C=c, solver="liblinear", class_weight="balanced", max_iter=2000, random_state=seed
        )
        classifier.fit(matrix, target)
        coef = classifier.coef_[0]
        nonzero = coef.nonzero()[0]
        fitted[category] = CategoryWeights(
            float(classifier.intercept_[0]), {int(i): float(coef[i]) for i in nonzero}, threshold
        )
    return fitted


def _sklearn() -> tuple[Any, Any]:
    try:
        from scipy import sparse  # type: ignore[import-untyped]
        from sklearn import linear_model  # type: ignore[import-untyped]
    except ImportError:
        raise TrainingError("training needs scikit-learn: pip install 'modproxy[train]'") from None
    return sparse, linear_model


def _evaluate(model: LinearModel, held: Iterable[Example], category: str) -> CategoryMetrics:
    threshold = model.categories[category].threshold
    true_pos = false_pos = positives = 0
    for example in held:
        predicted = model.score(example.text)[category] >= threshold
        actual = category in example.labels
        positives += actual
        true_pos += predicted and actual
        false_pos += predicted and not actual
    predicted_total = true_pos + false_pos
    return CategoryMetrics(
        category,
        precision=true_pos / predicted_total if predicted_total else 0.0,
        recall=true_pos / positives if positives else 0.0,
        support=positives,
        predicted=predicted_total,
        threshold=threshold,
    )


def format_metrics(result: TrainResult) -> str:
    lines = [
        f"trained on {result.train_size} examples, evaluated on {result.holdout_size} held out",
        f"{'category':<20} {'precision':>9} {'recall':>7} {'support':>8} {'flagged':>8}",
    ]
    for m in result.metrics:
        lines.append(f"{m.category:<20} {m.precision:>9.3f} {m.recall:>7.3f} {m.support:>8} {m.predicted:>8}")
    return "\n".join(lines)


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
    return "\n".join(lines)
