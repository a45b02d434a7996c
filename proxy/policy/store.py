"""The serving policy set and its safe replacement.

A reload builds a whole new immutable :class:`PolicySet` and then swaps one
reference; a request reads :attr:`PolicyStore.current` once and keeps that set to
the end, so a reload never changes a verdict half way. A set that fails to build
is rejected: the last good set keeps serving and the problems (``file:line``) are
kept for ``/readyz`` and the admin API.

Everything the store exposes is one immutable :class:`StoreStatus` value, swapped
together with the set, so a reader on another thread never sees half an update.
This module is synchronous: ``proxy.moderation.policy_watch`` runs :meth:`PolicyStore.reload`
in a worker thread and watches the files. The store knows a set only by its
revision and rule counts (:class:`ServingSet`); ``proxy.policy.source`` adapts the
engine's loader to the :data:`Loader` contract.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Generic, Protocol, TypeVar


class ServingSet(Protocol):
    @property
    def revision(self) -> str: ...

    @property
    def rule_counts(self) -> Mapping[str, Any]: ...


S = TypeVar("S", bound=ServingSet)
Clock = Callable[[], float]


class ReloadOutcome(enum.StrEnum):
    LOADED = "loaded"
    UNCHANGED = "unchanged"
    """The new set has the revision already serving; nothing was swapped."""
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class LoadProblem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "message": self.message}


@dataclass(frozen=True, slots=True)
class LoadError:
    at: float
    """Wall-clock time of the failed attempt (seconds since the epoch)."""
    problems: tuple[LoadProblem, ...]

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at, "problems": [p.to_json() for p in self.problems]}


@dataclass(frozen=True, slots=True)
class ReloadResult:
    outcome: ReloadOutcome
    revision: str
    """The revision serving after the attempt (the old one when it failed)."""
    previous_revision: str
    duration_seconds: float
    problems: tuple[LoadProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome is not ReloadOutcome.FAILED

    def to_json(self) -> dict[str, Any]:
        return {
            "result": self.outcome.value,
            "revision": self.revision,
            "previous_revision": self.previous_revision,
            "duration_seconds": round(self.duration_seconds, 6),
            "problems": [p.to_json() for p in self.problems],
        }


@dataclass(frozen=True, slots=True)
class StoreStatus:
    revision: str
    ready: bool
    """A set has been loaded from the policy path (not just the empty placeholder)."""
    loaded_at: float | None
    load_seconds: float | None
    rule_counts: Mapping[str, Any]
    last_error: LoadError | None = None
    reloads: Mapping[ReloadOutcome, int] = field(default_factory=lambda: MappingProxyType({}))

    def to_json(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "ready": self.ready,
            "loaded_at": self.loaded_at,
            "load_seconds": self.load_seconds,
            "policies": {name: _jsonable(counts) for name, counts in self.rule_counts.items()},
            "last_error": self.last_error.to_json() if self.last_error else None,
            "reloads": {outcome.value: self.reloads.get(outcome, 0) for outcome in ReloadOutcome},
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


class LoadFailed(Exception):
    """Raised by a :data:`Loader` when the set cannot be built; carries every problem found."""

    def __init__(self, problems: Sequence[LoadProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems) or "policy set failed to load")
        self.problems = tuple(problems)


Loader = Callable[[], S]
"""Builds a complete new set, or raises :class:`LoadFailed`."""


class PolicyStore(Generic[S]):
    """Holds the serving set; :meth:`reload` is safe to call from any thread.

    ``ready=False`` starts with a placeholder (e.g. an empty set) that is replaced by
    the first successful load; until then the status reports not ready.
    """

    def __init__(self, initial: S, *, ready: bool = True, clock: Clock = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._current = initial
        self._status = StoreStatus(
            revision=initial.revision,
            ready=ready,
            loaded_at=clock() if ready else None,
            load_seconds=None,
            rule_counts=MappingProxyType(dict(initial.rule_counts)),
        )

    @property
    def current(self) -> S:
        return self._current

    @property
    def status(self) -> StoreStatus:
        return self._status

    def reload(self, loader: Loader[S]) -> ReloadResult:
        """Build a new set with ``loader``; swap it in only if it loads."""
        with self._lock:
            previous = self._current
            started = time.perf_counter()
            try:
                candidate = loader()
            except LoadFailed as exc:
                problems = exc.problems or (LoadProblem("", None, str(exc)),)
                return self._failed(previous, started, problems)
            except Exception as exc:  # noqa: BLE001 - a loader bug must not stop the last good set serving
                problem = LoadProblem("", None, f"internal error: {type(exc).__name__}: {exc}")
                return self._failed(previous, started, (problem,))
            elapsed = time.perf_counter() - started
            status = self._status
            outcome = ReloadOutcome.LOADED
            if status.ready and candidate.revision == previous.revision:
                outcome = ReloadOutcome.UNCHANGED
                self._status = replace(status, last_error=None, reloads=_bump(status.reloads, outcome))
            else:
                self._status = StoreStatus(
                    revision=candidate.revision,
                    ready=True,
                    loaded_at=self._clock(),
                    load_seconds=elapsed,
                    rule_counts=MappingProxyType(dict(candidate.rule_counts)),
                    last_error=None,
                    reloads=_bump(status.reloads, outcome),
                )
                self._current = candidate
            return ReloadResult(outcome, self._current.revision, previous.revision, elapsed)

    def _failed(self, previous: S, started: float, problems: tuple[LoadProblem, ...]) -> ReloadResult:
        elapsed = time.perf_counter() - started
        status = self._status
        self._status = replace(
            status,
            last_error=LoadError(self._clock(), problems),
            reloads=_bump(status.reloads, ReloadOutcome.FAILED),
        )
        return ReloadResult(ReloadOutcome.FAILED, previous.revision, previous.revision, elapsed, problems)


def _bump(counts: Mapping[ReloadOutcome, int], outcome: ReloadOutcome) -> Mapping[ReloadOutcome, int]:
    updated = dict(counts)
    updated[outcome] = updated.get(outcome, 0) + 1
    return MappingProxyType(updated)
