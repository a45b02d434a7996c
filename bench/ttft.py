"""Time to the first token of a streamed answer, at concurrency 1, from this process.

wrk times whole responses; this client reads a stream until its first non-empty content delta,
for unique prompts (the same pools and size as the wrk script), interleaving the targets.
"""

from __future__ import annotations

import asyncio
import random
import re
import statistics
import time
from collections.abc import Sequence

import aiohttp

from bench.harness import Target
from bench.workload import PROMPT_BYTES, SYSTEM, sentences

_TEXT = re.compile(rb'"content":\s*"[^"]')


async def _first_token(http: aiohttp.ClientSession, url: str, prompt: str) -> float:
    body = {
        "model": "bench",
        "stream": True,
        "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}],
    }
    start = time.perf_counter()
    first = 0.0
    async with http.post(url + "/v1/chat/completions", json=body) as response:
        async for chunk in response.content.iter_any():
            if not first and _TEXT.search(chunk):
                first = time.perf_counter() - start
    if not first:
        raise RuntimeError(f"{url}: no content in the stream")
    return first


async def _measure(targets: Sequence[Target], samples: int) -> dict[str, float]:
    rng = random.Random()
    times: dict[str, list[float]] = {t.name: [] for t in targets}
    async with aiohttp.ClientSession() as http:
        for number in range(samples + 3):
            for target in targets if number % 2 else reversed(targets):
                prompt = f"TTFT {number}-{rng.getrandbits(32):x}. " + sentences(rng, PROMPT_BYTES)
                seconds = await _first_token(http, target.url, prompt)
                if number >= 3:  # the first rounds warm up
                    times[target.name].append(seconds)
    return {name: statistics.median(values) for name, values in times.items()}


def report(targets: Sequence[Target], baseline: str, samples: int = 40) -> list[str]:
    medians = asyncio.run(_measure(targets, samples))
    lines = [f"time to first token, c=1, median of {samples}"]
    for name, seconds in medians.items():
        added = "" if name == baseline else f"   added {(seconds - medians[baseline]) * 1000:+.2f} ms"
        lines.append(f"  {name:<34}{seconds * 1000:8.2f} ms{added}")
    return lines
