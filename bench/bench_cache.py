"""Decision-cache benchmark: what a cached verdict saves, and that a long conversation stays cheap.

Starts its own redis-server and a loopback HTTP classifier (``--model-ms`` of simulated scoring per
call), then prints, each measured in this run:

1. latency of one classifier decision uncached vs cached (Redis tier, as another replica sees it;
   local tier), with the classifier's own round trip as the baseline;
2. the cost of evaluating rules locally vs one Redis round trip (why rule-only decisions of
   ordinary texts stay in the local tier);
3. Redis round trips per request, from the server's INFO commandstats;
4. per-turn moderation cost over a 50-turn conversation, cached vs uncached.

    python -m bench.bench_cache [--turns 50] [--model-ms 5] [--repeat 200]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import redis
from aiohttp import web

from proxy.cache import CacheConfig, DecisionCache
from proxy.moderation import FixedPolicies, PolicyModerator, RequestContext
from proxy.policy.decision import Action, Decision, Finding, Phase, RuleKind, enforced_action

CTX = RequestContext("bench")
WORDS = [f"badword{i}" for i in range(300)]
PATTERNS = [
    r"\b\d{3}-\d{2}-\d{4}\b",
    r"\b[\w.+-]+@[\w-]+\.[\w.]+\b",
    r"\b(?:\d[ -]?){13,16}\b",
    r"sk-[A-Za-z0-9]{20,}",
]


@dataclass(frozen=True)
class Rule:
    id: str = "toxicity"
    category: str = "toxic"
    backend: str = "http"
    on_error: str = "allow"
    timeout_ms: int = 2000

    def findings(self, scores: Mapping[str, float], phase: Phase, start: int, end: int) -> Sequence[Finding]:
        s = scores.get(self.category, 0.0)
        if s < 0.5:
            return ()
        return (
            Finding(self.id, self.category, Action.BLOCK, phase, RuleKind.CLASSIFIER, start, end, "toxic", s),
        )


class RulesPolicySet:
    """A stand-in rule engine of representative size: 300 words in one alternation, 4 PII regexes."""

    def __init__(self, revision: str, with_classifier: bool = True) -> None:
        self.revision = revision
        self._words = re.compile("|".join(map(re.escape, WORDS)), re.IGNORECASE)
        self._patterns = [re.compile(p) for p in PATTERNS]
        self._rules = (Rule(),) if with_classifier else ()

    def evaluate(self, text: str, phase: Phase) -> Decision:
        findings = [
            Finding("words", "words", Action.BLOCK, phase, RuleKind.KEYWORD, m.start(), m.end(), m.group())
            for m in self._words.finditer(text)
        ]
        for p in self._patterns:
            findings += [
                Finding(
                    "pii",
                    "pii",
                    Action.REDACT,
                    phase,
                    RuleKind.REGEX,
                    m.start(),
                    m.end(),
                    p.pattern,
                    None,
                    False,
                    "[PII]",
                )
                for m in p.finditer(text)
            ]
        return Decision(enforced_action(findings), tuple(findings), self.revision)

    def classifier_policies(self, phase: Phase) -> Sequence[Rule]:
        return self._rules


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


async def run(args: argparse.Namespace, redis_url: str) -> None:
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
        policies = FixedPolicies(RulesPolicySet("bench-r1"))
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

        print("\n== 2. rules evaluated locally vs one Redis round trip")
        rules = RulesPolicySet("bench-r1")
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
        history: list[str] = []
        cached_turns: list[float] = []
        for _ in range(args.turns):
            history.append(message(next(counter)))
            start = time.perf_counter()
            await replica_a.moderate(history, Phase.PROMPT, CTX)
            cached_turns.append(time.perf_counter() - start)
        info = stats.info("commandstats")
        mget = info.get("cmdstat_mget", {}).get("calls", 0)
        pipelines = info.get("cmdstat_set", {}).get("calls", 0)
        print(
            f"requests {args.turns}, messages looked up {args.turns * (args.turns + 1) // 2}, "
            f"MGET calls {mget} -> {mget / args.turns:.2f} Redis reads per request; "
            f"SET {pipelines} (one per new message, pipelined)"
        )

        uncached_turns: list[float] = []
        history = []
        for turn in range(args.turns):
            history.append(message(next(counter)))
            fresh = PolicyModerator(
                FixedPolicies(RulesPolicySet(f"bench-fresh-{turn}")), cache_a, {"http": clf}
            )
            start = time.perf_counter()
            await fresh.moderate(history, Phase.PROMPT, CTX)
            uncached_turns.append(time.perf_counter() - start)
        print(f"{'turn':>6} {'cached':>12} {'uncached (baseline)':>22} {'ratio':>8}")
        for t in sorted({1, 10, 25, args.turns}):
            if t <= args.turns:
                c, u = cached_turns[t - 1], uncached_turns[t - 1]
                print(f"{t:>6} {ms(c):>12} {ms(u):>22} {c / u:8.3f}")
        first5 = statistics.median(cached_turns[:5])
        last5 = statistics.median(cached_turns[-5:])
        print(
            f"cached per-turn cost, last 5 vs first 5 turns: x{last5 / first5:.2f} "
            "(flat ~ 1; uncached grows with the turn)"
        )
    stats.close()
    await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=50)
    parser.add_argument("--model-ms", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=200)
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
            asyncio.run(run(args, f"redis://127.0.0.1:{port}/0"))
        finally:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main()
