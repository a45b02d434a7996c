"""Built-in classifier benchmark: scoring latency, event-loop stalls, and the proxy's throughput.

1. p50/p95 scoring latency for 1 KB and 16 KB texts (goal: p50 ≤ 1 ms per KB).
2. The worst lateness of a 1 ms ticker on the event loop while 64 requests with 16 KB texts
   are scored at once (goal: no stall over 5 ms), for the two low-priority threads ``serve``
   uses by default, for one such thread and for cooperative scoring on the loop, next to the
   idle loop's own lateness measured in the same run.
3. bench_proxy's JSON workload through ``modproxy serve`` at c=16 (wrk, unique 1.2 KB prompts and
   answers, see bench/harness.py) with the shipped policies plus a built-in classifier policy
   (profile ``shipped-builtin``) and with the shipped policies minus classifier policies
   (``shipped-keywords-only``), against the bare passthrough, in one run.

Run from the repository root: ``python -m bench.bench_classifier`` (about 40 s);
``--long`` runs more iterations and longer load cells.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench import harness
from bench.workload import Profile
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


def throughput(seconds: int, rounds: int) -> list[Goal]:
    """bench_proxy's JSON workload at c=16: the shipped policies with a built-in classifier policy and
    without any classifier policy, against the bare passthrough, in one run."""
    profiles = [Profile.SHIPPED_KEYWORDS_ONLY, Profile.SHIPPED_BUILTIN]
    with (
        tempfile.TemporaryDirectory(prefix="modproxy-bench") as tmp,
        harness.started(profiles, Path(tmp)) as setup,
    ):
        cells = harness.measure(setup, stream=False, connections=16, seconds=seconds, rounds=rounds)
    print("\n".join(harness.report(cells, stream=False, connections=16)))
    without, with_builtin = (cells[f"modproxy/{p.value}"] for p in profiles)
    ratio = with_builtin.rps / without.rps
    print(f"with the built-in classifier / keywords and regexes only: throughput {ratio:.2f}, "
          f"cpu per request {with_builtin.cpu_us / without.cpu_us:.2f}")  # fmt: skip
    return [Goal("throughput builtin/keywords-only, JSON", f"{ratio:.2f}", None)]


def report(goals: list[Goal]) -> None:
    print()
    print(f"{'goal':<44}{'measured':<26}result")
    for goal in goals:
        result = "(reported)" if goal.met is None else "PASS" if goal.met else "MISS"
        print(f"{goal.name:<44}{goal.measured:<26}{result}")


async def main_async(args: argparse.Namespace) -> None:
    goals = await scoring(runs=400 if args.long else 100, rounds=10 if args.long else 3)
    if not args.no_proxy:
        goals += throughput(seconds=6 if args.long else 3, rounds=4 if args.long else 3)
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
