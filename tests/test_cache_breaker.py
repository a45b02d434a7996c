import pytest

from proxy.cache_breaker import BreakerState, CircuitBreaker


class ManualClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def test_opens_after_consecutive_failures_only(clock: ManualClock) -> None:
    breaker = CircuitBreaker(failures=3, reset_seconds=5, clock=clock)
    breaker.failure()
    breaker.failure()
    breaker.success()
    breaker.failure()
    breaker.failure()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()
    breaker.failure()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()


def test_lets_one_trial_through_after_the_reset_period(clock: ManualClock) -> None:
    breaker = CircuitBreaker(failures=1, reset_seconds=5, clock=clock)
    breaker.failure()
    clock.now += 4.9
    assert not breaker.allow()
    clock.now += 0.1
    assert breaker.allow()
    assert breaker.state is BreakerState.HALF_OPEN
    assert not breaker.allow(), "a second caller waits while the trial is in flight"


def test_a_successful_trial_closes_it(clock: ManualClock) -> None:
    breaker = CircuitBreaker(failures=1, reset_seconds=5, clock=clock)
    breaker.failure()
    clock.now += 5
    assert breaker.allow()
    breaker.success()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()


def test_a_failed_trial_opens_it_for_another_period(clock: ManualClock) -> None:
    breaker = CircuitBreaker(failures=3, reset_seconds=5, clock=clock)
    for _ in range(3):
        breaker.failure()
    clock.now += 5
    assert breaker.allow()
    breaker.failure()
    assert breaker.state is BreakerState.OPEN
    clock.now += 4
    assert not breaker.allow()


def test_an_abandoned_trial_hands_the_trial_to_the_next_caller(clock: ManualClock) -> None:
    breaker = CircuitBreaker(failures=1, reset_seconds=5, clock=clock)
    breaker.failure()
    clock.now += 5
    assert breaker.allow()
    breaker.abandon()
    assert breaker.allow()
