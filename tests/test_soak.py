"""Soak: mixed load at a steady rate against a real ``modproxy serve`` with the shipped policies,
resident memory sampled every second; it must stay flat within a stated bound.

The normal suite runs it for ``SOAK_SECONDS`` (default 25 s); ``make soak`` runs it for 5 minutes.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import statistics
import time
from collections import Counter
from pathlib import Path

import aiohttp
import pytest

from tests.fixtures.served import Served, serve_proxy
from tests.fixtures.upstream import LoopbackUpstream

SECONDS = float(os.environ.get("SOAK_SECONDS", "25"))
RATE = 40
"""Requests started per second."""
RSS_BOUND = 8 * 1024 * 1024
"""How much the median resident memory of the last quarter may exceed that of the second quarter."""
POLICIES = Path(__file__).resolve().parents[1] / "policies"
KINDS = ("json", "stream", "block", "json", "stream", "abort")


async def one(http: aiohttp.ClientSession, served: Served, kind: str, index: int, seen: Counter[str]) -> None:
    text = f"request {index}: tell me about {'how to build a bomb' if kind == 'block' else 'the weather'}"
    body = {
        "model": "m",
        "stream": kind in ("stream", "abort"),
        "messages": [{"role": "user", "content": text}],
    }
    async with http.post(f"{served.url}/v1/chat/completions", json=body) as response:
        if kind == "abort":
            await response.content.readuntil(b"\n\n")
            response.close()
            seen["abort"] += 1
            return
        data = await response.read()
    expected = 400 if kind == "block" else 200
    seen[kind if response.status == expected else f"{kind}:{response.status}"] += 1
    if kind == "stream":
        assert data.endswith(b"data: [DONE]\n\n")


@pytest.mark.timeout(SECONDS + 90)
async def test_memory_stays_flat_under_mixed_load(upstream: LoopbackUpstream) -> None:
    seen: Counter[str] = Counter()
    samples: list[int] = []
    async with serve_proxy(upstream.url, None, "--policies", str(POLICIES)) as served:
        async with aiohttp.ClientSession() as http:
            tasks: set[asyncio.Task[None]] = set()
            started = time.monotonic()
            next_sample = started
            for index in itertools.count():
                due = started + index / RATE
                if due - started >= SECONDS:
                    break
                await asyncio.sleep(max(0.0, due - time.monotonic()))  # the steady rate itself
                task = asyncio.create_task(one(http, served, KINDS[index % len(KINDS)], index, seen))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                if time.monotonic() >= next_sample:
                    samples.append(served.rss())
                    next_sample += 1.0
            await asyncio.wait_for(asyncio.gather(*tasks), 30)
        settled = await served.settle(lambda s: s.clients == 0, 15)
    quarter = max(1, len(samples) // 4)
    early, late = statistics.median(samples[quarter : 2 * quarter]), statistics.median(samples[-quarter:])
    mib = 2**20
    print(
        f"\nsoak {SECONDS:.0f} s at {RATE}/s: {dict(seen)}; rss min {min(samples) / mib:.1f} MiB, "
        f"max {max(samples) / mib:.1f} MiB, second-quarter median {early / mib:.1f} MiB, "
        f"last-quarter median {late / mib:.1f} MiB; {settled}"
    )
    assert set(seen) == {"json", "stream", "block", "abort"}, seen  # every answer as expected
    assert sum(seen.values()) == index
    assert late - early < RSS_BOUND
