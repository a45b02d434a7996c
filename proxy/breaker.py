"""A circuit breaker, so a dead or slow dependency (Redis, a classifier backend) costs one timeout
per interval instead of one per request.

closed ──(``failure_threshold`` consecutive failures)──▶ open
open ──(``reset_after_s`` seconds)──▶ half-open: exactly one probe call goes through
half-open ──probe succeeds──▶ closed;  ──probe fails──▶ open again (for another interval)

The caller brackets every call: ``try_acquire()`` before it goes out, then exactly one of
``record_success()``, ``record_failure()`` or ``abandon()`` (cancelled, no verdict) once it ends.
The clock is injected so tests move time instead of sleeping.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass


class BreakerState(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class BreakerConfig:
    failure_threshold: int = 5
    reset_after_s: float = 30.0

    def __post_init__(self) -> None:
        if self.failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if self.reset_after_s <= 0:
            raise ValueError("reset_after_s must be positive")


class CircuitBreaker:
    def __init__(self, config: BreakerConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self._config = config
        self._clock = clock
        self._failures = 0
        self._opened_at = 0.0
        self._state = BreakerState.CLOSED

    @property
    def state(self) -> BreakerState:
        """Half-open as soon as the interval has passed, so callers can tell a probe is due."""
        if self._state is BreakerState.OPEN and self._clock() - self._opened_at >= self._config.reset_after_s:
            return BreakerState.HALF_OPEN
        return self._state

    def try_acquire(self) -> bool:
        """Whether a call may go out now; in half-open, only the first caller gets to probe."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and self._state is BreakerState.OPEN:
            # The probe is in flight: until it reports, everyone else is refused.
            self._state = BreakerState.HALF_OPEN
            return True
        return False

    def record_success(self) -> None:
        self._failures = 0
        self._state = BreakerState.CLOSED

    def record_failure(self) -> None:
        if self._state is BreakerState.HALF_OPEN:
            self._open()
            return
        self._failures += 1
        if self._failures >= self._config.failure_threshold:
            self._open()

    def abandon(self) -> None:
        """The call that was let through ended without a verdict (cancelled): let the next one probe."""
        if self._state is BreakerState.HALF_OPEN:
            self._state = BreakerState.OPEN

    def _open(self) -> None:
        self._state = BreakerState.OPEN
        self._opened_at = self._clock()
        self._failures = 0
