"""``builtin``: the embedded linear model behind the :class:`Classifier` protocol.

The model scores short windows of a text and the worst window decides, so one harmful
sentence is not diluted by pages of harmless ones. Short texts are scored right on the
event loop (a fraction of a millisecond, less than a hop to a thread costs); longer ones,
windowing included, go to the executor's threads, or without one are scored on the loop a
few windows at a time. A semaphore bounds how many texts are being scored at once.

Threads, not processes: the large numpy steps release the interpreter lock, so the event
loop keeps running while a thread scores, and worker processes measured no faster through
the proxy while costing a second copy of the model, a pickled hop per text and a start-up
(``bench/bench_classifier.py``; ``serve --workers N`` is how the proxy uses more cores).
The scoring threads run at a lower CPU priority (:func:`lower_thread_priority`): when the
cores are busy the event loop's thread runs first, which is what keeps its stalls short.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Mapping
from concurrent.futures import Executor

from proxy.classifiers.builtin_model import LinearModel
from proxy.classifiers.segment import combine_max, split_text
from proxy.policy.decision import Phase

WINDOW_CHARS = 512
WINDOW_OVERLAP = 64
INLINE_CHARS = 1024
COOPERATIVE_WINDOWS = 4
"""Windows scored between two turns of the event loop when there is no executor (~0.5 ms)."""
MAX_CHARS = 1 << 20
SCORING_NICENESS = 10


def lower_thread_priority() -> None:
    """Lower the calling thread's CPU priority (a thread pool's initializer); Linux only.

    Linux keeps a nice value per thread, so this leaves the event loop's thread alone; elsewhere
    it would lower the whole process, so it does nothing."""
    if sys.platform == "linux":
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), SCORING_NICENESS)


def score_text(model: LinearModel, text: str, window: int, overlap: int) -> dict[str, float]:
    """Split ``text`` into windows and score them all; the worst window decides, per category."""
    return model.score_windows(split_text(text, window, overlap))


class BuiltinClassifier:
    def __init__(
        self,
        model: LinearModel,
        *,
        name: str = "builtin",
        executor: Executor | None = None,
        max_concurrency: int = 2,
        inline_chars: int = INLINE_CHARS,
        window_chars: int = WINDOW_CHARS,
        window_overlap: int = WINDOW_OVERLAP,
    ) -> None:
        self._model = model
        self._name = name
        self._executor = executor
        self._gate = asyncio.Semaphore(max_concurrency)
        self._inline_chars = inline_chars
        self._window = window_chars
        self._overlap = window_overlap

    @property
    def name(self) -> str:
        return self._name

    @property
    def max_chars(self) -> int:
        return MAX_CHARS

    @property
    def model(self) -> LinearModel:
        return self._model

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(self._model.categories)

    def score_sync(self, text: str) -> dict[str, float]:
        """Score on the calling thread (CLI, benchmarks, tests)."""
        return score_text(self._model, text, self._window, self._overlap)

    async def score(self, text: str, phase: Phase) -> Mapping[str, float]:
        if len(text) <= self._inline_chars:
            return self.score_sync(text)
        async with self._gate:
            if self._executor is not None:
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(
                    self._executor, score_text, self._model, text, self._window, self._overlap
                )
            return await self._score_cooperatively(text)

    async def _score_cooperatively(self, text: str) -> dict[str, float]:
        windows = split_text(text, self._window, self._overlap)
        results: list[dict[str, float]] = []
        for start in range(0, len(windows), COOPERATIVE_WINDOWS):
            await asyncio.sleep(0)
            results.append(self._model.score_windows(windows[start : start + COOPERATIVE_WINDOWS]))
        return combine_max(results)
