"""Streaming through modproxy (window mode, 10,000 keywords) against a bare aiohttp passthrough.

On loopback, each in its own process (see bench/harness.py for the fairness rules): an upstream
streaming 50-chunk answers, the bare passthrough (the baseline, measured in the same run) and
modproxy with a 10,000-keyword scanner; this process generates load. Prints medians of
interleaved rounds:

* throughput ratio (modproxy / bare) at ``--concurrency``; target >= 0.8
* CPU time per streamed answer of each proxy process (steadier than req/s on a shared machine)
* added time to first token at concurrency 1; target <= 2 ms
* window-moderator cost per delta for a 50-chunk and a 1,000-chunk answer (flat = O(delta + horizon))

    python -m bench.bench_stream [--requests 600] [--concurrency 8] [--mode window|buffer|audit] [--choices N]

``--choices N`` asks for ``n=N`` and has the upstream stream N choices, their chunks interleaved.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time

import ahocorasick_rs
import aiohttp
from aiohttp import web

from bench import harness
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


def answer_events(chunks: int, choices: int = 1) -> list[bytes]:
    """``chunks`` content chunks per choice, the choices' chunks interleaved, then each choice's end."""
    rng = random.Random(2)
    out = []
    for i in range(chunks):
        for index in range(choices):
            delta = {"content": " ".join(rng.choice(WORDS) for _ in range(3)) + " "}
            if i == 0:
                delta["role"] = "assistant"
            chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
                     "choices": [{"index": index, "delta": delta, "finish_reason": None}]}  # fmt: skip
            out.append(b"data: " + json.dumps(chunk).encode() + b"\n\n")
    for index in range(choices):
        done = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
                "choices": [{"index": index, "delta": {}, "finish_reason": "stop"}]}  # fmt: skip
        out.append(b"data: " + json.dumps(done).encode() + b"\n\n")
    return [*out, b"data: [DONE]\n\n"]


def upstream_app(events: list[bytes]) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        await request.read()
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for event in events:
            await response.write(event)
        await response.write_eof()
        return response

    async def models(request: web.Request) -> web.Response:
        return web.Response(text="{}", content_type="application/json")

    app = web.Application()
    app.router.add_post("/v1/chat/completions", handle)
    app.router.add_get("/v1/models", models)
    return app


def modproxy_app(upstream_url: str, mode: str, keyword_count: int) -> web.Application:
    scanner = KeywordScanner(keywords(keyword_count))
    overrides = {"upstream.url": upstream_url, "logging.access_log": False, "streaming.mode": mode}
    return create_app(load_settings(env={}, overrides=overrides), scanner=lambda: scanner)


def body(choices: int) -> dict[str, object]:
    request: dict[str, object] = {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "stream": True,
    }
    return {**request, "n": choices} if choices > 1 else request


async def one(session: aiohttp.ClientSession, url: str, choices: int) -> float:
    """Seconds to the first content token; reads the stream to its end."""
    start = time.perf_counter()
    first = 0.0
    async with session.post(url + "/v1/chat/completions", json=body(choices)) as response:
        async for line in response.content:
            if (
                not first
                and b'"content":"' in line.replace(b": ", b":")
                and b'"content":""' not in line.replace(b": ", b":")
            ):
                first = time.perf_counter() - start
    return first


async def throughput(url: str, requests: int, concurrency: int, choices: int) -> float:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        queue = iter(range(requests))

        async def worker() -> None:
            for _ in queue:
                await one(session, url, choices)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return requests / (time.perf_counter() - start)


async def ttft(url: str, samples: int, choices: int) -> float:
    async with aiohttp.ClientSession() as session:
        for _ in range(5):
            await one(session, url, choices)
        return harness.median([await one(session, url, choices) for _ in range(samples)])


async def throughput_and_cpu(
    url: str, pid: int, requests: int, concurrency: int, choices: int
) -> tuple[float, float]:
    """Requests/s, and the proxy process's CPU microseconds per request."""
    before = harness.cpu_seconds(pid)
    rps = await throughput(url, requests, concurrency, choices)
    return rps, (harness.cpu_seconds(pid) - before) / requests * 1e6


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


async def main(args: argparse.Namespace, cpus: harness.Cpus) -> None:
    ports = {name: harness.free_port() for name in ("upstream", "bare", "modproxy")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    role = [
        "-m",
        "bench.bench_stream",
        "--loop",
        args.loop,
        "--mode",
        args.mode,
        "--keywords",
        str(args.keywords),
        "--choices",
        str(args.choices),
        "--role",
    ]
    children = {
        "upstream": harness.spawn(
            [*role, "upstream", str(ports["upstream"])], cpu=cpus.upstream, loop=args.loop
        ),
        "bare": harness.spawn(
            [*role, "bare", str(ports["bare"]), urls["upstream"]], cpu=cpus.proxy, loop=args.loop
        ),
        "modproxy": harness.spawn(
            [*role, "modproxy", str(ports["modproxy"]), urls["upstream"]], cpu=cpus.proxy, loop=args.loop
        ),
    }
    try:
        for url in urls.values():
            await harness.wait_ready(url)
        targets = ("bare", "modproxy")
        for name in targets:
            await throughput(urls[name], 50, args.concurrency, args.choices)  # warm-up
        rps: dict[str, list[float]] = {name: [] for name in targets}
        cpu: dict[str, list[float]] = {name: [] for name in targets}
        for round_ in range(args.rounds):  # interleaved so both see the same machine load
            for name in targets if round_ % 2 == 0 else reversed(targets):
                r, c = await throughput_and_cpu(
                    urls[name],
                    children[name].pid,
                    args.requests // args.rounds,
                    args.concurrency,
                    args.choices,
                )
                rps[name].append(r)
                cpu[name].append(c)
        first: dict[str, list[float]] = {name: [] for name in targets}
        for _ in range(args.rounds):
            for name in targets:
                first[name].append(await ttft(urls[name], 30, args.choices))
    finally:
        harness.stop(list(children.values()))
    bare, moderated = harness.median(rps["bare"]), harness.median(rps["modproxy"])
    bare_cpu, proxy_cpu = harness.median(cpu["bare"]), harness.median(cpu["modproxy"])
    bare_ttft, proxy_ttft = harness.median(first["bare"]), harness.median(first["modproxy"])
    print(f"loop={args.loop} mode={args.mode} keywords={args.keywords} chunks/answer=50 "
          f"choices={args.choices} concurrency={args.concurrency} rounds={args.rounds}; "
          f"{cpus.describe()}")  # fmt: skip
    print(f"throughput  bare {bare:8.1f} req/s   modproxy {moderated:8.1f} req/s   "
          f"ratio {moderated / bare:.2f}  (target >= 0.80)")  # fmt: skip
    print(f"cpu/answer  bare {bare_cpu:8.0f} us      modproxy {proxy_cpu:8.0f} us      "
          f"ratio {proxy_cpu / bare_cpu:.2f}")  # fmt: skip
    added = (proxy_ttft - bare_ttft) * 1000
    print(f"ttft@1      bare {bare_ttft * 1000:6.2f} ms   modproxy {proxy_ttft * 1000:6.2f} ms   "
          f"added {added:+.2f} ms  (target <= 2 ms)")  # fmt: skip
    scanner = KeywordScanner(keywords(args.keywords))
    short, long = per_delta_cost(scanner, 50), per_delta_cost(scanner, 1000)
    print(f"per-delta   50 chunks {short:6.1f} us   1000 chunks {long:6.1f} us   ratio {long / short:.2f}  "
          f"(flat: independent of answer length)")  # fmt: skip


def run_role(role: list[str], args: argparse.Namespace) -> None:
    name, port = role[0], int(role[1])
    if name == "upstream":
        harness.serve_app(lambda: upstream_app(answer_events(50, args.choices)), port, args.loop)
    elif name == "bare":
        harness.serve_app(lambda: harness.bare_passthrough(role[2]), port, args.loop)
    else:
        harness.serve_app(lambda: modproxy_app(role[2], args.mode, args.keywords), port, args.loop)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600, help="streamed answers per target (default 600)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--keywords", type=int, default=10_000)
    parser.add_argument(
        "--choices", type=int, default=1, help="choices per answer (n), interleaved (default 1)"
    )
    parser.add_argument("--mode", default="window", choices=["window", "buffer", "audit"])
    parser.add_argument("--loop", choices=harness.LOOPS, default="auto", help="event loop of every process")
    parser.add_argument("--no-pin", action="store_true", help="leave CPU placement to the scheduler")
    parser.add_argument("--role", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role:
        run_role(args.role, args)
        raise SystemExit(0)
    cpus = harness.Cpus.plan(pin=not args.no_pin)
    harness.pin(cpus.load)
    harness.run(main(args, cpus), args.loop)
