"""Worker processes for the built-in model, so scoring long texts never holds the event loop.

Threads are not enough: tokenising and the small numpy steps hold the interpreter lock,
and the event loop waits for it. Under 64 concurrent 16 KB texts the worst loop stall with
two worker processes stays within a few milliseconds of the idle loop's own lateness, about
half what two threads give (``bench/bench_classifier.py``).

Workers are spawned, not forked, so a program that embeds the proxy must guard its entry
point with ``if __name__ == "__main__":`` (``modproxy`` and ``python -m proxy`` do).

Each worker loads a model once, from its file, and keeps it: jobs carry the text and a
:class:`ModelFile`, never the weights. Workers start on first use, in the background, so
``serve`` starts at once and a proxy without built-in classifier policies never spawns
them; until they are ready (and if the pool ever breaks) texts are scored in the caller's
thread pool instead.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from proxy.classifiers.builtin_model import LinearModel, ModelFormatError, load_default_model, load_model
from proxy.classifiers.segment import split_text

log = logging.getLogger("modproxy.classifiers")
WORKER_NICENESS = 10


@dataclass(frozen=True, slots=True)
class ModelFile:
    """Where a worker loads a model from: a file, or ``None`` for the model shipped in the package."""

    path: Path | None = None

    def load(self) -> LinearModel:
        return load_default_model() if self.path is None else load_model(self.path)


def score_text(model: LinearModel, text: str, window: int, overlap: int) -> dict[str, float]:
    """Split ``text`` into windows and score them all; the worst window decides, per category."""
    return model.score_windows(split_text(text, window, overlap))


# Per worker process (each has its own copy): models loaded so far, by file.
_worker_models: dict[ModelFile, LinearModel] = {}


def _worker_start() -> None:
    # Scoring is batch work: when the cores are busy, the event loop's process should run first.
    os.nice(WORKER_NICENESS)
    _worker_models[ModelFile()] = ModelFile().load()


def _worker_score(file: ModelFile, text: str, window: int, overlap: int) -> dict[str, float]:
    model = _worker_models.get(file)
    if model is None:
        model = _worker_models[file] = file.load()
    return score_text(model, text, window, overlap)


def _worker_ready() -> None:
    """A first job: done once a worker has started and loaded the shipped model."""


class ScoringPool:
    """A bounded pool of scoring processes, started on first use and shut down by :meth:`close`."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError("workers must be ≥ 1")
        self._workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self._starting: list[Future[None]] = []
        self._broken = False

    def ready(self) -> bool:
        """Whether jobs can go to the workers now; the first call starts them."""
        if self._broken:
            return False
        if self._executor is None:
            # spawn, not fork: the parent runs an event loop and other threads.
            self._executor = ProcessPoolExecutor(
                self._workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_start
            )
            self._starting = [self._executor.submit(_worker_ready) for _ in range(self._workers)]
        return all(started.done() for started in self._starting)

    async def started(self) -> None:
        """Start the workers, and return once they have loaded the shipped model."""
        self.ready()
        for started in self._starting:
            await asyncio.wrap_future(started)

    async def score(
        self, file: ModelFile, text: str, window: int, overlap: int
    ) -> Mapping[str, float] | None:
        """The scores, or ``None`` when the pool cannot take the job (the caller scores it itself)."""
        if not self.ready() or self._executor is None:
            return None
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, _worker_score, file, text, window, overlap)
        except (OSError, ModelFormatError) as exc:
            # The file changed or vanished since this process loaded it; the caller's copy still works.
            log.warning("built-in classifier worker cannot load %s: %s", file.path, exc)
            return None
        except BrokenProcessPool:
            if not self._broken:
                log.error("built-in classifier worker processes died; scoring in threads from now on")
            self._broken = True
            return None

    async def close(self) -> None:
        """Stop the workers (queued jobs are cancelled; a running one finishes) and wait for them."""
        executor, self._executor = self._executor, None
        self._broken = True
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)
