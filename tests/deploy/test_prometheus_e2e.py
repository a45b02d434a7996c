"""A real Prometheus scrapes a live ``/metrics`` under traffic; every dashboard panel shows data.

The app serving ``/metrics`` here is the admin route's handler over a ``Metrics``
driven through its helper methods, one synthetic request story per tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web
from prometheus_client import CollectorRegistry

from proxy.metrics import (
    BypassComponent,
    BypassReason,
    CacheResult,
    CacheTier,
    ClassifierResult,
    Metrics,
    ReloadResult,
    UpstreamFailure,
)
from proxy.metrics_http import metrics_handler
from proxy.policy.decision import Action, Decision, Finding, Phase, RuleKind
from tests.deploy.assets import PanelQuery, dashboard_queries

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
JOB = "modproxy"
# Each query's range: long enough to hold several 1 s scrapes, so rate() has two samples or more.
RATE_INTERVAL = "30s"
SCRAPES_NEEDED = 4
DEADLINE_SECONDS = 25.0

BLOCK = Finding("weapons", "violence", Action.BLOCK, Phase.PROMPT, RuleKind.KEYWORD, 0, 4, "bomb")
REDACT = Finding("pii", "email", Action.REDACT, Phase.RESPONSE, RuleKind.REGEX, 0, 9, "email")


def one_tick(metrics: Metrics, tick: int) -> None:
    """A handful of requests touching every metric, like a minute of real traffic in miniature."""
    with metrics.track_inflight():
        metrics.observe_request("chat_completions", 200, 0.8)
        metrics.observe_request("chat_completions", 502, 0.05)
        metrics.observe_request("moderations", 200, 0.01)
    metrics.observe_upstream(200, 0.7)
    metrics.observe_upstream(UpstreamFailure.TIMEOUT, 5.0)
    metrics.observe_ttft(0.2)
    metrics.observe_moderation(Phase.PROMPT, 0.0007)
    metrics.observe_moderation(Phase.RESPONSE, 0.003)
    metrics.record_decision(Phase.PROMPT, Decision(Action.BLOCK, (BLOCK,), "rev"))
    metrics.record_decision(Phase.RESPONSE, Decision(Action.REDACT, (REDACT,), "rev"))
    metrics.record_decision(Phase.PROMPT, Decision(Action.ALLOW, (), "rev"))
    metrics.record_route_decision("default", Phase.PROMPT, Action.BLOCK)
    metrics.record_stream_cutoff("weapons")
    metrics.record_cache(CacheTier.LOCAL, CacheResult.HIT)
    metrics.record_cache(CacheTier.REDIS, CacheResult.MISS)
    metrics.record_cache(CacheTier.REDIS, CacheResult.ERROR)
    metrics.observe_classifier("openai", ClassifierResult.OK, 0.15)
    metrics.observe_classifier("openai", ClassifierResult.ERROR, 1.0)
    metrics.record_bypass(BypassComponent.CLASSIFIER, BypassReason.ERROR)
    metrics.record_policy_reload(ReloadResult.SUCCESS if tick % 2 else ReloadResult.FAILURE)
    metrics.set_policy_revision(f"rev{tick % 2}", {RuleKind.KEYWORD: 40, RuleKind.REGEX: 3})
    metrics.record_tokens(prompt=20, completion=50)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True, slots=True)
class Target:
    port: int


@pytest.fixture
async def target() -> AsyncIterator[Target]:
    metrics = Metrics(CollectorRegistry())
    app = web.Application()
    app.router.add_get("/metrics", metrics_handler(metrics.registry))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]

    async def traffic() -> None:
        tick = 0
        while True:
            one_tick(metrics, tick)
            tick += 1
            await asyncio.sleep(0.1)

    task = asyncio.create_task(traffic())
    yield Target(port)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await runner.cleanup()


@dataclass(frozen=True, slots=True)
class Prometheus:
    url: str


@pytest.fixture
def prometheus(target: Target, tmp_path: Path) -> Iterator[Prometheus]:
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "scrape_configs": [
            {"job_name": JOB, "static_configs": [{"targets": [f"127.0.0.1:{target.port}"]}]},
        ],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    log = (tmp_path / "prometheus.log").open("w")
    process = subprocess.Popen(
        [
            PROMETHEUS,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield Prometheus(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


async def instant_query(session: aiohttp.ClientSession, prom: Prometheus, expr: str) -> list[dict[str, Any]]:
    async with session.get(f"{prom.url}/api/v1/query", params={"query": expr}) as response:
        body = await response.json()
    assert body["status"] == "success", body
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


async def wait_for_scrapes(session: aiohttp.ClientSession, prom: Prometheus) -> None:
    expr = f'count_over_time(modproxy_build_info{{job="{JOB}"}}[{RATE_INTERVAL}])'
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE_SECONDS
    while loop.time() < deadline:
        with contextlib.suppress(aiohttp.ClientConnectionError):
            result = await instant_query(session, prom, expr)
            if result and float(result[0]["value"][1]) >= SCRAPES_NEEDED:
                return
        await asyncio.sleep(0.25)  # polling an external process that has no event to await
    pytest.fail(f"Prometheus stored fewer than {SCRAPES_NEEDED} scrapes within {DEADLINE_SECONDS}s")


def as_grafana_would(query: PanelQuery) -> str:
    return query.expr.replace("$__rate_interval", RATE_INTERVAL).replace("$job", JOB)


async def test_every_dashboard_panel_shows_data_from_a_real_prometheus(prometheus: Prometheus) -> None:
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        await wait_for_scrapes(session, prometheus)
        empty = []
        for query in dashboard_queries():
            result = await instant_query(session, prometheus, as_grafana_would(query))
            values = [float(series["value"][1]) for series in result]
            if not any(math.isfinite(v) for v in values):
                empty.append(f"{query.panel}: {query.expr} -> {values}")
    assert empty == []
