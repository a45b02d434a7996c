"""What the built-in model reads: normalised text, hashed character n-grams, log-scaled counts.

The text is folded by the policy engine's normalizer (:mod:`proxy.policy.normalize`: width,
case, invisible characters, homoglyphs, leetspeak, traditional → simplified), so a model
reads ``k1ll``, ``kіll`` (Cyrillic і) and ``殺`` as a keyword policy does. Its separator
step would join every word, and character n-grams need the word boundaries; here only
spaced-out characters are joined (``k i l l``, ``k.i.l.l``, ``自 杀``).

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
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from operator import mul
from typing import Any

from proxy.policy.normalize import BARRIER, MAX_SEPARATOR_RUN, NormalizeOptions, normalizer

DEFAULT_BUCKETS_LOG2 = 18
DEFAULT_NGRAMS = (1, 4)
HASH = "poly-splitmix64"
NORMALIZE = "policy-fold-1+spaced-chars"
"""The normalisation a model was trained under; a model under any other is refused."""
GRAM_MULTIPLIER = 0x100000001B3
ORDER_SALT = 0x9E3779B97F4A7C15
MIX_1 = 0xBF58476D1CE4E5B9
MIX_2 = 0x94D049BB133111EB
_MASK64 = (1 << 64) - 1


class ModelFormatError(ValueError):
    """A model file that is not ours, or is damaged."""


# Everything the keyword fold does except joining words: see the module docstring.
_FOLD = normalizer(NormalizeOptions(separators=0))
# A separator: neither letter nor digit, and not clause punctuation (which ends a phrase).
_SEP = f"(?:(?![,;:!?。、，；：！？])[\\W_]){{1,{MAX_SEPARATOR_RUN}}}"
_CHAR = r"[^\W_]"
# At least three single characters, each one away from the next by a short separator run. The
# match takes the separator before the first one too (and a text gets a space in front): a
# pattern that starts with a character class lets the regex engine skip ahead to candidates,
# where a leading look-behind would make it try a match at every position.
_SPACED = re.compile(rf"([\W_])({_CHAR}(?:{_SEP}{_CHAR}(?!{_CHAR})){{2,}})")
_SEP_ONLY = re.compile(_SEP)
# Chinese puts no space between characters: any short separator run between two is filler.
_HAN = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_HAN_GAP = re.compile(f"({_HAN}){_SEP}(?={_HAN})")


def _join(match: re.Match[str]) -> str:
    return match.group(1) + _SEP_ONLY.sub("", match.group(2))


def normalize(text: str) -> str:
    """The policy fold (no word joining), whitespace collapsed, spaced-out characters joined."""
    text = " ".join(_FOLD.normalize(text).text.replace(BARRIER, " ").split())
    if not text.isascii():
        text = _HAN_GAP.sub(r"\1", text)
    return _SPACED.sub(_join, f" {text}")[1:]


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
            "normalize": NORMALIZE,
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
        if data.get("normalize") != NORMALIZE:
            raise ModelFormatError(
                f"model trained under text normalisation {data.get('normalize')!r}, this modproxy uses"
                f" {NORMALIZE!r} (a model from an earlier modproxy: train it again with `modproxy train`)"
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
