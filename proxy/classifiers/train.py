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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

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
    """Held-out precision (against benign texts) and recall of one category at ``threshold``."""

    threshold: float
    precision: float
    recall: float
    flagged: int


CURVE_THRESHOLDS = tuple(round(0.05 * step, 2) for step in range(1, 20))


@dataclass(frozen=True, slots=True)
class TrainResult:
    model: LinearModel
    metrics: tuple[CategoryMetrics, ...]
    train_size: int
    holdout_size: int
    curves: tuple[tuple[str, tuple[CurvePoint, ...]], ...] = ()
    """Per category, the held-out precision/recall curve of the model before any refit."""
    held_scores: tuple[tuple[bool, Mapping[str, float]], ...] = ()
    """Per held-out example: whether it is harmful, and its scores before any refit."""

    def combined(self, thresholds: Mapping[str, float]) -> tuple[float, float]:
        """Held-out share of harmful texts caught and of benign texts caught, when any category
        at or above its threshold catches a text."""
        caught = [
            (harmful, any(scores[c] >= t for c, t in thresholds.items()))
            for harmful, scores in self.held_scores
        ]
        harmful = [hit for is_harmful, hit in caught if is_harmful]
        benign = [hit for is_harmful, hit in caught if not is_harmful]
        return (sum(harmful) / len(harmful) if harmful else 0.0, sum(benign) / len(benign) if benign else 0.0)


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


def with_overall(examples: Sequence[Example], category: str) -> list[Example]:
    """The examples with one more category that every harmful example carries: a scorer of harm in
    general, which learns from every category's examples at once (guard models call it ``unsafe``)."""
    return [Example(e.text, e.labels | {category}, e.group) if e.labels else e for e in examples]


def split_holdout(
    examples: Sequence[Example], fraction: float, seed: int
) -> tuple[list[Example], list[Example]]:
    """Hold out about ``fraction`` of each primary label's groups; a group never straddles the split."""
    if not 0.0 <= fraction < 1.0:
        raise TrainingError("holdout must be in [0, 1)")
    by_label = _groups_by_label(examples)
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


def split_folds(examples: Sequence[Example], folds: int, seed: int) -> list[list[Example]]:
    """``folds`` parts, each with about the same share of every primary label's groups; a group never
    straddles two parts."""
    if folds < 2:
        raise TrainingError("folds must be at least 2")
    by_label = _groups_by_label(examples)
    rng = random.Random(seed)
    parts: list[list[Example]] = [[] for _ in range(folds)]
    for label in sorted(by_label):
        names = sorted(by_label[label])
        rng.shuffle(names)
        for position, name in enumerate(names):
            parts[position % folds].extend(by_label[label][name])
    return parts


def _groups_by_label(examples: Sequence[Example]) -> dict[str, dict[str, list[Example]]]:
    groups: dict[str, list[Example]] = defaultdict(list)
    for index, example in enumerate(examples):
        groups[example.group or f"#{index}"].append(example)
    # A group is filed under its first example's label, so a split stratifies by label
    # without ever cutting a group in two.
    by_label: dict[str, dict[str, list[Example]]] = defaultdict(dict)
    for name, members in groups.items():
        by_label[min(members[0].labels, default=BENIGN)][name] = members
    return by_label


MAX_BUCKETS = (1 << 16) - 1
"""Weighted buckets a trained model keeps by default: rows of the serving index stay 16-bit."""


def train_model(
    examples: Sequence[Example],
    *,
    holdout: float = 0.2,
    seed: int = 0,
    c: float = 16.0,
    threshold: float = 0.5,
    refit_all: bool = False,
    spec: FeatureSpec | None = None,
    folds: int = 0,
    max_buckets: int = MAX_BUCKETS,
) -> TrainResult:
    """Fit and evaluate. With ``folds`` ≥ 2, every example is held out once: the data is cut into
    that many parts, each scored by a model fitted on the others, and the model returned is fitted on
    every example; otherwise one split holds out ``holdout`` of the groups. Every model fitted, the
    held-out ones included, keeps at most ``max_buckets`` weighted buckets (0: no limit)."""
    spec = spec or FeatureSpec()
    categories = sorted({label for example in examples for label in example.labels})
    if not categories:
        raise TrainingError("no example carries a category: nothing to learn")
    if folds >= 2:
        parts = split_folds(examples, folds, seed)
        splits = [
            ([ex for j, p in enumerate(parts) if j != k for ex in p], part) for k, part in enumerate(parts)
        ]
    else:
        splits = [split_holdout(examples, holdout, seed)]
    held: list[Example] = []
    held_scores: list[dict[str, float]] = []
    for train, part in splits:
        _check_categories(train, categories)
        split_model = LinearModel(spec, _fit(train, categories, spec, c, seed, threshold, max_buckets))
        held.extend(part)
        held_scores.extend(split_model.score(example.text) for example in part)
    refit = refit_all or folds >= 2
    model = (
        LinearModel(spec, _fit(list(examples), categories, spec, c, seed, threshold, max_buckets))
        if refit
        else split_model
    )
    metrics = tuple(_evaluate(held, held_scores, category, threshold) for category in categories)
    curves = tuple((category, precision_recall_curve(held, held_scores, category)) for category in categories)
    train_size = len(examples) - len(held) if folds < 2 else len(examples) - len(held) // folds
    metadata = {
        "examples": len(examples),
        "trained_on": len(examples) if refit else train_size,
        "holdout": len(held),
        "folds": max(folds, 1),
        "seed": seed,
        "c": c,
        "max_buckets": max_buckets,
        "threshold": threshold,
        "ngram_max": spec.ngram_max,
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
    return TrainResult(
        LinearModel(spec, model.categories, metadata),
        metrics,
        train_size,
        len(held),
        curves,
        tuple((bool(ex.labels), scores) for ex, scores in zip(held, held_scores, strict=True)),
    )


def _check_categories(train: Sequence[Example], categories: Sequence[str]) -> None:
    for category in categories:
        if not any(category in ex.labels for ex in train) or all(category in ex.labels for ex in train):
            raise TrainingError(f"category {category!r} needs positive and negative training examples")


def precision_recall_curve(
    held: Sequence[Example],
    scores: Sequence[Mapping[str, float]],
    category: str,
    thresholds: Sequence[float] = CURVE_THRESHOLDS,
) -> tuple[CurvePoint, ...]:
    """Recall of ``category`` and precision against benign texts: a flagged text counts as a true
    alarm when it carries any category (a violent threat scored as harassment still had to be
    caught), since what a threshold costs is benign requests refused."""
    positives = sum(category in example.labels for example in held)
    points = []
    for threshold in thresholds:
        flagged = [ex for ex, sc in zip(held, scores, strict=True) if sc[category] >= threshold]
        harmful = sum(bool(ex.labels) for ex in flagged)
        found = sum(category in ex.labels for ex in flagged)
        points.append(
            CurvePoint(
                threshold,
                precision=harmful / len(flagged) if flagged else 1.0,
                recall=found / positives if positives else 0.0,
                flagged=len(flagged),
            )
        )
    return tuple(points)


def _fit(
    examples: Sequence[Example],
    categories: Sequence[str],
    spec: FeatureSpec,
    c: float,
    seed: int,
    threshold: float,
    max_buckets: int,
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
    coefs: dict[str, tuple[float, Any]] = {}
    for category in categories:
        target = [int(category in example.labels) for example in examples]
        # Balanced weights: each category is a small minority of the examples.
        classifier = linear_model.LogisticRegression(
            C=c, solver="liblinear", class_weight="balanced", max_iter=2000, random_state=seed
        )
        classifier.fit(matrix, target)
        coefs[category] = (float(classifier.intercept_[0]), classifier.coef_[0])
    kept = _kept_buckets([coef for _, coef in coefs.values()], max_buckets)
    return {
        category: CategoryWeights(bias, {int(i): float(coef[i]) for i in kept if coef[i]}, threshold)
        for category, (bias, coef) in coefs.items()
    }


def _kept_buckets(coefs: Sequence[Any], max_buckets: int) -> list[int]:
    """The buckets some category weighs, or the ``max_buckets`` of them weighed most by any.

    L2-regularised weights are dense: every n-gram seen in training gets one, so the buckets used
    grow with the data. The ones weighed least change scores least; dropping them keeps the
    serving index small (16-bit rows, :class:`~proxy.classifiers.vectorized.WindowScorer`) and the
    file under its budget."""
    strongest = np.max(np.abs(np.vstack(coefs)), axis=0)
    used = np.flatnonzero(strongest)
    if max_buckets and len(used) > max_buckets:
        # Stable, so ties keep the lower buckets and a run is reproducible.
        used = np.sort(used[np.argsort(-strongest[used], kind="stable")[:max_buckets]])
    return [int(i) for i in used]


def _sklearn() -> tuple[Any, Any]:
    try:
        from scipy import sparse  # type: ignore[import-untyped]
        from sklearn import linear_model  # type: ignore[import-untyped]
    except ImportError:
        raise TrainingError("training needs scikit-learn: pip install 'modproxy[train]'") from None
    return sparse, linear_model


def _evaluate(
    held: Sequence[Example], scores: Sequence[Mapping[str, float]], category: str, threshold: float
) -> CategoryMetrics:
    true_pos = false_pos = positives = 0
    for example, score in zip(held, scores, strict=True):
        predicted = score[category] >= threshold
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
