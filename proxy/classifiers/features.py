"""What the built-in model reads: normalised text, hashed character n-grams, log-scaled counts.

:func:`featurize` is the plain-Python reference that training uses and that defines the
features; :mod:`proxy.classifiers.vectorized` computes the same numbers in bulk for
serving, and a test holds the two to each other.

Character n-grams need no word segmentation, which is what makes one model work for
English and Chinese alike; traditional Chinese is folded to simplified first. A gram's
hash is a polynomial over its code points, salted by its length and mixed with
SplitMix64's finaliser, all modulo 2^64: arithmetic numpy does on whole arrays, unlike
a byte-oriented checksum.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from operator import mul
from typing import Any, Protocol

DEFAULT_BUCKETS_LOG2 = 18
DEFAULT_NGRAMS = (1, 3)
HASH = "poly-splitmix64"
GRAM_MULTIPLIER = 0x100000001B3
ORDER_SALT = 0x9E3779B97F4A7C15
MIX_1 = 0xBF58476D1CE4E5B9
MIX_2 = 0x94D049BB133111EB
_MASK64 = (1 << 64) - 1

# Invisible characters people insert to split a word past a filter (a regex: far faster than
# str.translate on non-ASCII text, which is most of the time spent normalising Chinese).
_INVISIBLE = re.compile("[\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff]")


class ModelFormatError(ValueError):
    """A model file that is not ours, or is damaged."""


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@cache
def _t2s() -> _Converter:
    import opencc  # imported on first CJK text only; a process-wide immutable converter

    converter: _Converter = opencc.OpenCC("t2s")
    return converter


def normalize(text: str) -> str:
    """NFKC, casefold, invisible characters dropped, whitespace collapsed, traditional → simplified."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text).casefold())
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
            "hash": HASH,
            "normalize": "nfkc-casefold-t2s",
            "tf": "log1p-bucket-count",
            "norm": "l2",
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FeatureSpec:
        if data.get("kind") != "char-ngrams-hashed" or data.get("hash") != HASH:
            raise ModelFormatError(
                f"unsupported feature kind {data.get('kind')!r}/{data.get('hash')!r}"
                " (a model from an earlier modproxy: train it again with `modproxy train`)"
            )
        spec = cls(int(data["ngram_min"]), int(data["ngram_max"]), int(data["buckets_log2"]))
        if not 1 <= spec.ngram_min <= spec.ngram_max <= 8 or not 8 <= spec.buckets_log2 <= 24:
            raise ModelFormatError(f"feature parameters out of range: {data}")
        return spec


def gram_bucket(gram: str, spec: FeatureSpec) -> int:
    """The bucket of one n-gram."""
    poly = 0
    for char in gram:
        poly = (poly * GRAM_MULTIPLIER + ord(char)) & _MASK64
    z = (poly + ORDER_SALT * len(gram)) & _MASK64
    z = ((z ^ (z >> 30)) * MIX_1) & _MASK64
    z = ((z ^ (z >> 27)) * MIX_2) & _MASK64
    z ^= z >> 31
    return z >> (64 - spec.buckets_log2)


@dataclass(frozen=True, slots=True)
class Features:
    """A sparse, implicitly L2-normalized vector: ``sum(values[i] * w[buckets[i]]) / norm``."""

    buckets: list[int]
    values: list[float]
    norm: float


def featurize(text: str, spec: FeatureSpec) -> Features:
    """The reference features of ``text``: log1p of each bucket's n-gram count, with the L2 norm."""
    padded = f" {normalize(text)} "
    counts = Counter(
        gram_bucket(padded[i : i + n], spec)
        for n in range(spec.ngram_min, spec.ngram_max + 1)
        for i in range(len(padded) - n + 1)
    )
    buckets = sorted(counts)
    values = [math.log1p(counts[bucket]) for bucket in buckets]
    norm = math.sqrt(sum(map(mul, values, values))) or 1.0
    return Features(buckets, values, norm)
