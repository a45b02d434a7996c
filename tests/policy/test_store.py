import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

import pytest

from proxy.policy.store import LoadFailed, LoadProblem, PolicyStore, ReloadOutcome


@dataclass(frozen=True)
class TinySet:
    revision: str
    rule_counts: Mapping[str, int] = field(default_factory=dict)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


def _fail(*problems: LoadProblem) -> TinySet:
    raise LoadFailed(problems)


BAD = LoadProblem("policies/weapons.yaml", 12, "unknown action 'blok'")


def test_successful_reload_swaps_the_set_and_records_it() -> None:
    store = PolicyStore(TinySet("r1", {"a": 1}), clock=Clock())
    result = store.reload(lambda: TinySet("r2", {"a": 2, "b": 5}))
    assert (result.outcome, result.revision, result.previous_revision) == (ReloadOutcome.LOADED, "r2", "r1")
    assert store.current.revision == "r2"
    status = store.status
    assert status.revision == "r2" and status.ready and status.last_error is None
    assert dict(status.rule_counts) == {"a": 2, "b": 5}
    assert status.loaded_at == 1002.0 and status.load_seconds is not None


def test_failed_reload_keeps_the_last_good_set_and_says_where() -> None:
    store = PolicyStore(TinySet("r1"), clock=Clock())
    before = store.current
    result = store.reload(lambda: _fail(BAD))
    assert not result.ok and result.outcome is ReloadOutcome.FAILED
    assert result.problems == (BAD,) and str(BAD) == "policies/weapons.yaml:12: unknown action 'blok'"
    assert store.current is before
    status = store.status
    assert status.revision == "r1" and status.ready
    assert status.last_error is not None and status.last_error.problems == (BAD,)
    assert status.reloads[ReloadOutcome.FAILED] == 1


def test_next_good_reload_clears_the_error() -> None:
    store = PolicyStore(TinySet("r1"))
    store.reload(lambda: _fail(BAD))
    store.reload(lambda: TinySet("r2"))
    assert store.status.last_error is None
    assert store.status.to_json()["reloads"] == {"loaded": 1, "unchanged": 0, "failed": 1}


def test_same_revision_is_unchanged_and_keeps_the_original_object() -> None:
    first = TinySet("r1")
    store = PolicyStore(first)
    result = store.reload(lambda: TinySet("r1"))
    assert result.outcome is ReloadOutcome.UNCHANGED and store.current is first


def test_a_loader_bug_is_a_failed_load_not_a_crash() -> None:
    def buggy() -> TinySet:
        raise KeyError("oops")

    store = PolicyStore(TinySet("r1"))
    result = store.reload(buggy)
    assert result.outcome is ReloadOutcome.FAILED and "internal error: KeyError" in result.problems[0].message
    assert store.current.revision == "r1"


def test_not_ready_until_first_successful_load() -> None:
    store = PolicyStore(TinySet("empty"), ready=False)
    assert not store.status.ready and store.status.loaded_at is None
    store.reload(lambda: _fail(BAD))
    assert not store.status.ready
    # the same revision as the placeholder still counts as the first real load
    assert store.reload(lambda: TinySet("empty")).outcome is ReloadOutcome.LOADED
    assert store.status.ready


def test_a_reader_keeps_the_set_it_took() -> None:
    store = PolicyStore(TinySet("r1"))
    in_flight = store.current
    store.reload(lambda: TinySet("r2"))
    assert in_flight.revision == "r1" and store.current.revision == "r2"


def test_status_json() -> None:
    store = PolicyStore(TinySet("r1", {"weapons": 3}), clock=Clock())
    store.reload(lambda: _fail(BAD))
    data = store.status.to_json()
    assert data["policies"] == {"weapons": 3}
    assert data["last_error"]["problems"] == [
        {"file": "policies/weapons.yaml", "line": 12, "message": "unknown action 'blok'"}
    ]


def test_concurrent_reloads_are_serialised() -> None:
    store = PolicyStore(TinySet("r0"))
    inside = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def slow() -> TinySet:
        inside.set()
        release.wait(5)
        order.append("slow")
        return TinySet("slow")

    def fast() -> TinySet:
        order.append("fast")
        return TinySet("fast")

    t1 = threading.Thread(target=store.reload, args=(slow,))
    t1.start()
    assert inside.wait(5)
    t2 = threading.Thread(target=store.reload, args=(fast,))
    t2.start()
    t2.join(0.05)
    assert t2.is_alive()  # waiting for the first reload's lock
    release.set()
    t1.join(5)
    t2.join(5)
    assert order == ["slow", "fast"] and store.current.revision == "fast"


@pytest.mark.parametrize(
    ("problem", "text"),
    [
        (LoadProblem("a.yaml", 3, "bad"), "a.yaml:3: bad"),
        (LoadProblem("a.yaml", None, "missing"), "a.yaml: missing"),
    ],
)
def test_problem_text(problem: LoadProblem, text: str) -> None:
    assert str(problem) == text
