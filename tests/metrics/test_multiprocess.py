"""Two real worker processes write to one directory; the exposition sums them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from proxy.metrics.exporter import render_metrics
from proxy.metrics.multiprocess import mark_worker_dead, multiprocess_registry, prepare_multiprocess_dir

# A worker: records traffic, holds one request in flight, says "ready", then waits for stdin to close.
WORKER = """
import sys
from pathlib import Path
from prometheus_client import CollectorRegistry
from proxy.metrics.exporter import CacheResult, CacheTier, Metrics
from proxy.metrics.multiprocess import activate_multiprocess
from proxy.policy.decision import Phase, RuleKind

activate_multiprocess(Path(sys.argv[1]))
metrics = Metrics(CollectorRegistry(), multiprocess=True)
for _ in range(int(sys.argv[2])):
    metrics.observe_request("chat_completions", 200, 0.5)
metrics.components.record_cache(CacheTier.REDIS, CacheResult.HIT)
metrics.components.set_policy_revision("old", {RuleKind.KEYWORD: 1})
metrics.components.set_policy_revision("new", {RuleKind.KEYWORD: 2})
with metrics.track_inflight():
    print("ready", flush=True)
    sys.stdin.read()
"""


class Worker:
    def __init__(self, directory: Path, requests: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(directory), str(requests)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "ready"

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        assert self.process.wait(timeout=30) == 0
        assert self.process.stdout is not None
        self.process.stdout.close()


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    path = tmp_path / "metrics"
    path.mkdir()
    (path / "counter_99999.db").write_bytes(b"stale file of an earlier run")
    prepare_multiprocess_dir(path)
    return path


@pytest.fixture
def workers(directory: Path) -> Iterator[list[Worker]]:
    started = [Worker(directory, 3), Worker(directory, 4)]
    yield started
    for worker in started:
        if worker.process.returncode is None:
            worker.stop()


def test_prepare_wipes_files_of_an_earlier_run(directory: Path) -> None:
    assert list(directory.iterdir()) == []


def test_counters_histograms_and_gauges_aggregate_across_workers(
    directory: Path, workers: list[Worker]
) -> None:
    registry = multiprocess_registry(directory)
    get = registry.get_sample_value
    assert get("modproxy_requests_total", {"route": "chat_completions", "status": "200"}) == 7
    assert get("modproxy_request_duration_seconds_count", {"route": "chat_completions"}) == 7
    assert get("modproxy_request_duration_seconds_sum", {"route": "chat_completions"}) == pytest.approx(3.5)
    assert get("modproxy_cache_requests_total", {"tier": "redis", "result": "hit"}) == 2
    assert get("modproxy_inflight_requests", {}) == 2
    assert get("modproxy_policy_revision_info", {"revision": "new"}) == 1
    assert get("modproxy_policy_revision_info", {"revision": "old"}) == 0
    assert get("modproxy_policy_rules", {"type": "keyword"}) == 2
    assert b"modproxy_build_info{" in render_metrics(registry).body


def test_a_dead_workers_live_gauges_stop_counting_but_its_counters_remain(
    directory: Path, workers: list[Worker]
) -> None:
    first = workers[0]
    first.stop()
    mark_worker_dead(directory, first.process.pid)
    get = multiprocess_registry(directory).get_sample_value
    assert get("modproxy_inflight_requests", {}) == 1
    assert get("modproxy_requests_total", {"route": "chat_completions", "status": "200"}) == 7
