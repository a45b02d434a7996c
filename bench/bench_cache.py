"""Decision-cache benchmark: what a cached verdict saves, and that a long conversation stays cheap.

Starts its own redis-server and a loopback HTTP classifier (``--model-ms`` of simulated scoring per
call), then prints, each measured in this run:

1. latency of one classifier decision uncached vs cached (Redis tier, as another replica sees it;
   local tier), with the classifier's own round trip as the baseline;
2. the cost of evaluating rules locally vs one Redis round trip (why rule-only decisions of
   ordinary texts stay in the local tier);
3. Redis round trips per request, from the server's INFO commandstats;
4. per-turn moderation cost over a 50-turn conversation, cached vs uncached.

    python -m bench.bench_cache [--turns 50] [--model-ms 5] [--repeat 200] [--conversations 5]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

import aiohttp
import redis
from aiohttp import web

from proxy.cache import CacheConfig, DecisionCache
from proxy.moderation import FixedPolicies, PolicyModerator, RequestContext
from proxy.policy.decision import Phase
from proxy.policy.engine import PolicySet
from proxy.policy.loader import load_policy_set

CTX = RequestContext("bench")
WORDS = [f"badword{i}" for i in range(300)]
PATTERNS = [
    r"\b\d{3}-\d{2}-\d{4}\b",
    r"\b[\w.+-]+@[\w-]+\.[\w.]+\b",
    r"\b(?:\d[ -]?){13,16}\b",
    r"sk-[A-Za-z0-9]{20,}",
]


CLASSIFIER_POLICY = """
policies:
  - id: toxicity
    category: toxic
    action: block
    classifier: {backend: http, thresholds: {toxic: 0.5}, on_error: allow, timeout_ms: 2000}
"""


def shipped_policies_with_a_classifier(workdir: Path) -> PolicySet:
    """The shipped rule files (keywords, regexes, validators) plus one classifier policy."""
    target = workdir / "policies"
    shutil.copytree(Path(__file__).resolve().parents[1] / "policies", target)
    (target / "bench_classifier.yaml").write_text(CLASSIFIER_POLICY)
    return load_policy_set(target)


class HttpClassifier:
    name = "http"
    max_chars = 8000

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self._session, self._url = session, url
        self.calls = 0

    async def score(self, text: str, phase: Phase) -> Mapping[str, float]:
        self.calls += 1
        async with self._session.post(self._url, json={"text": text}) as resp:
            data: dict[str, float] = await resp.json()
            return data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def message(i: int, size: int = 400) -> str:
    base = f"Message {i}: could you explain how the scheduler decides which job runs next? "
    return (base * (size // len(base) + 1))[:size]


async def timed(fn: Callable[[], Awaitable[object]], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        await fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.3f} ms"


async def run(args: argparse.Namespace, redis_url: str, base: PolicySet) -> None:
    async def classify(request: web.Request) -> web.Response:
        await request.json()
        if args.model_ms:
            await asyncio.sleep(args.model_ms / 1000)  # stands for the model's scoring time
        return web.json_response({"toxic": 0.1})

    app = web.Application()
    app.router.add_post("/score", classify)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    stats = redis.Redis.from_url(redis_url)
    counter = iter(range(10**9))

    async with (
        aiohttp.ClientSession() as session,
        DecisionCache(CacheConfig(redis_url=redis_url, local_max_entries=1_000_000)) as cache_a,
        DecisionCache(CacheConfig(redis_url=redis_url)) as cache_b,
    ):
        clf = HttpClassifier(session, f"http://127.0.0.1:{port}/score")
        policies = FixedPolicies(base)
        replica_a = PolicyModerator(policies, cache_a, {"http": clf})
        replica_b = PolicyModerator(policies, cache_b, {"http": clf})

        print(
            f"== 1. one classifier decision "
            f"(400-char text, model {args.model_ms} ms, median of {args.repeat})"
        )
        bare = await timed(lambda: clf.score(message(0), Phase.PROMPT), args.repeat)
        texts = [message(next(counter)) for _ in range(args.repeat)]
        it = iter(texts)
        uncached = await timed(lambda: replica_a.moderate([next(it)], Phase.PROMPT, CTX), args.repeat)
        it = iter(texts)
        from_redis = await timed(lambda: replica_b.moderate([next(it)], Phase.PROMPT, CTX), args.repeat)
        it = iter(texts)
        from_local = await timed(lambda: replica_a.moderate([next(it)], Phase.PROMPT, CTX), args.repeat)
        print(f"classifier call alone (baseline)  {ms(bare)}")
        print(f"uncached decision                 {ms(uncached)}   x{uncached / bare:6.2f} of baseline")
        print(f"cached, Redis tier (other replica){ms(from_redis)}   x{from_redis / bare:6.3f} of baseline")
        print(f"cached, local tier                {ms(from_local)}   x{from_local / bare:6.4f} of baseline")

        print(
            f"\n== 2. rules evaluated locally ({len(base.policies)} shipped policies) vs one Redis round trip"
        )
        rules = base
        tier = cache_a._redis
        assert tier is not None
        rtt = await timed(lambda: tier.get_many(["bench:nokey"]), args.repeat)
        print(f"Redis MGET round trip (1 key)     {ms(rtt)}")
        for size in (200, 2_000, 16_000, 64_000):
            text = message(1, size)
            start = time.perf_counter()
            for _ in range(args.repeat):
                rules.evaluate(text, Phase.PROMPT)
            per = (time.perf_counter() - start) / args.repeat
            print(f"rules on a {size:>6}-char text     {ms(per)}   x{per / rtt:6.2f} of a round trip")

        print(f"\n== 3+4. a {args.turns}-turn conversation (each turn resends the whole history)")
        stats.config_resetstat()
        cached_runs: list[list[float]] = []
        for _ in range(args.conversations):
            history: list[str] = []
            cached_runs.append([])
            for _ in range(args.turns):
                history.append(message(next(counter)))
                start = time.perf_counter()
                await replica_a.moderate(history, Phase.PROMPT, CTX)
                cached_runs[-1].append(time.perf_counter() - start)
        requests = args.turns * args.conversations
        info = stats.info("commandstats")
        mget = info.get("cmdstat_mget", {}).get("calls", 0)
        sets = info.get("cmdstat_set", {}).get("calls", 0)
        print(
            f"requests {requests}, messages looked up {args.conversations * sum(range(args.turns + 1))}, "
            f"MGET calls {mget} -> {mget / requests:.2f} Redis reads per request; "
            f"SET {sets} (one per new message, pipelined)"
        )

        uncached_runs: list[list[float]] = []
        for run_no in range(args.conversations):
            history = []
            uncached_runs.append([])
            for turn in range(args.turns):
                history.append(message(next(counter)))
                fresh_set = PolicySet(base.policies, f"{base.revision}-fresh-{run_no}-{turn}")
                fresh = PolicyModerator(FixedPolicies(fresh_set), cache_a, {"http": clf})
                start = time.perf_counter()
                await fresh.moderate(history, Phase.PROMPT, CTX)
                uncached_runs[-1].append(time.perf_counter() - start)
        cached_turns = [statistics.median(r[t] for r in cached_runs) for t in range(args.turns)]
        uncached_turns = [statistics.median(r[t] for r in uncached_runs) for t in range(args.turns)]
        print(f"median over {args.conversations} conversations")
        print(f"{'turn':>6} {'cached':>12} {'uncached (baseline)':>22} {'ratio':>8}")
        for t in sorted({1, 10, 25, args.turns}):
            if t <= args.turns:
                c, u = cached_turns[t - 1], uncached_turns[t - 1]
                print(f"{t:>6} {ms(c):>12} {ms(u):>22} {c / u:8.3f}")
        first = statistics.median(cached_turns[:10])
        last = statistics.median(cached_turns[-10:])
        growth = statistics.median(uncached_turns[-10:]) / statistics.median(uncached_turns[:10])
        print(
            f"per-turn cost, last 10 vs first 10 turns: cached x{last / first:.2f} (flat ~ 1), "
            f"uncached x{growth:.2f}"
        )
    stats.close()
    await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=50)
    parser.add_argument("--model-ms", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--conversations", type=int, default=5)
    args = parser.parse_args()
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        proc = subprocess.Popen(
            [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", workdir, "--logfile", str(Path(workdir) / "redis.log")],
        )  # fmt: skip
        try:
            client = redis.Redis(port=port)
            deadline = time.monotonic() + 10
            while True:
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.02)
            client.close()
            base = shipped_policies_with_a_classifier(Path(workdir))
            asyncio.run(run(args, f"redis://127.0.0.1:{port}/0", base))
        finally:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main()
