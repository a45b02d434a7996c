"""The built-in model's serving path: every window of a text scored in one numpy pass.

Same features as the plain-Python reference (:func:`proxy.classifiers.builtin_model.featurize`),
computed over the code-point array of all windows at once: n-gram hashes grow one
character at a time (a polynomial over the code points, then a mixing step), one sort
counts each window's buckets, and a gather from a compact weight matrix gives every
window's score for every category. Large numpy operations release the interpreter lock,
so a worker thread scoring a long text leaves the event loop room to run.
"""

from __future__ import annotations

import itertools
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


DENSE_WINDOWS = 16
"""Up to this many windows, per-window sums are a product over each window's slice of the keys
(fast for the few windows of a prompt); beyond, segment sums, which stay linear in the text."""

_LOG1P = np.log1p(np.arange(4096, dtype=np.float64))
"""``log1p`` of every count a bucket of a window usually holds, looked up instead of computed."""

WEIGHT_QUANTUM = 2e-3
"""The step of the model file's integer weights (``LinearModel.to_json``'s default scale)."""


class WindowScorer:
    """Logistic scores of already-normalised windows, one row per window, one column per category.

    Serving is bound by memory, not arithmetic: each scored gram gathers a row of the weight
    matrix, scattered over megabytes that the rest of the proxy evicts from the CPU caches
    between two requests (scores measured twice as slow cold as warm). So the matrix is kept
    small: one row per bucket some category weighs (a ``uint16`` index when they fit), and, for
    weights that are whole multiples of the model file's quantum, ``int16`` multiples of it —
    1.5 MB instead of 5 MB for the shipped model, and the same sums.
    """

    def __init__(
        self, spec: FeatureSpec, biases: Sequence[float], weights: Sequence[Mapping[int, float]]
    ) -> None:
        self._spec = spec
        used = np.array(sorted(set().union(*weights)), dtype=np.int64)
        index_type = np.uint16 if len(used) < 1 << 16 else np.int32
        # Bucket → row of the compact matrix; buckets no category weighs point at a row of zeros.
        self._row_of = np.full(spec.buckets, len(used), dtype=index_type)
        self._row_of[used] = np.arange(len(used), dtype=index_type)
        matrix = np.zeros((len(used) + 1, len(weights)), dtype=np.float64)
        for column, category in enumerate(weights):
            if category:
                buckets = np.fromiter(category.keys(), dtype=np.int64, count=len(category))
                matrix[self._row_of[buckets], column] = np.fromiter(
                    category.values(), dtype=np.float64, count=len(category)
                )
        steps = np.rint(matrix / WEIGHT_QUANTUM)
        if np.abs(steps).max(initial=0) < 1 << 15 and np.array_equal(steps * WEIGHT_QUANTUM, matrix):
            self._matrix: npt.NDArray[Any] = steps.astype(np.int16)
            self._scale = WEIGHT_QUANTUM
        else:
            self._matrix, self._scale = matrix, 1.0
        self._bias = np.array(biases, dtype=np.float64)
        self._salts = [np.uint64(ORDER_SALT * n % (1 << 64)) for n in range(spec.ngram_max + 1)]

    def scores(self, windows: Sequence[str]) -> FloatArray:
        """Sigmoid scores, shape ``(len(windows), categories)``; each window already normalised."""
        spec = self._spec
        count = len(windows)
        padded = [f" {window} " for window in windows]
        codes = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        # (window, bucket) keys; 32-bit ones sort about twice as fast, and usually fit.
        key_type: type[np.signedinteger[Any]] = (
            np.int32 if (count + 1) << spec.buckets_log2 < 1 << 31 else np.int64
        )
        grams: list[_U64] = []
        owners: list[npt.NDArray[np.signedinteger[Any]]] = []
        if count > 1:
            lengths = np.fromiter(map(len, padded), dtype=np.int64, count=count)
            ends = np.cumsum(lengths)
            window_of = np.repeat(np.arange(count, dtype=key_type), lengths)
        poly = codes
        for n in range(1, spec.ngram_max + 1):
            if n > 1:
                # Grams of order n are grams of order n-1 extended by the next character.
                poly = poly[:-1] * np.uint64(GRAM_MULTIPLIER) + codes[n - 1 :]
            if n < spec.ngram_min or not len(poly):
                continue
            grams.append(poly + self._salts[n])
            if count > 1:
                # A gram that starts less than n characters before the end of a window runs into
                # the next one (a window may be shorter than n): it goes to window ``count``,
                # which is dropped.
                owner = window_of[: len(poly)].copy()
                if n > 1:
                    crossing = (ends[:-1, None] - np.arange(1, n)).ravel()
                    owner[crossing[(crossing >= 0) & (crossing < len(poly))]] = count
                owners.append(owner)
        buckets = (_mix(np.concatenate(grams)) >> np.uint64(64 - spec.buckets_log2)).astype(key_type)
        if count > 1:
            buckets |= np.concatenate(owners) << key_type(spec.buckets_log2)
        keys = buckets
        keys.sort()
        # Each distinct (window, bucket) key once, with its count.
        first = np.empty(len(keys), dtype=bool)
        first[0] = True
        np.not_equal(keys[1:], keys[:-1], out=first[1:])
        at = np.flatnonzero(first)
        unique = keys[at]
        counts = np.empty(len(at), dtype=np.intp)
        np.subtract(at[1:], at[:-1], out=counts[:-1])
        counts[-1] = len(keys) - at[-1]
        # A window's counts are small (a bucket holds at most every gram of the window): a table.
        values = np.take(_LOG1P, counts) if counts.max() < len(_LOG1P) else np.log1p(counts)
        if count > 1:
            # Sorted keys keep each window's buckets together and the dropped window's last.
            kept = int(np.searchsorted(unique, key_type(count) << key_type(spec.buckets_log2)))
            unique, values = unique[:kept], values[:kept]
        # ``take`` copies whole rows; fancy indexing of a 2-D array goes element by element.
        weights = np.take(self._matrix, self._row_of[unique & (spec.buckets - 1)], axis=0).astype(np.float64)
        if count == 1:
            norms = np.sqrt(values @ values)
            dots = (values @ weights)[None, :]
        else:
            if count <= DENSE_WINDOWS:
                # Sorted keys hold each window's run together: a few products over slices.
                bounds = np.searchsorted(unique, np.arange(count + 1) << spec.buckets_log2).tolist()
                norms = np.empty((count, 1), dtype=np.float64)
                dots = np.empty((count, weights.shape[1]), dtype=np.float64)
                for i, (a, b) in enumerate(itertools.pairwise(bounds)):
                    part = values[a:b]
                    norms[i, 0] = part @ part
                    dots[i] = part @ weights[a:b]
                norms = np.sqrt(norms)
            else:
                owner = unique >> spec.buckets_log2
                # Every padded window has grams, so no window's run of keys is empty.
                starts = np.searchsorted(owner, np.arange(count, dtype=owner.dtype))
                norms = np.sqrt(np.add.reduceat(values * values, starts))[:, None]
                dots = np.add.reduceat(weights * values[:, None], starts, axis=0)
        return sigmoid(self._bias + dots * (self._scale / norms))


def sigmoid(x: FloatArray) -> FloatArray:
    # tanh saturates instead of overflowing, so no branch per sign is needed (one ufunc, not five)
    result: FloatArray = 0.5 + 0.5 * np.tanh(0.5 * x)
    return result
