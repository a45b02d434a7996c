"""Built-in classifier benchmark: scoring latency per KB, and event-loop stall under load.

Prints p50/p95 scoring latency for 1 KB and 16 KB texts (goal: p50 ≤ 1 ms per KB) and the
worst event-loop lag a 1 ms ticker sees while 64 requests with 16 KB texts are scored
concurrently (goal: no stall over 5 ms), against the ticker's lag on an idle loop measured
in the same run. ``--long`` runs more iterations.

Run from the repository root: ``python -m bench.bench_classifier``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

from proxy.classifiers.builtin import BuiltinClassifier
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


async def concurrent_load(classifier: BuiltinClassifier, texts: list[str]) -> float:
    start = time.perf_counter()
    await asyncio.gather(*(classifier.score(text, Phase.RESPONSE) for text in texts))
    return time.perf_counter() - start


async def main_async(runs: int, rounds: int) -> None:
    model = load_default_model()
    with ThreadPoolExecutor(max_workers=2) as executor:
        classifier = BuiltinClassifier(model, executor=executor)
        cooperative = BuiltinClassifier(model, executor=None)
        for kilobytes in (1, 16):
            p50, p95 = latency(classifier, kilobytes, runs)
            print(
                f"builtin score {kilobytes:>2} KB: p50 {p50:6.2f} ms ({p50 / kilobytes:.2f} ms/KB)"
                f"  p95 {p95:6.2f} ms ({p95 / kilobytes:.2f} ms/KB)"
            )
        idle = await worst_lag(None)
        print(f"event-loop lag, idle loop: worst {idle:6.2f} ms")
        texts = [make_text(16, seed) for seed in range(64)]
        verdicts = []
        for label, scorer in (("thread pool", classifier), ("cooperative", cooperative)):
            worst, seconds = await under_load(scorer, texts, rounds)
            verdicts.append(worst <= 5)
            print(
                f"event-loop lag, 64 concurrent 16 KB texts, {label}: worst {worst:6.2f} ms"
                f" ({worst / max(idle, 1e-3):.1f}x idle); 1 MB scored in {seconds * 1000:.0f} ms"
            )
        print(f"goal: worst lag <= 5 ms -> thread pool {verdicts[0]}, cooperative {verdicts[1]}")


async def under_load(scorer: BuiltinClassifier, texts: list[str], rounds: int) -> tuple[float, float]:
    lags, elapsed = [], []
    for _ in range(rounds):
        seconds = 0.0

        async def load() -> None:
            nonlocal seconds
            seconds = await concurrent_load(scorer, texts)

        lags.append(await worst_lag(load))
        elapsed.append(seconds)
    return max(lags), statistics.median(elapsed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--long", action="store_true", help="more iterations")
    args = parser.parse_args()
    asyncio.run(main_async(runs=400 if args.long else 100, rounds=10 if args.long else 3))


if __name__ == "__main__":
    main()
