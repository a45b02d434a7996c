r"""Engine speed: the whole policy engine, and the keyword stage against a raw ahocorasick-rs scan.

    python -m bench.bench_keywords            # ~40 s
    python -m bench.bench_keywords --long     # more rounds, steadier numbers

First the engine as serving uses it: ``PolicySet.evaluate`` of a policy directory made of the
shipped ``policies/`` plus a generated 10,000-keyword list (Latin and CJK), on 4 KB texts of
mixed English/Chinese, a different text each call, through full normalization; once with the
shipped PII regexes only and once with the naive email regex ``[\w.+-]+@[\w-]+\.[\w.-]+`` added.
Goal: 50 MB/s of UTF-8.

Then the keyword stage alone:
for 10,000 and 100,000 generated keywords, times a scan of 4 KB of mixed English/Chinese
text (with traditional characters, so OpenCC runs) and prints its speed as a ratio to a raw
leftmost-longest scan of the same text with the same keywords (no normalization). The three
scans take turns in short batches and each keeps its best batch, so load on a shared machine
hits them alike. Build time and memory are measured in a fresh process. Each line says PASS
or MISS against its goal.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import ahocorasick_rs

from proxy.policy.decision import Phase
from proxy.policy.keywords import KeywordMatcher, KeywordTerm
from proxy.policy.loader import load_policy_set
from proxy.policy.normalize import KEYWORD_DEFAULTS

ROOT = Path(__file__).resolve().parents[1]

LETTERS = "abcdefghijklmnopqrstuvwxyz"
HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]
ENGLISH = (
    "The service processes requests in order and returns a summary of each result. "
    "Please check the configuration before restarting 3 workers at 10:30, and send the report to the team! "
)
CHINESE = "我们今天讨论了系统的性能问题，并决定在下周发布新版本。請檢查配置文件，然後重新啟動服務。"
FULL_GOAL = 0.3
SEPARATOR_GOAL = 0.15
BUILD_GOAL_S = 1.0
MEMORY_GOAL_MB = 50.0
GOAL_KEYWORDS = 100_000
"""Build time and memory goals are for this many keywords."""
ENGINE_GOAL_MB_S = 50.0
ENGINE_KEYWORDS = 10_000
NAIVE_EMAIL = r"[\w.+-]+@[\w-]+\.[\w.-]+"


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


def rss_bytes() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096


def build_child(n: int) -> None:
    """Runs in a fresh process: build time and RSS growth of one matcher with every option on."""
    terms = keywords(n)
    KeywordMatcher(KEYWORD_DEFAULTS, [KeywordTerm(0, "warm up")])  # per-process tables, OpenCC
    gc.collect()
    rss0 = rss_bytes()
    start, cpu_start = time.perf_counter(), time.process_time()
    matcher = KeywordMatcher(KEYWORD_DEFAULTS, [KeywordTerm(0, t) for t in terms])
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    gc.collect()
    rss = rss_bytes() - rss0
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss": rss, "patterns": matcher.pattern_count}))


@dataclass
class Timer:
    label: str
    fn: Callable[[], object]
    batch: int = 1
    best: float = float("inf")

    def calibrate(self, seconds: float) -> None:
        self.fn()
        while True:
            start = time.perf_counter()
            for _ in range(self.batch):
                self.fn()
            if time.perf_counter() - start > seconds:
                return
            self.batch *= 2

    def run(self) -> None:
        start = time.perf_counter()
        for _ in range(self.batch):
            self.fn()
        self.best = min(self.best, (time.perf_counter() - start) / self.batch)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def bench(n: int, rounds: int) -> bool:
    terms = keywords(n)
    text = sample_text(terms)
    full = KeywordMatcher(replace(KEYWORD_DEFAULTS, separators=0), [KeywordTerm(0, t) for t in terms])
    spaced = KeywordMatcher(KEYWORD_DEFAULTS, [KeywordTerm(0, t) for t in terms])
    raw = ahocorasick_rs.AhoCorasick(terms, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
    timers = [
        Timer("raw ahocorasick-rs scan", lambda: raw.find_matches_as_indexes(text)),
        Timer("full normalization", lambda: full.scan(text)),
        Timer("+ separator skipping", lambda: spaced.scan(text)),
    ]
    for t in timers:
        t.calibrate(0.01)
    for _ in range(rounds):
        for t in timers:
            t.run()
    child = subprocess.run(
        [sys.executable, "-m", "bench.bench_keywords", "--build-child", str(n)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    built = json.loads(child.stdout)

    size = len(text.encode())
    print(f"\n{n:,} keywords; {len(text)} characters ({size} bytes of UTF-8); {len(full.scan(text))} matches")
    print(f"  {'stage':<28}{'per 4 KB':>12}{'MB/s':>9}{'vs raw':>9}   goal")
    base = timers[0].best
    ok = True
    for t, goal in zip(timers, (None, FULL_GOAL, SEPARATOR_GOAL), strict=True):
        ratio = base / t.best
        line = f"  {t.label:<28}{t.best * 1e6:>9.1f} us{size / t.best / 1e6:>9.1f}{ratio:>8.2f}x"
        if goal is not None:
            ok &= ratio >= goal
            line += f"   >= {goal:.2f}x  {verdict(ratio >= goal)}"
        print(line)
    goals = n == GOAL_KEYWORDS
    mb = built["rss"] / 1e6
    # Judged on CPU time: wall time on a shared machine also counts other processes' turns.
    build_line = (
        f"  {'build CPU (fresh process)':<28}{built['cpu']:>9.2f} s   (wall {built['seconds']:.2f} s)"
    )
    memory_line = f"  {'memory (RSS growth)':<28}{mb:>9.1f} MB"
    if goals:
        ok &= built["cpu"] < BUILD_GOAL_S and mb < MEMORY_GOAL_MB
        build_line += f"   < {BUILD_GOAL_S:.0f} s      {verdict(built['cpu'] < BUILD_GOAL_S)}"
        memory_line += f"{'':>17}   < {MEMORY_GOAL_MB:.0f} MB    {verdict(mb < MEMORY_GOAL_MB)}"
    print(build_line)
    print(memory_line)
    return ok


def policy_dir(root: Path, terms: list[str], *, naive_email: bool) -> Path:
    """The shipped policies, a generated keyword list and, optionally, the naive email regex."""
    out = root / ("naive" if naive_email else "shipped")
    shutil.copytree(ROOT / "policies", out)
    (out / "lists" / "generated.txt").write_text("\n".join(terms), encoding="utf-8")
    rules = "policies:\n  - id: generated\n    category: bench\n    action: flag\n"
    rules += "    keyword_files: [lists/generated.txt]\n"
    if naive_email:
        rules += "  - id: naive-email\n    category: pii\n    action: redact\n"
        rules += f"    regex: ['{NAIVE_EMAIL}']\n"
    (out / "generated.yaml").write_text(rules, encoding="utf-8")
    return out


def bench_engine(rounds: int) -> bool:
    """Judged on this thread's CPU time (best of the rounds): on a shared machine, wall time also
    counts other processes' turns."""
    terms = keywords(ENGINE_KEYWORDS)
    texts = [sample_text(terms, seed=seed) for seed in range(64)]
    size = sum(len(t.encode()) for t in texts)
    with tempfile.TemporaryDirectory() as tmp:
        sets = [
            (
                "shipped policies + 10k keywords",
                load_policy_set(policy_dir(Path(tmp), terms, naive_email=False)),
            ),
            ("  + naive email regex", load_policy_set(policy_dir(Path(tmp), terms, naive_email=True))),
        ]
    best = [float("inf")] * len(sets)
    for _ in range(max(rounds // 4, 10)):
        for i, (_label, policy_set) in enumerate(sets):
            start = time.thread_time()
            for text in texts:
                policy_set.evaluate(text, Phase.RESPONSE)
            best[i] = min(best[i], time.thread_time() - start)
    print(f"\nEngine: PolicySet.evaluate, {len(texts)} different mixed texts of {size // len(texts)} bytes")
    print(f"  {'policy set':<34}{'CPU per text':>14}{'MB/s':>9}   goal")
    ok = True
    for (label, _set), seconds in zip(sets, best, strict=True):
        speed = size / seconds / 1e6
        ok &= speed >= ENGINE_GOAL_MB_S
        print(
            f"  {label:<34}{seconds / len(texts) * 1e6:>11.1f} us{speed:>9.1f}"
            f"   >= {ENGINE_GOAL_MB_S:.0f}  {verdict(speed >= ENGINE_GOAL_MB_S)}"
        )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--long", action="store_true", help="measure more rounds for steadier numbers")
    parser.add_argument("--build-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_child:
        build_child(args.build_child)
        return
    rounds = 400 if args.long else 80
    for options in (KEYWORD_DEFAULTS, replace(KEYWORD_DEFAULTS, separators=0)):
        KeywordMatcher(options, [KeywordTerm(0, "warm up")])  # fold tables are built once per process
    ok = all([bench_engine(rounds), *[bench(n, rounds) for n in (10_000, GOAL_KEYWORDS)]])
    print("\nall goals met" if ok else "\nsome goals missed")


if __name__ == "__main__":
    main()
