"""The embedded linear model: hashed character n-grams, one logistic scorer per category.

Scoring is plain Python on purpose: no numpy or scikit-learn at serving time, so
the proxy starts fast and the package stays small. Training (``proxy.classifiers.train``)
uses :func:`featurize` too, so both sides see exactly the same features.

Character n-grams need no word segmentation, which is what makes one model work for
English and Chinese alike; traditional Chinese is folded to simplified first.
"""

from __future__ import annotations

import gzip
import json
import math
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import repeat
from operator import add, mul
from pathlib import Path
from typing import Any, Protocol

FORMAT = "modproxy-linear"
FORMAT_VERSION = 1
DEFAULT_BUCKETS_LOG2 = 18
DEFAULT_NGRAMS = (1, 3)

# Invisible characters people insert to split a word past a filter.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff")
)


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@cache
def _t2s() -> _Converter:
    import opencc  # imported on first CJK text only; a process-wide immutable converter

    converter: _Converter = opencc.OpenCC("t2s")
    return converter


def normalize(text: str) -> str:
    """NFKC, casefold, invisible characters dropped, whitespace collapsed, traditional → simplified."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_INVISIBLE)
    text = " ".join(text.split())
    if not text.isascii():
        text = _t2s().convert(text)
    return text


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    ngram_min: int = DEFAULT_NGRAMS[0]
    ngram_max: int = DEFAULT_NGRAMS[1]
    buckets_log2: int = DEFAULT_BUCKETS_LOG2

    @property
    def buckets(self) -> int:
        return 1 << self.buckets_log2

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "char-ngrams-hashed",
            "ngram_min": self.ngram_min,
            "ngram_max": self.ngram_max,
            "buckets_log2": self.buckets_log2,
            "hash": "crc32-utf8",
            "normalize": "nfkc-casefold-t2s",
            "tf": "log1p",
            "norm": "l2",
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FeatureSpec:
        if data.get("kind") != "char-ngrams-hashed" or data.get("hash") != "crc32-utf8":
            raise ModelFormatError(f"unsupported feature kind {data.get('kind')!r}/{data.get('hash')!r}")
        spec = cls(int(data["ngram_min"]), int(data["ngram_max"]), int(data["buckets_log2"]))
        if not 1 <= spec.ngram_min <= spec.ngram_max <= 8 or not 8 <= spec.buckets_log2 <= 24:
            raise ModelFormatError(f"feature parameters out of range: {data}")
        return spec


@dataclass(frozen=True, slots=True)
class Features:
    """A sparse, implicitly L2-normalized vector: ``sum(values[i] * w[buckets[i]]) / norm``.

    Buckets may repeat (hash collisions); a dot product and a sparse matrix both sum them.
    """

    buckets: list[int]
    values: list[float]
    norm: float


def featurize(text: str, spec: FeatureSpec) -> Features:
    padded = f" {normalize(text)} "
    counts: Counter[str] = Counter()
    # n-grams grow one character at a time with C-level string concatenation (much faster
    # than slicing): grams of order n are grams of order n-1 plus the next character.
    grams: Iterable[str] = padded
    for n in range(1, spec.ngram_max + 1):
        if n > 1:
            grams = list(map(add, grams, padded[n - 1 :]))
        elif spec.ngram_max > 1:
            grams = list(grams)
        if n >= spec.ngram_min:
            counts.update(grams)
    mask = spec.buckets - 1
    buckets = [zlib.crc32(gram.encode()) & mask for gram in counts]
    values = list(map(math.log1p, counts.values()))
    norm = math.sqrt(sum(map(mul, values, values))) or 1.0
    return Features(buckets, values, norm)


class ModelFormatError(ValueError):
    """A model file that is not ours, or is damaged."""


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
    _rows: Mapping[int, int] = field(init=False, repr=False, compare=False)
    """Bucket → row in ``_columns``, for buckets any category weighs."""
    _columns: tuple[tuple[float, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # One lookup per feature, then one C-level pass per category over the hits only.
        buckets = sorted(set().union(*(cat.weights for cat in self.categories.values())))
        object.__setattr__(self, "_rows", {bucket: row for row, bucket in enumerate(buckets)})
        columns = tuple(tuple(map(cat.weights.get, buckets, repeat(0.0))) for cat in self.categories.values())
        object.__setattr__(self, "_columns", columns)

    def score(self, text: str) -> dict[str, float]:
        features = featurize(text, self.spec)
        return self.score_features(features)

    def score_features(self, features: Features) -> dict[str, float]:
        rows: list[int] = []
        values: list[float] = []
        lookup = self._rows.get
        for bucket, value in zip(features.buckets, features.values, strict=True):
            row = lookup(bucket)
            if row is not None:
                rows.append(row)
                values.append(value)
        scores: dict[str, float] = {}
        for (name, cat), column in zip(self.categories.items(), self._columns, strict=True):
            dot = sum(map(mul, map(column.__getitem__, rows), values))
            scores[name] = _sigmoid(cat.bias + dot / features.norm)
        return scores

    @property
    def thresholds(self) -> dict[str, float]:
        return {name: cat.threshold for name, cat in self.categories.items()}

    def to_json(self, weight_scale: float = 1e-3) -> dict[str, Any]:
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
