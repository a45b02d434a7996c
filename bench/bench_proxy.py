"""Proxy overhead on loopback: direct upstream vs a bare aiohttp passthrough vs modproxy (no policies).

The upstream (the dev echo backend), the bare passthrough and modproxy (``modproxy serve``) each run
in their own process, the proxy under test on a CPU of its own; this process generates load (see
bench/harness.py for the fairness rules). Every cell is measured in interleaved rounds; the table
shows medians. Prints requests/s and p50/p99 latency per cell and the ratio modproxy / bare
passthrough (goal: throughput ratio >= 0.9).

    python -m bench.bench_proxy                      # ~50 s
    python -m bench.bench_proxy --seconds 3 --rounds 5   # steadier numbers
    python -m bench.bench_proxy --loop asyncio       # both proxies on the standard loop
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import time
from dataclasses import dataclass

import aiohttp

from bench import harness

CONCURRENCY = (1, 16, 64)
TARGETS = ("upstream", "bare", "modproxy")
PROMPT = "The quick brown fox jumps over the lazy dog. " * 4


@dataclass(frozen=True, slots=True)
class Cell:
    rps: float
    p50_ms: float
    p99_ms: float
    cpu_us: float = 0.0
    """CPU time the target process spent per request: steadier than req/s on a shared machine."""


async def load(url: str, *, stream: bool, concurrency: int, seconds: float) -> Cell:
    body = json.dumps(
        {"model": "bench", "stream": stream, "messages": [{"role": "user", "content": PROMPT}]}
    ).encode()
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def worker() -> None:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                async with http.post(
                    url + "/v1/chat/completions", data=body, headers={"Content-Type": "application/json"}
                ) as response:
                    data = await response.read()
                    if response.status != 200 or (stream and not data.endswith(b"[DONE]\n\n")):
                        raise RuntimeError(f"bad response {response.status}: {data[:200]!r}")
                latencies.append(time.perf_counter() - start)

        begin = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - begin
    latencies.sort()
    return Cell(
        len(latencies) / elapsed,
        latencies[len(latencies) // 2] * 1000,
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    )


async def measured(url: str, pid: int, *, stream: bool, concurrency: int, seconds: float) -> Cell:
    before = harness.cpu_seconds(pid)
    cell = await load(url, stream=stream, concurrency=concurrency, seconds=seconds)
    used = harness.cpu_seconds(pid) - before
    return dataclasses.replace(cell, cpu_us=used / (cell.rps * seconds) * 1e6)


async def measure(
    urls: dict[str, str], pids: dict[str, int], *, stream: bool, concurrency: int, seconds: float, rounds: int
) -> dict[str, Cell]:
    for url in urls.values():
        await load(url, stream=stream, concurrency=concurrency, seconds=0.2)  # warm-up
    samples: dict[str, list[Cell]] = {name: [] for name in urls}
    names = list(urls)
    for round_ in range(rounds):
        # Rotate the order so no target always runs right after the same neighbour.
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            samples[name].append(
                await measured(
                    urls[name], pids[name], stream=stream, concurrency=concurrency, seconds=seconds
                )
            )
    return {
        name: Cell(
            harness.median([c.rps for c in cells]),
            harness.median([c.p50_ms for c in cells]),
            harness.median([c.p99_ms for c in cells]),
            harness.median([c.cpu_us for c in cells]),
        )
        for name, cells in samples.items()
    }


async def main(args: argparse.Namespace, cpus: harness.Cpus) -> int:
    ports = {name: harness.free_port() for name in TARGETS}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    loop = args.loop
    children = [
        harness.spawn(
            ["-m", "proxy", "dev-upstream", "--port", str(ports["upstream"])], cpu=cpus.upstream, loop=loop
        ),
        harness.spawn(
            ["-m", "bench.bench_proxy", "--bare", str(ports["bare"]), urls["upstream"], "--loop", loop],
            cpu=cpus.proxy,
            loop=loop,
        ),
        harness.spawn(
            [
                "-m",
                "proxy",
                "serve",
                "--upstream",
                urls["upstream"],
                "--port",
                str(ports["modproxy"]),
                "--admin-port",
                str(harness.free_port()),
            ],
            cpu=cpus.proxy,
            loop=loop,
        ),
    ]
    try:
        pids = {name: child.pid for name, child in zip(TARGETS, children, strict=True)}
        for url in urls.values():
            await harness.wait_ready(url)
        results: dict[tuple[bool, int], dict[str, Cell]] = {}
        for stream in args.modes:
            for concurrency in args.concurrency:
                results[stream, concurrency] = await measure(
                    urls,
                    pids,
                    stream=stream,
                    concurrency=concurrency,
                    seconds=args.seconds,
                    rounds=args.rounds,
                )
    finally:
        harness.stop(children)
    print(f"loop={loop} rounds={args.rounds}x{args.seconds:g}s {cpus.describe()}; medians of rounds")
    report(results)
    return 0


def report(results: dict[tuple[bool, int], dict[str, Cell]]) -> None:
    print(f"{'mode':<10}{'conc':>5}  {'target':<10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'cpu us/req':>12}")
    for (stream, concurrency), cells in results.items():
        for name in TARGETS:
            cell = cells[name]
            mode = "stream" if stream else "json"
            numbers = f"{cell.rps:>9.0f}{cell.p50_ms:>9.2f}{cell.p99_ms:>9.2f}{cell.cpu_us:>12.0f}"
            print(f"{mode:<10}{concurrency:>5}  {name:<10}{numbers}")
        bare, ours = cells["bare"], cells["modproxy"]
        print(
            f"{'':<15}ratio modproxy/bare: throughput {ours.rps / bare.rps:.2f}, "
            f"p50 {ours.p50_ms / bare.p50_ms:.2f}, p99 {ours.p99_ms / bare.p99_ms:.2f}, "
            f"cpu per request {ours.cpu_us / bare.cpu_us:.2f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=0.8, help="measuring time per round (default 0.8)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per cell (default 3)")
    parser.add_argument("--loop", choices=harness.LOOPS, default="auto", help="event loop of every process")
    parser.add_argument(
        "--concurrency", type=int, nargs="+", default=CONCURRENCY, help="concurrency levels (default 1 16 64)"
    )
    parser.add_argument(
        "--mode",
        dest="modes",
        choices=("json", "stream"),
        nargs="+",
        default=("json", "stream"),
        help="response kinds to measure (default both)",
    )
    parser.add_argument("--no-pin", action="store_true", help="leave CPU placement to the scheduler")
    parser.add_argument("--bare", nargs=2, metavar=("PORT", "UPSTREAM"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        harness.serve_app(lambda: harness.bare_passthrough(args.bare[1]), int(args.bare[0]), args.loop)
        raise SystemExit(0)
    args.modes = [mode == "stream" for mode in args.modes]
    cpus = harness.Cpus.plan(pin=not args.no_pin)
    harness.pin(cpus.load)
    raise SystemExit(harness.run(main(args, cpus), args.loop))
