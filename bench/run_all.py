"""Run every benchmark once with its default (short) settings, one after another.

    python -m bench.run_all            # all of them, about eight minutes
    python -m bench.run_all keywords   # the ones whose name contains a word

Each benchmark measures its own baseline in the same run and prints ratios against it; this
script only sequences them so they never compete for the CPU.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCHES = (
    "bench_proxy",
    "bench_stream",
    "bench_stream_apis",
    "bench_keywords",
    "bench_cache",
    "bench_classifier",
)
ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    chosen = [name for name in BENCHES if not argv or any(word in name for word in argv)]
    failed = []
    for name in chosen:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=ROOT, check=False)
        print(
            f"=== {name}: exit {result.returncode} in {time.perf_counter() - started:.0f} s ===", flush=True
        )
        if result.returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
