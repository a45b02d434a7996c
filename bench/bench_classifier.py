"""Built-in classifier benchmark: scoring latency, event-loop stalls, and the proxy's throughput.

1. p50/p95 scoring latency for 1 KB and 16 KB texts (goal: p50 ≤ 1 ms per KB).
2. The worst lateness of a 1 ms ticker on the event loop while 64 requests with 16 KB texts
   are scored at once (goal: no stall over 5 ms), for the two low-priority threads ``serve``
   uses by default, for one such thread and for cooperative scoring on the loop, next to the
   idle loop's own lateness measured in the same run.
3. Requests/s through ``modproxy serve`` (in front of ``modproxy dev-upstream``, load from
   this process) with a built-in classifier policy on, as a ratio to keyword policies only,
   for 1 KB and 16 KB prompts (each unique, so no cached decision helps).

Run from the repository root: ``python -m bench.bench_classifier`` (about 40 s);
``--long`` runs more iterations and longer load cells.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import aiohttp

from bench.harness import free_port, stop, wait_ready
from bench.harness import spawn as spawn_process
from proxy.classifiers.builtin import BuiltinClassifier, lower_thread_priority
from proxy.classifiers.builtin_model import load_default_model
from proxy.policy.decision import Phase

SENTENCES = [
    "The quarterly report shows steady growth in every region we serve.",
    "Please review the attached pull request before the release on Friday.",
    "Our hiking group met at the trailhead at seven and reached the summit by noon.",
    "Remember to water the tomatoes twice a week during the summer.",
    "会议改到下周三下午三点，请大家准时参加。",
    "这款软件的新版本修复了多个已知问题，并提升了性能。",
    "周末我们去公园野餐，天气非常好。",
    "The museum's new exhibition covers three centuries of maritime history.",
]
KEYWORD_POLICY = """\
  - id: secret-project
    category: confidential
    action: block
    keywords: [project nightingale, operation bluebird]
"""
BUILTIN_POLICY = """\
  - id: builtin-toxicity
    category: toxicity
    action: flag
    classifier: {backend: builtin, thresholds: {hate: 0.8, violence: 0.8, self_harm: 0.5}}
"""
STALL_GOAL_MS = 5.0
MS_PER_KB_GOAL = 1.0


@dataclass(frozen=True)
class Goal:
    name: str
    measured: str
    met: bool | None
    """None: reported, no target."""


def make_text(kilobytes: int, seed: int) -> str:
    rng = random.Random(seed)
    parts: list[str] = []
    size = 0
    while size < kilobytes * 1024:
        sentence = rng.choice(SENTENCES) + " "
        parts.append(sentence)
        size += len(sentence.encode())
    return "".join(parts)


def latency(classifier: BuiltinClassifier, kilobytes: int, runs: int) -> tuple[float, float]:
    texts = [make_text(kilobytes, seed) for seed in range(runs)]
    samples = []
    for text in texts:
        start = time.perf_counter()
        classifier.score_sync(text)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


async def worst_lag(load: Callable[[], Awaitable[object]] | None, tick_s: float = 0.001) -> float:
    """Worst lateness (ms) of a ticker that wants to wake every ``tick_s`` while ``load`` runs."""
    loop = asyncio.get_running_loop()
    worst = 0.0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal worst
        while not stop.is_set():
            expected = loop.time() + tick_s
            await asyncio.sleep(tick_s)
            worst = max(worst, loop.time() - expected)

    task = asyncio.create_task(ticker())
    if load is None:
        await asyncio.sleep(0.5)
    else:
        await load()
    stop.set()
    await task
    return worst * 1000


async def under_load(scorer: BuiltinClassifier, texts: list[str], rounds: int) -> tuple[float, float]:
    """The worst ticker lag (ms) in ``rounds`` of scoring ``texts`` at once, and median seconds per round."""
    lags, elapsed = [], []
    for _ in range(rounds):
        start = time.perf_counter()

        async def load() -> None:
            await asyncio.gather(*(scorer.score(text, Phase.RESPONSE) for text in texts))

        lags.append(await worst_lag(load))
        elapsed.append(time.perf_counter() - start)
    return max(lags), statistics.median(elapsed)


async def scoring(runs: int, rounds: int) -> list[Goal]:
    model = load_default_model()
    goals: list[Goal] = []
    with (
        ThreadPoolExecutor(max_workers=2, initializer=lower_thread_priority) as executor,
        ThreadPoolExecutor(max_workers=1, initializer=lower_thread_priority) as single,
    ):
        threaded = BuiltinClassifier(model, executor=executor)
        serving = BuiltinClassifier(model, executor=single, max_concurrency=1)  # serve's default
        for kilobytes in (1, 16):
            p50, p95 = latency(threaded, kilobytes, runs)
            print(
                f"builtin score {kilobytes:>2} KB: p50 {p50:6.2f} ms ({p50 / kilobytes:.2f} ms/KB)"
                f"  p95 {p95:6.2f} ms ({p95 / kilobytes:.2f} ms/KB)"
            )
            goals.append(
                Goal(f"{kilobytes} KB score p50 <= {MS_PER_KB_GOAL:g} ms/KB", f"{p50 / kilobytes:.2f} ms/KB",
                     p50 / kilobytes <= MS_PER_KB_GOAL)
            )  # fmt: skip
        idle = await worst_lag(None)
        print(f"event-loop lag, idle loop: worst {idle:6.2f} ms")
        texts = [make_text(16, seed) for seed in range(64)]
        modes = (
            ("1 thread (serve)", serving),
            ("2 threads", threaded),
            ("cooperative", BuiltinClassifier(model)),
        )
        for label, scorer in modes:
            worst, seconds = await under_load(scorer, texts, rounds)
            print(
                f"event-loop lag, 64 concurrent 16 KB texts, {label:<20}: worst {worst:6.2f} ms"
                f" (idle {idle:.2f}); 1 MB scored in {seconds * 1000:.0f} ms"
            )
            if label.endswith("(serve)"):
                measured = f"{worst:.2f} ms (idle {idle:.2f})"
                goals.append(
                    Goal(f"loop stall <= {STALL_GOAL_MS:g} ms, 64 x 16 KB", measured, worst <= STALL_GOAL_MS)
                )
    return goals


# --- the proxy with and without a built-in classifier policy ---------------------------------------


async def proxy_load(url: str, texts: Iterator[str], concurrency: int, seconds: float) -> float:
    """Requests/s of unique chat completions (each text also comes back and is moderated as the response)."""
    done = 0
    deadline = time.perf_counter() + seconds
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as http:

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                body = {"model": "bench", "messages": [{"role": "user", "content": next(texts)}]}
                async with http.post(url + "/v1/chat/completions", json=body) as response:
                    data = await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"bad response {response.status}: {data[:200]!r}")
                done += 1

        begin = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return done / (time.perf_counter() - begin)


def unique_texts(kilobytes: int) -> Iterator[str]:
    base = [make_text(kilobytes, seed) for seed in range(16)]
    for number in count():
        yield f"request {number}: {base[number % len(base)]}"


def spawn(args: list[str]) -> subprocess.Popen[bytes]:
    return spawn_process(args, cpu=None, loop="asyncio")


async def throughput(seconds: float, concurrency: int) -> list[Goal]:
    goals: list[Goal] = []
    with tempfile.TemporaryDirectory() as tmp:
        upstream_port = free_port()
        upstream = f"http://127.0.0.1:{upstream_port}"
        ports, children = {}, [spawn(["-m", "proxy", "dev-upstream", "--port", str(upstream_port)])]
        for name, rules in (("keyword", KEYWORD_POLICY), ("builtin", KEYWORD_POLICY + BUILTIN_POLICY)):
            policy = Path(tmp, f"{name}.yaml")
            await asyncio.to_thread(policy.write_text, "policies:\n" + rules, encoding="utf-8")
            ports[name] = free_port()
            children.append(
                spawn(["-m", "proxy", "serve", "--upstream", upstream, "--policies", str(policy),
                       "--port", str(ports[name]), "--admin-port", str(free_port())])
            )  # fmt: skip
        try:
            await wait_ready(upstream)
            for port in ports.values():
                await wait_ready(f"http://127.0.0.1:{port}")
            for kilobytes in (1, 16):
                rps = {}
                for name, port in ports.items():
                    url = f"http://127.0.0.1:{port}"
                    await proxy_load(url, unique_texts(kilobytes), concurrency, min(1.0, seconds))  # warm-up
                    rps[name] = await proxy_load(url, unique_texts(kilobytes), concurrency, seconds)
                ratio = rps["builtin"] / rps["keyword"]
                print(
                    f"proxy, {kilobytes:>2} KB prompts, {concurrency} concurrent: keyword-only"
                    f" {rps['keyword']:6.0f} req/s, with builtin classifier {rps['builtin']:6.0f} req/s,"
                    f" ratio {ratio:.2f}"
                )
                goals.append(Goal(f"proxy throughput builtin/keyword, {kilobytes} KB", f"{ratio:.2f}", None))
        finally:
            stop(children)
    return goals


def report(goals: list[Goal]) -> None:
    print()
    print(f"{'goal':<44}{'measured':<26}result")
    for goal in goals:
        result = "(reported)" if goal.met is None else "PASS" if goal.met else "MISS"
        print(f"{goal.name:<44}{goal.measured:<26}{result}")


async def main_async(args: argparse.Namespace) -> None:
    goals = await scoring(runs=400 if args.long else 100, rounds=10 if args.long else 3)
    if not args.no_proxy:
        goals += await throughput(seconds=8.0 if args.long else 3.0, concurrency=16)
    report(goals)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--long", action="store_true", help="more iterations, longer load cells")
    parser.add_argument("--no-proxy", action="store_true", help="skip the proxy throughput part")
    args = parser.parse_args()
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
