"""Keyword stage speed: normalization + automaton against a raw ahocorasick-rs scan, same run.

    python bench/bench_keywords.py            # ~30 s
    python bench/bench_keywords.py --long     # more repetitions

Prints, for 10,000 and 100,000 generated keywords, the time to scan 4 KB of mixed
English/Chinese text and its speed as a ratio to a raw leftmost-longest scan of
the same text with the same keywords (no normalization), plus build time and memory.
"""

from __future__ import annotations

import argparse
import gc
import random
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import ahocorasick_rs

from proxy.policy.keywords import KeywordMatcher, KeywordTerm
from proxy.policy.normalize import KEYWORD_DEFAULTS

LETTERS = "abcdefghijklmnopqrstuvwxyz"
HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]
ENGLISH = (
    "The service processes requests in order and returns a summary of each result. "
    "Please check the configuration before restarting 3 workers at 10:30, and send the report to the team! "
)
CHINESE = "我们今天讨论了系统的性能问题，并决定在下周发布新版本。請檢查配置文件，然後重新啟動服務。"


def keywords(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < n:
        if rng.random() < 0.5:
            words = (
                "".join(rng.choice(LETTERS) for _ in range(rng.randint(4, 9)))
                for _ in range(rng.randint(1, 3))
            )
            out.add(" ".join(words))
        else:
            out.add("".join(rng.choice(HAN) for _ in range(rng.randint(3, 6))))
    return sorted(out)


def sample_text(terms: list[str], size: int = 4096, seed: int = 3) -> str:
    rng = random.Random(seed)
    parts: list[str] = []
    while sum(map(len, parts)) < size:
        parts.append(rng.choice((ENGLISH, CHINESE)))
        if rng.random() < 0.1:
            parts.append(rng.choice(terms) + " ")
    return "".join(parts)[:size]


def per_call(fn: Callable[[], object], seconds: float) -> float:
    """Best of five batches, each about ``seconds / 5`` long."""
    fn()
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - start > seconds / 25:
            break
        n *= 2
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - start) / n)
    return best


def rss_bytes() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096


def bench(n: int, seconds: float) -> None:
    terms = keywords(n)
    text = sample_text(terms)
    gc.collect()
    rss0 = rss_bytes()
    start = time.perf_counter()
    full = KeywordMatcher(replace(KEYWORD_DEFAULTS, separators=0), [KeywordTerm(0, t) for t in terms])
    build = time.perf_counter() - start
    rss = rss_bytes() - rss0
    tracemalloc.start()  # a second build, traced: tracing slows allocation, so it is not timed
    spaced = KeywordMatcher(KEYWORD_DEFAULTS, [KeywordTerm(0, t) for t in terms])
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    raw = ahocorasick_rs.AhoCorasick(terms, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)

    t_raw = per_call(lambda: raw.find_matches_as_indexes(text), seconds)
    t_full = per_call(lambda: full.scan(text), seconds)
    t_sep = per_call(lambda: spaced.scan(text), seconds)
    mb = len(text.encode()) / 1e6
    print(f"{n:>7} keywords, {len(text)} chars ({len(text.encode())} bytes), {len(full.scan(text))} matches")
    print(f"   raw ahocorasick-rs scan     {t_raw * 1e6:8.1f} us  {mb / t_raw:7.1f} MB/s  1.00x")
    for label, t, goal in (("full normalization", t_full, 0.3), ("+ separator skipping", t_sep, 0.15)):
        ratio = t_raw / t
        verdict = "ok" if ratio >= goal else "below goal"
        print(f"   {label:<27} {t * 1e6:8.1f} us  {mb / t:7.1f} MB/s  {ratio:.2f}x (goal {goal}x: {verdict})")
    print(f"   build {build:.2f} s (goal < 1 s), RSS +{rss / 1e6:.1f} MB (goal < 50 MB)")
    print(f"   peak Python allocations while building {traced / 1e6:.1f} MB (tracemalloc)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--long", action="store_true", help="measure longer for steadier numbers")
    args = parser.parse_args()
    seconds = 10.0 if args.long else 2.0
    for options in (KEYWORD_DEFAULTS, replace(KEYWORD_DEFAULTS, separators=0)):
        KeywordMatcher(options, [KeywordTerm(0, "warm up")])  # fold tables are built once per process
    for n in (10_000, 100_000):
        bench(n, seconds)


if __name__ == "__main__":
    main()
