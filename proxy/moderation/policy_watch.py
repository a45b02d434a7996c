"""Live policy reload: build new sets off the event loop, and watch the files they come from.

:class:`PolicyReloader` runs :meth:`PolicyStore.reload` in a worker thread (one
reload at a time), logs a rejected set with ``file:line`` and tells its observers
(metrics, audit) about every attempt. :class:`PolicyWatcher` polls a fingerprint
of the policy path and of every file the serving set references, and asks the
reloader for a reload once a change has settled.

Polling, rather than inotify, is deliberate: it sees Kubernetes ConfigMap updates
(the kubelet swaps a ``..data`` symlink atomically, so no watched file is ever
written) and works the same on every filesystem and platform, at the cost of one
``stat`` per file per interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import stat
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic

from proxy.policy.store import Loader, PolicyStore, ReloadOutcome, ReloadResult, S

log = logging.getLogger("modproxy.policy")

ReloadObserver = Callable[[ReloadResult, str, Mapping[str, Any]], None]
"""``on_reload(result, revision, rule_counts)``: called on the event loop after every attempt."""


class PolicyReloader(Generic[S]):
    def __init__(
        self,
        store: PolicyStore[S],
        loader: Loader[S],
        *,
        executor: Executor | None = None,
        observers: Sequence[ReloadObserver] = (),
    ) -> None:
        self._store = store
        self._loader = loader
        self._executor = executor
        self._observers = list(observers)
        self._lock = asyncio.Lock()

    @property
    def store(self) -> PolicyStore[S]:
        return self._store

    def add_observer(self, observer: ReloadObserver) -> None:
        self._observers.append(observer)

    async def reload(self, trigger: str = "manual") -> ReloadResult:
        async with self._lock:
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(self._executor, self._store.reload, self._loader)
        if result.outcome is ReloadOutcome.FAILED:
            log.error(
                "policy reload (%s) rejected, still serving revision %s: %s",
                trigger, result.revision, "; ".join(str(p) for p in result.problems),
            )  # fmt: skip
        elif result.outcome is ReloadOutcome.LOADED:
            log.info(
                "policy reload (%s): revision %s -> %s in %.3fs",
                trigger, result.previous_revision, result.revision, result.duration_seconds,
            )  # fmt: skip
        status = self._store.status
        for observer in self._observers:
            observer(result, status.revision, status.rule_counts)
        return result


@dataclass(frozen=True, slots=True)
class FileStamp:
    path: str
    target: str
    """Where the path resolves to, so swapping a symlink is a change even if sizes and times match."""
    size: int
    mtime_ns: int
    inode: int
    digest: str = ""
    """Content hash, only for files modified in the last few seconds (see ``_RACY_NS``)."""


# Filesystem timestamps tick coarsely (often 4 ms, 1-2 s on some), so two same-size writes in
# one tick look identical by stat alone. Like git's "racily clean" check, hash recent files.
_RACY_NS = 3_000_000_000


Fingerprint = frozenset[FileStamp]


def fingerprint(paths: Iterable[Path]) -> Fingerprint:
    """Stamps of every file under ``paths`` (recursively, following symlinks, skipping dot names)."""
    stamps: set[FileStamp] = set()
    for root in paths:
        stamps.update(_stamps(Path(root)))
    return frozenset(stamps)


def _stamps(path: Path) -> Iterable[FileStamp]:
    missing = FileStamp(str(path), "", -1, -1, -1)
    try:
        st = os.stat(path)
        # Only a symlink can point elsewhere next time; resolving every path each poll was most
        # of a poll's cost.
        target = os.path.realpath(path) if os.path.islink(path) else str(path)
    except OSError:
        return (missing,)
    if not stat.S_ISDIR(st.st_mode):
        digest = _digest(path) if time.time_ns() - st.st_mtime_ns < _RACY_NS else ""
        return (FileStamp(str(path), target, st.st_size, st.st_mtime_ns, st.st_ino, digest),)
    out: list[FileStamp] = [FileStamp(str(path), target, 0, st.st_mtime_ns, st.st_ino)]
    # ConfigMap volumes keep the real files in ``..<timestamp>`` dirs behind ``..data``;
    # the visible names are symlinks into it, whose resolved targets change on every update.
    for dirpath, dirnames, filenames in os.walk(path, followlinks=True):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                out.extend(_stamps(Path(dirpath) / name))
    return out


def _digest(path: Path) -> str:
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return "unreadable"


class PolicyWatcher:
    """Polls ``paths()`` every ``interval`` seconds; reloads once a change has held for ``settle`` seconds."""

    def __init__(
        self,
        reloader: PolicyReloader[Any],
        paths: Callable[[], Iterable[Path]],
        *,
        interval: float = 1.0,
        settle: float | None = None,
    ) -> None:
        self._reloader = reloader
        self._paths = paths
        self._interval = interval
        # An editor saving several files, or a ConfigMap sync, lands as a burst: wait it out.
        self._settle = interval if settle is None else settle

    async def _scan(self) -> Fingerprint:
        # Both off the loop: finding the paths may read rule files.
        return await asyncio.to_thread(lambda: fingerprint(list(self._paths())))

    async def run(self, baseline: Fingerprint | None = None) -> None:
        """Poll forever; ``baseline`` is the state the serving set was loaded from (default: now)."""
        seen = baseline if baseline is not None else await self._scan()
        pending: Fingerprint | None = None
        stable_polls = 0
        while True:
            await asyncio.sleep(self._interval)
            now = await self._scan()
            if now == seen:
                pending = None
                continue
            if now != pending:
                pending, stable_polls = now, 0
            else:
                stable_polls += 1
            if stable_polls * self._interval < self._settle:
                continue
            await self._reloader.reload("watch")
            # Not a fresh scan: an edit landing during the reload must still be seen next poll.
            # If the new set references other files, the next scan differs and reloads once more
            # (a cheap "unchanged" result).
            seen, pending = now, None

    @contextlib.asynccontextmanager
    async def running(self, baseline: Fingerprint | None = None) -> AsyncIterator[asyncio.Task[None]]:
        """Run the watcher for the duration of the block (pairs with an aiohttp ``cleanup_ctx``).

        Any change made after entering the block is seen: the baseline scan is done first.
        """
        if baseline is None:
            baseline = await self._scan()
        task = asyncio.create_task(self.run(baseline), name="policy-watcher")
        try:
            yield task
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
