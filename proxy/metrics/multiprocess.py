"""Metrics shared by several worker processes on one port (``serve --workers N``).

prometheus-client's multiprocess mode: every worker writes its values to
memory-mapped files in one directory, and whichever worker answers ``/metrics``
reads and aggregates all of them (counters and histograms sum, gauges follow the
mode each gauge declares in :mod:`proxy.metrics.exporter`).

The order matters:

1. the supervisor calls :func:`prepare_multiprocess_dir` once, before any worker
   starts, so no file of an earlier run is counted again;
2. each worker calls :func:`activate_multiprocess` before it builds ``Metrics``
   (with ``multiprocess=True``), and serves :func:`multiprocess_registry`;
3. when a worker exits, the supervisor calls :func:`mark_worker_dead` so its
   ``live*`` gauges (in-flight requests, policy revision) stop counting.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from prometheus_client import CollectorRegistry, values
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

# prometheus-client reads the directory from this variable whenever a value file is opened.
_DIRECTORY_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiprocess_dir(directory: Path) -> None:
    """Empty ``directory`` (creating it if needed): a fresh start for a new set of workers."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)


def activate_multiprocess(directory: Path) -> None:
    """Make metric values created from now on in this process live in ``directory``.

    prometheus-client decides this once per process from its environment; setting
    the variable here also hands the directory to processes this one starts.
    """
    if not directory.is_dir():
        raise ValueError(f"metrics directory {directory} does not exist; prepare it first")
    os.environ[_DIRECTORY_VARIABLE] = str(directory)
    if not is_multiprocess_active():
        values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]


def is_multiprocess_active() -> bool:
    return bool(getattr(values.ValueClass, "_multiprocess", False))


def multiprocess_registry(directory: Path) -> CollectorRegistry:
    """A registry holding only the aggregate of every worker's files: serve this on ``/metrics``."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))  # type: ignore[no-untyped-call]
    return registry


def mark_worker_dead(directory: Path, pid: int) -> None:
    mark_process_dead(pid, path=str(directory))  # type: ignore[no-untyped-call]
