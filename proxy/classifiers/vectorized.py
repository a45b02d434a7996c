"""The built-in model's serving path: every window of a text scored in one numpy pass.

Same features as the plain-Python reference (:func:`proxy.classifiers.builtin_model.featurize`),
computed over the code-point array of all windows at once: n-gram hashes grow one
character at a time (a polynomial over the code points, then a mixing step), one sort
counts each window's buckets, and a gather from a compact weight matrix gives every
window's score for every category. Large numpy operations release the interpreter lock,
so a worker thread scoring a long text leaves the event loop room to run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from proxy.classifiers.features import GRAM_MULTIPLIER, MIX_1, MIX_2, ORDER_SALT, FeatureSpec

FloatArray = npt.NDArray[np.float64]
_U64 = npt.NDArray[np.uint64]


def _mix(z: _U64) -> _U64:
    """SplitMix64's finaliser, in place."""
    z ^= z >> np.uint64(30)
    z *= np.uint64(MIX_1)
    z ^= z >> np.uint64(27)
    z *= np.uint64(MIX_2)
    z ^= z >> np.uint64(31)
    return z


class WindowScorer:
    """Logistic scores of already-normalised windows, one row per window, one column per category."""

    def __init__(
        self, spec: FeatureSpec, biases: Sequence[float], weights: Sequence[Mapping[int, float]]
    ) -> None:
        self._spec = spec
        used = np.array(sorted(set().union(*weights)), dtype=np.int64)
        # Bucket → row of the compact matrix; buckets no category weighs point at a row of zeros.
        self._row_of = np.full(spec.buckets, len(used), dtype=np.int32)
        self._row_of[used] = np.arange(len(used), dtype=np.int32)
        matrix = np.zeros((len(used) + 1, len(weights)), dtype=np.float64)
        for column, category in enumerate(weights):
            if category:
                buckets = np.fromiter(category.keys(), dtype=np.int64, count=len(category))
                matrix[self._row_of[buckets], column] = np.fromiter(
                    category.values(), dtype=np.float64, count=len(category)
                )
        self._matrix = matrix
        self._bias = np.array(biases, dtype=np.float64)

    def scores(self, windows: Sequence[str]) -> FloatArray:
        """Sigmoid scores, shape ``(len(windows), categories)``; each window already normalised."""
        spec = self._spec
        padded = [f" {window} " for window in windows]
        lengths = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
        ends = np.cumsum(lengths)
        codes = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        window_of = np.repeat(np.arange(len(padded), dtype=np.int64), lengths)
        end_of = ends[window_of]
        shift = np.uint64(64 - spec.buckets_log2)
        # (window, bucket) keys; 32-bit ones sort about twice as fast, and usually fit.
        key_type: type[np.signedinteger[Any]] = (
            np.int32 if len(padded) << spec.buckets_log2 < 1 << 31 else np.int64
        )
        window_key: npt.NDArray[np.signedinteger[Any]] = window_of.astype(key_type) << key_type(
            spec.buckets_log2
        )
        keys: list[npt.NDArray[np.signedinteger[Any]]] = []
        poly = codes.copy()
        for n in range(1, spec.ngram_max + 1):
            if n > 1:
                # Grams of order n are grams of order n-1 extended by the next character.
                poly = poly[:-1] * np.uint64(GRAM_MULTIPLIER) + codes[n - 1 :]
            if n < spec.ngram_min or not len(poly):
                continue
            inside = np.arange(len(poly), dtype=np.int64) + n <= end_of[: len(poly)]
            hashed = _mix(poly[inside] + np.uint64(ORDER_SALT * n % (1 << 64)))
            keys.append(window_key[: len(poly)][inside] | (hashed >> shift).astype(key_type))
        unique, counts = np.unique(np.concatenate(keys), return_counts=True)
        values = np.log1p(counts.astype(np.float64))
        window = unique >> spec.buckets_log2
        # np.unique sorts, so each window's buckets are contiguous; every padded window has grams.
        starts = np.searchsorted(window, np.arange(len(padded), dtype=np.int64))
        norms = np.sqrt(np.add.reduceat(values * values, starts))
        rows = self._row_of[unique & (spec.buckets - 1)]
        dots = np.add.reduceat(self._matrix[rows] * values[:, None], starts, axis=0)
        return sigmoid(self._bias + dots / norms[:, None])


def sigmoid(x: FloatArray) -> FloatArray:
    e = np.exp(-np.abs(x))
    result: FloatArray = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return result
