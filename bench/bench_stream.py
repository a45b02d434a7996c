"""Streaming through modproxy (window mode, 10,000 keywords) against a bare aiohttp passthrough.

Everything runs on loopback in one process: an upstream streaming 50-chunk answers, a
bare aiohttp relay (the baseline, measured in the same run) and modproxy. Prints:

* throughput ratio (modproxy / bare) at ``--concurrency``; target >= 0.8
* added time to first token at concurrency 1; target <= 2 ms
* window-moderator cost per delta for a 50-chunk and a 1,000-chunk answer (flat = O(delta + horizon))

    python bench/bench_stream.py [--requests 300] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from pathlib import Path

import ahocorasick_rs
import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from proxy.app import create_app
from proxy.policy.decision import Action, Finding, Phase, RuleKind
from proxy.policy.stream import WindowModerator
from proxy.settings import load_settings

WORDS = [
    "the",
    "a",
    "of",
    "answer",
    "model",
    "stream",
    "token",
    "proxy",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "lazy",
    "dog",
]


class KeywordScanner:
    """10,000 keywords, leftmost-longest, the shape of the engine's keyword stage."""

    def __init__(self, keywords: list[str]) -> None:
        self._ac = ahocorasick_rs.AhoCorasick(keywords, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
        self._keywords = keywords
        self.horizon = max(len(k) for k in keywords)

    def scan(self, text: str, phase: Phase) -> tuple[Finding, ...]:
        return tuple(
            Finding("kw", "bench", Action.BLOCK, phase, RuleKind.KEYWORD, s, e, self._keywords[i])
            for i, s, e in self._ac.find_matches_as_indexes(text.casefold())
        )


def keywords(count: int) -> list[str]:
    rng = random.Random(1)
    letters = "bcdfghjklmnpqrstvwxz"  # disjoint enough from WORDS that answers are never blocked
    return list({"".join(rng.choice(letters) for _ in range(rng.randint(6, 14))) for _ in range(count)})[
        :count
    ]


def answer_events(chunks: int) -> list[bytes]:
    rng = random.Random(2)
    out = []
    for i in range(chunks):
        delta = {"content": " ".join(rng.choice(WORDS) for _ in range(3)) + " "}
        if i == 0:
            delta["role"] = "assistant"
        chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
                 "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}  # fmt: skip
        out.append(b"data: " + json.dumps(chunk).encode() + b"\n\n")
    done = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}  # fmt: skip
    return [*out, b"data: " + json.dumps(done).encode() + b"\n\n", b"data: [DONE]\n\n"]


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


def upstream_app(events: list[bytes]) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        await request.read()
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for event in events:
            await response.write(event)
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_post("/v1/chat/completions", handle)
    return app


def bare_relay_app(upstream_url: str) -> web.Application:
    async def on_startup(app: web.Application) -> None:
        app["session"] = aiohttp.ClientSession()

    async def on_cleanup(app: web.Application) -> None:
        await app["session"].close()

    async def handle(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        async with request.app["session"].post(upstream_url + request.path, data=body) as up:
            response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
            await response.prepare(request)
            async for chunk in up.content.iter_any():
                await response.write(chunk)
            await response.write_eof()
            return response

    app = web.Application()
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    app.router.add_post("/v1/chat/completions", handle)
    return app


BODY = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True}


async def one(session: aiohttp.ClientSession, url: str) -> float:
    """Seconds to the first content token; reads the stream to its end."""
    start = time.perf_counter()
    first = 0.0
    async with session.post(url + "/v1/chat/completions", json=BODY) as response:
        async for line in response.content:
            if (
                not first
                and b'"content":"' in line.replace(b": ", b":")
                and b'"content":""' not in line.replace(b": ", b":")
            ):
                first = time.perf_counter() - start
    return first


async def throughput(url: str, requests: int, concurrency: int) -> float:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        queue = iter(range(requests))

        async def worker() -> None:
            for _ in queue:
                await one(session, url)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return requests / (time.perf_counter() - start)


async def ttft(url: str, samples: int) -> float:
    async with aiohttp.ClientSession() as session:
        for _ in range(5):
            await one(session, url)
        return statistics.median([await one(session, url) for _ in range(samples)])


def per_delta_cost(scanner: KeywordScanner, chunks: int) -> float:
    deltas = [json.loads(e[6:])["choices"][0]["delta"].get("content", "") for e in answer_events(chunks)[:-2]]
    rounds = max(1, 20_000 // chunks)
    start = time.perf_counter()
    for _ in range(rounds):
        window = WindowModerator(scanner)
        for delta in deltas:
            window.feed(delta)
        window.finish()
    return (time.perf_counter() - start) / (rounds * chunks) * 1e6


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--keywords", type=int, default=10_000)
    parser.add_argument("--mode", default="window", choices=["window", "buffer", "audit"])
    args = parser.parse_args()

    scanner = KeywordScanner(keywords(args.keywords))
    up_runner, up_url = await serve(upstream_app(answer_events(50)))
    bare_runner, bare_url = await serve(bare_relay_app(up_url))
    overrides = {"upstream.url": up_url, "logging.access_log": False, "streaming.mode": args.mode}
    settings = load_settings(env={}, overrides=overrides)
    proxy_runner, proxy_url = await serve(create_app(settings, scanner=lambda: scanner))
    try:
        await throughput(bare_url, 30, args.concurrency)  # warm up both
        await throughput(proxy_url, 30, args.concurrency)
        bare_rps, proxy_rps = [], []
        for _ in range(3):  # interleave so both see the same machine load
            bare_rps.append(await throughput(bare_url, args.requests // 3, args.concurrency))
            proxy_rps.append(await throughput(proxy_url, args.requests // 3, args.concurrency))
        bare_ttft = await ttft(bare_url, 60)
        proxy_ttft = await ttft(proxy_url, 60)
    finally:
        for runner in (proxy_runner, bare_runner, up_runner):
            await runner.cleanup()
    ratio = statistics.median(proxy_rps) / statistics.median(bare_rps)
    print(f"keywords={len(scanner._keywords)} horizon={scanner.horizon} chunks/answer=50 "
          f"concurrency={args.concurrency}")  # fmt: skip
    bare, moderated = statistics.median(bare_rps), statistics.median(proxy_rps)
    print(f"throughput  bare {bare:8.1f} req/s   modproxy {moderated:8.1f} req/s   "
          f"ratio {ratio:.2f}  (target >= 0.80)")  # fmt: skip
    added = (proxy_ttft - bare_ttft) * 1000
    print(f"ttft@1      bare {bare_ttft * 1000:6.2f} ms   modproxy {proxy_ttft * 1000:6.2f} ms   "
          f"added {added:+.2f} ms  (target <= 2 ms)")  # fmt: skip
    short, long = per_delta_cost(scanner, 50), per_delta_cost(scanner, 1000)
    print(f"per-delta   50 chunks {short:6.1f} us   1000 chunks {long:6.1f} us   ratio {long / short:.2f}  "
          f"(flat: independent of answer length)")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
