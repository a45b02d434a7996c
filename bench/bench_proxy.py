"""Proxy overhead on loopback: direct upstream vs a bare aiohttp passthrough vs modproxy (no policies).

Upstream (the dev echo backend), bare passthrough and modproxy each run in their own process;
this process generates load. Prints requests/s and p50/p99 latency per cell and the ratio
modproxy / bare passthrough (goal: throughput ratio >= 0.9).

    python bench/bench_proxy.py                 # ~40 s
    python bench/bench_proxy.py --seconds 5     # steadier numbers
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
CONCURRENCY = (1, 16, 64)
PROMPT = "The quick brown fox jumps over the lazy dog. " * 4


# --- the bare passthrough baseline (run as a child process of this script) -------------------------


def run_passthrough(port: int, upstream: str) -> None:
    async def startup(app: web.Application) -> None:
        app["session"] = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=100), timeout=aiohttp.ClientTimeout(sock_read=300)
        )

    async def cleanup(app: web.Application) -> None:
        await app["session"].close()

    async def forward(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        session: aiohttp.ClientSession = request.app["session"]
        headers = {"Content-Type": request.headers.get("Content-Type", "application/json")}
        async with session.post(upstream + request.path_qs, data=body, headers=headers) as up:
            if up.content_type == "text/event-stream":
                response = web.StreamResponse(status=up.status, headers={"Content-Type": "text/event-stream"})
                await response.prepare(request)
                async for chunk in up.content.iter_any():
                    await response.write(chunk)
                await response.write_eof()
                return response
            return web.Response(status=up.status, body=await up.read(), content_type=up.content_type)

    app = web.Application()
    app.on_startup.append(startup)
    app.on_cleanup.append(cleanup)
    app.router.add_post("/{tail:.*}", forward)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


# --- load generation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    target: str
    stream: bool
    concurrency: int
    rps: float
    p50_ms: float
    p99_ms: float


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
        url,
        stream,
        concurrency,
        len(latencies) / elapsed,
        statistics.median(latencies) * 1000,
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    )


# --- orchestration ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def wait_ready(url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            try:
                async with http.get(url + "/v1/models") as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def spawn(args: list[str]) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODPROXY_")}
    env["MODPROXY_LOGGING_ACCESS_LOG"] = "false"
    env["MODPROXY_LOGGING_LEVEL"] = "warning"
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stderr=subprocess.DEVNULL)


async def main(seconds: float) -> int:
    ports = {name: free_port() for name in ("upstream", "bare", "modproxy")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    children = [
        spawn(["-m", "proxy", "dev-upstream", "--port", str(ports["upstream"])]),
        spawn([__file__, "--passthrough", str(ports["bare"]), urls["upstream"]]),
        spawn(
            [
                "-m",
                "proxy",
                "serve",
                "--upstream",
                urls["upstream"],
                "--port",
                str(ports["modproxy"]),
                "--admin-port",
                str(free_port()),
            ]
        ),
    ]
    try:
        for url in urls.values():
            await wait_ready(url)
        results: dict[tuple[str, bool, int], Cell] = {}
        for stream in (False, True):
            for concurrency in CONCURRENCY:
                for name in ("upstream", "bare", "modproxy"):
                    await load(urls[name], stream=stream, concurrency=concurrency, seconds=0.2)  # warm-up
                    results[name, stream, concurrency] = await load(
                        urls[name], stream=stream, concurrency=concurrency, seconds=seconds
                    )
        report(results)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(10)
    return 0


def report(results: dict[tuple[str, bool, int], Cell]) -> None:
    print(f"{'mode':<10}{'conc':>5}  {'target':<10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for stream in (False, True):
        for concurrency in CONCURRENCY:
            for name in ("upstream", "bare", "modproxy"):
                cell = results[name, stream, concurrency]
                mode = "stream" if stream else "json"
                numbers = f"{cell.rps:>9.0f}{cell.p50_ms:>9.2f}{cell.p99_ms:>9.2f}"
                print(f"{mode:<10}{concurrency:>5}  {name:<10}{numbers}")
            bare, ours = results["bare", stream, concurrency], results["modproxy", stream, concurrency]
            print(
                f"{'':<15}ratio modproxy/bare: throughput {ours.rps / bare.rps:.2f}, "
                f"p50 {ours.p50_ms / bare.p50_ms:.2f}, p99 {ours.p99_ms / bare.p99_ms:.2f}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=1.5, help="measuring time per cell (default 1.5)")
    parser.add_argument("--passthrough", nargs=2, metavar=("PORT", "UPSTREAM"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.passthrough:
        run_passthrough(int(args.passthrough[0]), args.passthrough[1])
        raise SystemExit(0)
    raise SystemExit(asyncio.run(main(args.seconds)))
