"""Streamed chat completions (50-chunk SSE answers) through ``modproxy serve`` against a bare passthrough.

The same unique prompts as bench_proxy, with ``"stream": true``: each answer is a unique ~1.4 KB
text in 50 chunks, moderated as it streams under the default stream mode. Prints req/s, p50/p99
of the whole stream and CPU µs per streamed answer of both processes and their ratios, at c=16
(goal: throughput >= 0.8x the passthrough) and c=1 (goal: <= 2 ms added to the whole stream), then
the added time to the first token at c=1 (bench/ttft.py).
See bench/harness.py for the rules every figure follows.

    python -m bench.bench_stream                                 # profile full, ~1 min
    python -m bench.bench_stream --profile none keywords full
"""

from __future__ import annotations

from bench import harness, ttft

if __name__ == "__main__":
    args = harness.parser(__doc__ or "").parse_args()
    raise SystemExit(
        harness.main(args, stream=True, after=lambda setup: ttft.report(setup.targets, harness.BASELINE))
    )
