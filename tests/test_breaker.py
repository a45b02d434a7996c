from __future__ import annotations

import pytest

from proxy.breaker import BreakerConfig, BreakerState, CircuitBreaker
from tests.fixtures.clock import ManualClock


def make(clock: ManualClock, threshold: int = 3, reset: float = 10.0) -> CircuitBreaker:
    return CircuitBreaker(BreakerConfig(failure_threshold=threshold, reset_after_s=reset), clock)


def opened(clock: ManualClock, threshold: int = 3, reset: float = 10.0) -> CircuitBreaker:
    breaker = make(clock, threshold, reset)
    for _ in range(threshold):
        breaker.record_failure()
    return breaker


def test_stays_closed_below_the_threshold(clock: ManualClock) -> None:
    breaker = make(clock)
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.try_acquire()


def test_only_consecutive_failures_open_it(clock: ManualClock) -> None:
    breaker = make(clock)
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.try_acquire()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.try_acquire()


@pytest.mark.parametrize("threshold", [1, 3])
def test_opens_at_the_threshold_and_refuses_calls_for_the_interval(
    clock: ManualClock, threshold: int
) -> None:
    breaker = opened(clock, threshold)
    assert breaker.state is BreakerState.OPEN
    assert not breaker.try_acquire()
    clock.advance(9.75)
    assert not breaker.try_acquire()
    clock.advance(0.25)
    assert breaker.try_acquire(), "the probe is due exactly when the interval has passed"


def test_half_open_lets_exactly_one_probe_through(clock: ManualClock) -> None:
    breaker = opened(clock)
    clock.advance(10)
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.try_acquire()
    assert breaker.state is BreakerState.HALF_OPEN
    assert not breaker.try_acquire(), "a second caller waits while the probe is in flight"


@pytest.mark.parametrize(
    ("probe_succeeds", "state_after"), [(True, BreakerState.CLOSED), (False, BreakerState.OPEN)]
)
def test_the_probe_decides(clock: ManualClock, probe_succeeds: bool, state_after: BreakerState) -> None:
    breaker = opened(clock)
    clock.advance(10)
    assert breaker.try_acquire()
    if probe_succeeds:
        breaker.record_success()
    else:
        breaker.record_failure()
    assert breaker.state is state_after
    assert breaker.try_acquire() is probe_succeeds


def test_a_failed_probe_opens_for_a_whole_new_interval(clock: ManualClock) -> None:
    breaker = opened(clock)
    clock.advance(15)
    assert breaker.try_acquire()
    breaker.record_failure()
    clock.advance(9)
    assert not breaker.try_acquire()
    clock.advance(1)
    assert breaker.try_acquire()


def test_an_abandoned_probe_lets_the_next_caller_probe(clock: ManualClock) -> None:
    breaker = opened(clock)
    clock.advance(10)
    assert breaker.try_acquire()
    breaker.abandon()
    assert breaker.try_acquire()


@pytest.mark.parametrize(("threshold", "reset"), [(0, 1.0), (1, 0.0), (1, -5.0)])
def test_config_is_validated(threshold: int, reset: float) -> None:
    with pytest.raises(ValueError):
        BreakerConfig(failure_threshold=threshold, reset_after_s=reset)
