"""``builtin``: the embedded linear model behind the :class:`Classifier` protocol.

The model scores short windows of a text and the worst window decides, so one harmful
sentence is not diluted by pages of harmless ones. Short texts are scored right on the
event loop (well under a millisecond); longer ones go to the executor one window per job,
behind a semaphore: each job is short, so the worker hands the GIL back between jobs and
the event loop never waits long for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from concurrent.futures import Executor

from proxy.classifiers.builtin_model import LinearModel
from proxy.classifiers.segment import combine_max, split_text
from proxy.policy.decision import Phase

WINDOW_CHARS = 512
WINDOW_OVERLAP = 64
INLINE_CHARS = 1024
MAX_CHARS = 1 << 20


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
        return combine_max(map(self._model.score, split_text(text, self._window, self._overlap)))

    async def score(self, text: str, phase: Phase) -> Mapping[str, float]:
        if len(text) <= self._inline_chars:
            return self.score_sync(text)
        windows = split_text(text, self._window, self._overlap)
        results: list[dict[str, float]] = []
        if self._executor is None:
            # Cooperative: one short window at a time, yielding in between, the gate bounding
            # how many windows run between two turns of the loop.
            for window in windows:
                async with self._gate:
                    results.append(self._model.score(window))
                    await asyncio.sleep(0)
            return combine_max(results)
        loop = asyncio.get_running_loop()
        async with self._gate:
            for window in windows:
                results.append(await loop.run_in_executor(self._executor, self._model.score, window))
        return combine_max(results)
