"""JSON chat completions through ``modproxy serve`` against a bare passthrough, in the same run.

Each request carries a system message and a unique ~1.2 KB English/Chinese prompt; each answer
is a unique ~1.4 KB text. Prints req/s, p50/p99 latency and CPU µs per request of both
processes and their ratios, at c=16 (goal: throughput >= 0.8x the passthrough) and c=1 (goal:
<= 1 ms added p50). See bench/harness.py for the rules every figure follows.

    python -m bench.bench_proxy                                  # profile full, ~1 min
    python -m bench.bench_proxy --profile none keywords full     # one modproxy per profile
    python -m bench.bench_proxy --profile shipped shipped-keywords-only
"""

from __future__ import annotations

from bench import harness

if __name__ == "__main__":
    raise SystemExit(harness.main(harness.parser(__doc__ or "").parse_args(), stream=False))
