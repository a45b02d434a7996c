"""A circuit breaker, so a dead or slow Redis costs requests nothing once it is known to be down.

Closed: every call goes through; ``failures`` consecutive failures open it. Open: calls are refused
until ``reset_seconds`` have passed, then exactly one trial call is let through (half-open); its
success closes the breaker, its failure opens it for another period.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable


class BreakerState(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(
        self, failures: int, reset_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._threshold = failures
        self._reset_seconds = reset_seconds
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._consecutive = 0
        self._opened_at = 0.0

    @property
    def state(self) -> BreakerState:
        return self._state

    def allow(self) -> bool:
        if self._state is BreakerState.CLOSED:
            return True
        if self._state is BreakerState.OPEN and self._clock() - self._opened_at >= self._reset_seconds:
            self._state = BreakerState.HALF_OPEN
            return True
        return False

    def success(self) -> None:
        self._state = BreakerState.CLOSED
        self._consecutive = 0

    def failure(self) -> None:
        self._consecutive += 1
        if self._state is BreakerState.HALF_OPEN or self._consecutive >= self._threshold:
            self._state = BreakerState.OPEN
            self._opened_at = self._clock()

    def abandon(self) -> None:
        """A call was cancelled before it could tell: let the next caller make the trial."""
        if self._state is BreakerState.HALF_OPEN:
            self._state = BreakerState.OPEN
