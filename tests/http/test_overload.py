"""Overload: past the in-flight cap or while the event loop lags, new requests get a quick 503."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from proxy.http.handlers import SERVICES
from tests.fixtures.upstream import LoopbackUpstream, Reply, RunningProxy, StartProxy, chat_chunks

CHAT = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


def shed(proxy: RunningProxy, reason: str) -> float:
    registry = proxy.app[SERVICES].metrics.registry
    return registry.get_sample_value("modproxy_shed_requests_total", {"reason": reason}) or 0.0


def busy(seconds: float) -> None:
    """The overload under test: CPU work that holds the event loop."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_past_the_inflight_cap_new_requests_get_503_and_readyz_drains(
    start_proxy: StartProxy, upstream: LoopbackUpstream, http: aiohttp.ClientSession
) -> None:
    upstream.script("/v1/chat/completions", Reply(events=chat_chunks("a", "b"), hold_after=1))
    proxy = await start_proxy(settings={"limits.max_inflight": 2, "limits.retry_after": 3})
    streams = [
        await http.post(f"{proxy.url}/v1/chat/completions", json={**CHAT, "stream": True}) for _ in range(2)
    ]
    for stream in streams:
        await stream.content.readuntil(b"\n\n")

    started = time.monotonic()
    async with http.post(f"{proxy.url}/v1/chat/completions", json=CHAT) as response:
        assert response.status == 503
        assert response.headers["Retry-After"] == "3"
        error = (await response.json())["error"]
    assert time.monotonic() - started < 5  # answered at once, not queued behind the held streams
    assert (error["type"], error["code"]) == ("service_unavailable", "overloaded")
    async with http.get(f"{proxy.url}/readyz") as response:
        assert response.status == 503
        assert (await response.json())["checks"]["load"] is False
    async with http.get(f"{proxy.url}/healthz") as response:
        assert response.status == 200  # liveness is not load: the process must not be restarted
    assert shed(proxy, "inflight") == 1
    assert len(upstream.requests) == 2  # the shed request never reached the upstream

    upstream.release.set()
    for stream in streams:
        assert (await stream.read()).endswith(b"data: [DONE]\n\n")
        stream.release()
    async with http.post(f"{proxy.url}/v1/chat/completions", json=CHAT) as response:
        assert response.status == 200
    async with http.get(f"{proxy.url}/readyz") as response:
        assert response.status == 200


async def test_while_the_event_loop_lags_new_requests_get_503(
    start_proxy: StartProxy, http: aiohttp.ClientSession
) -> None:
    proxy = await start_proxy(settings={"limits.max_loop_lag": 0.15})
    lagging = True

    async def hog() -> None:
        while lagging:
            busy(0.3)
            await asyncio.sleep(0)

    task = asyncio.create_task(hog())
    try:
        statuses = set()
        deadline = time.monotonic() + 10
        while 503 not in statuses and time.monotonic() < deadline:
            async with http.post(f"{proxy.url}/v1/chat/completions", json=CHAT) as response:
                statuses.add(response.status)
                if response.status == 503:
                    assert (await response.json())["error"]["code"] == "overloaded"
        assert 503 in statuses
        assert shed(proxy, "loop_lag") >= 1
    finally:
        lagging = False
        await task
    deadline = time.monotonic() + 10
    while True:  # the next lag sample, 0.1 s on, clears it
        async with http.post(f"{proxy.url}/v1/chat/completions", json=CHAT) as response:
            if response.status == 200:
                break
        assert time.monotonic() < deadline


async def test_lag_shedding_can_be_turned_off(start_proxy: StartProxy, http: aiohttp.ClientSession) -> None:
    proxy = await start_proxy(settings={"limits.max_loop_lag": 0})
    registry = proxy.app[SERVICES].metrics.registry
    lags = []
    for _ in range(3):
        busy(0.3)  # as above, with shedding off
        async with http.post(f"{proxy.url}/v1/chat/completions", json=CHAT) as response:
            assert response.status == 200
        lags.append(registry.get_sample_value("modproxy_event_loop_lag_seconds") or 0.0)
    assert max(lags) > 0.15  # the lag was seen, and nothing was shed for it
    assert shed(proxy, "loop_lag") == 0
