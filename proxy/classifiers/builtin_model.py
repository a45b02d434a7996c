"""The embedded linear model: hashed character n-grams, one logistic scorer per category.

Serving scores with numpy (:mod:`proxy.classifiers.vectorized`), every window of a text in
one pass; :meth:`LinearModel.score_reference` is the plain-Python reference over the same
features that training uses (:func:`~proxy.classifiers.features.featurize`).
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from proxy.classifiers.features import (
    Features,
    FeatureSpec,
    ModelFormatError,
    featurize,
    normalize,
)
from proxy.classifiers.vectorized import WindowScorer

__all__ = [
    "CategoryWeights",
    "FeatureSpec",
    "Features",
    "LinearModel",
    "ModelFormatError",
    "featurize",
    "load_default_model",
    "load_model",
    "normalize",
    "save_model",
]

FORMAT = "modproxy-linear"
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class CategoryWeights:
    bias: float
    weights: Mapping[int, float]
    threshold: float = 0.5
    """The score above which the training run recommends acting (policies set their own)."""


@dataclass(frozen=True, slots=True)
class LinearModel:
    spec: FeatureSpec
    categories: Mapping[str, CategoryWeights]
    metadata: Mapping[str, Any] = field(default_factory=dict)
    _scorer: WindowScorer = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        scorer = WindowScorer(
            self.spec,
            [cat.bias for cat in self.categories.values()],
            [cat.weights for cat in self.categories.values()],
        )
        object.__setattr__(self, "_scorer", scorer)

    def score(self, text: str) -> dict[str, float]:
        return self.score_windows([text])

    def score_windows(self, windows: Sequence[str]) -> dict[str, float]:
        """Per category, the highest score any window gets (raw windows; they are normalised here)."""
        if not windows:
            raise ValueError("no windows to score")
        worst = self._scorer.scores([normalize(window) for window in windows]).max(axis=0)
        return dict(zip(self.categories, worst.tolist(), strict=True))

    def score_reference(self, text: str) -> dict[str, float]:
        """Plain Python over the reference features: what :meth:`score` must agree with."""
        return self.score_features(featurize(text, self.spec))

    def score_features(self, features: Features) -> dict[str, float]:
        scores: dict[str, float] = {}
        for name, cat in self.categories.items():
            weight = cat.weights.get
            dot = sum(
                value * weight(bucket, 0.0)
                for bucket, value in zip(features.buckets, features.values, strict=True)
            )
            scores[name] = _sigmoid(cat.bias + dot / features.norm)
        return scores

    @property
    def thresholds(self) -> dict[str, float]:
        return {name: cat.threshold for name, cat in self.categories.items()}

    def to_json(self, weight_scale: float = 2e-3) -> dict[str, Any]:
        """Sparse weights as delta-encoded buckets and integers of ``weight_scale`` (small when gzipped)."""
        cats: dict[str, Any] = {}
        for name, cat in self.categories.items():
            quantized = sorted(
                (bucket, round(w / weight_scale))
                for bucket, w in cat.weights.items()
                if round(w / weight_scale)
            )
            deltas, prev = [], 0
            for bucket, _ in quantized:
                deltas.append(bucket - prev)
                prev = bucket
            cats[name] = {
                "bias": round(cat.bias, 6),
                "threshold": round(cat.threshold, 4),
                "buckets": deltas,
                "weights": [q for _, q in quantized],
            }
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "features": self.spec.to_json(),
            "weight_scale": weight_scale,
            "categories": cats,
            "metadata": dict(self.metadata),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LinearModel:
        if data.get("format") != FORMAT or data.get("version") != FORMAT_VERSION:
            raise ModelFormatError(f"not a {FORMAT} v{FORMAT_VERSION} model")
        try:
            spec = FeatureSpec.from_json(data["features"])
            scale = float(data["weight_scale"])
            categories: dict[str, CategoryWeights] = {}
            for name, raw in data["categories"].items():
                deltas: Sequence[int] = raw["buckets"]
                ints: Sequence[int] = raw["weights"]
                if len(deltas) != len(ints):
                    raise ModelFormatError(f"category {name!r}: buckets and weights differ in length")
                weights: dict[int, float] = {}
                bucket = 0
                for delta, q in zip(deltas, ints, strict=True):
                    bucket += int(delta)
                    if not 0 <= bucket < spec.buckets:
                        raise ModelFormatError(f"category {name!r}: bucket {bucket} out of range")
                    weights[bucket] = q * scale
                categories[str(name)] = CategoryWeights(
                    float(raw["bias"]), weights, float(raw.get("threshold", 0.5))
                )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ModelFormatError(f"malformed model: {exc!r}") from exc
        if not categories:
            raise ModelFormatError("model has no categories")
        return cls(spec, categories, dict(data.get("metadata", {})))


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def load_model(path: Path | str) -> LinearModel:
    """Read a model file (``.json`` or ``.json.gz``)."""
    raw = Path(path).read_bytes()
    return _parse(raw, str(path))


def load_default_model() -> LinearModel:
    """The model shipped inside the package."""
    raw = resources.files("proxy.classifiers").joinpath("data/model.json.gz").read_bytes()
    return _parse(raw, "proxy.classifiers/data/model.json.gz")


def _parse(raw: bytes, origin: str) -> LinearModel:
    try:
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        data = json.loads(raw)
    except (OSError, EOFError, ValueError) as exc:
        raise ModelFormatError(f"{origin}: cannot read model: {exc}") from exc
    if not isinstance(data, dict):
        raise ModelFormatError(f"{origin}: not a model object")
    try:
        return LinearModel.from_json(data)
    except ModelFormatError as exc:
        raise ModelFormatError(f"{origin}: {exc}") from exc


def save_model(model: LinearModel, path: Path | str) -> None:
    text = json.dumps(model.to_json(), separators=(",", ":"), ensure_ascii=False).encode()
    target = Path(path)
    target.write_bytes(gzip.compress(text, mtime=0) if target.name.endswith(".gz") else text)
