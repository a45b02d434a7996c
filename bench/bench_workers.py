"""Scaling on one machine: requests per second of ``modproxy serve`` with 1 and 2 workers.

Everything is measured from outside: the upstream (``modproxy dev-upstream``) and modproxy run as
their own processes, ``wrk`` generates the load (chat completions, a different text on every
request, the shipped policies enforced). Each target is warmed up, then measured in interleaved
rounds; medians are reported, with the CPU time the proxy's processes spent per request. The
upstream alone is measured the same way, as the ceiling the proxy is compared with.

    python -m bench.bench_workers [--seconds 10] [--rounds 3] [--connections 64]

This file stands alone: it shares no code with the other benchmarks.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLK_TCK = os.sysconf("SC_CLK_TCK")

# A different text on every request, so no cache answers for the proxy.
LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local body = '{"model": "m", "messages": [{"role": "user", "content": "tell me about the weather on day '
    .. n .. ' in city ' .. math.random(1, 1000000) .. '"}]}'
  return wrk.format(nil, "/v1/chat/completions", nil, body)
end
"""


@dataclass(frozen=True, slots=True)
class Round:
    requests_per_second: float
    cpu_us_per_request: float | None
    errors: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


@contextmanager
def process(args: list[str], env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for_workers(proc: subprocess.Popen[bytes], workers: int) -> None:
    assert proc.stderr is not None
    waiting = {f"worker {i} listening".encode() for i in range(workers)}
    while waiting:
        line = proc.stderr.readline()
        if not line:
            raise RuntimeError("modproxy exited before all workers listened")
        waiting = {needle for needle in waiting if needle not in line}
    drain(proc)


def drain(proc: subprocess.Popen[bytes]) -> None:
    """Keep reading the log, or the process blocks on a full pipe."""
    stream = proc.stderr
    assert stream is not None

    def read() -> None:
        while stream.readline():
            pass

    threading.Thread(target=read, daemon=True).start()


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its children (the worker processes), from /proc."""
    total = 0.0
    pids = [pid, *children(pid)]
    for one in pids:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return total


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(child) for child in text]
    return out + [grand for child in out for grand in children(child)]


def wrk(url: str, seconds: float, connections: int, script: Path) -> tuple[float, int, int]:
    """Requests per second, completed requests and errors (non-2xx, socket errors) of one run."""
    run = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds:.0f}s", "-s", str(script), url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    rate = re.search(r"Requests/sec:\s+([\d.]+)", run.stdout)
    done = re.search(r"(\d+) requests in", run.stdout)
    assert rate is not None and done is not None, run.stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", run.stdout)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", run.stdout
    )
    errors = (int(non_2xx[1]) if non_2xx else 0) + (
        sum(map(int, socket_errors.groups())) if socket_errors else 0
    )
    return float(rate[1]), int(done[1]), errors


def measure(url: str, pid: int | None, seconds: float, connections: int, script: Path) -> Round:
    before = tree_cpu_seconds(pid) if pid is not None else 0.0
    rate, done, errors = wrk(url, seconds, connections, script)
    cpu = (tree_cpu_seconds(pid) - before) / done * 1e6 if pid is not None and done else None
    return Round(rate, cpu, errors)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed", file=sys.stderr)
        return 2
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODPROXY_")}
    env |= {"MODPROXY_LOGGING_ACCESS_LOG": "false", "MODPROXY_LOGGING_LEVEL": "info"}
    python = sys.executable
    upstream_port = free_port()
    results: dict[str, list[Round]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        script = Path(scratch) / "chat.lua"
        script.write_text(LUA)
        with ExitStack() as running:
            up = running.enter_context(
                process([python, "-m", "proxy", "dev-upstream", "--port", str(upstream_port)], env)
            )
            drain(up)
            wait_for_port(upstream_port)
            upstream_url = f"http://127.0.0.1:{upstream_port}"
            targets: dict[str, tuple[str, int | None]] = {"upstream alone": (upstream_url, up.pid)}
            for workers in args.workers:
                port, admin = free_port(), free_port()
                serve = [python, "-m", "proxy", "serve", "--workers", str(workers), "--port", str(port)]
                serve += ["--admin-port", str(admin), "--upstream", upstream_url, "--policies", "policies"]
                proc = running.enter_context(process(serve, env))
                wait_for_workers(proc, workers)
                targets[f"modproxy --workers {workers}"] = (f"http://127.0.0.1:{port}", proc.pid)
            for url, pid in targets.values():  # warm-up
                measure(url, pid, 2, args.connections, script)
            for _ in range(args.rounds):
                for name, (url, pid) in targets.items():
                    results.setdefault(name, []).append(
                        measure(url, pid, args.seconds, args.connections, script)
                    )
    load = f"wrk -t2 -c{args.connections}, {args.seconds:.0f} s x {args.rounds} interleaved rounds"
    print(f"\n{os.cpu_count()} CPUs; {load}; medians\n")
    print("| target | req/s | CPU µs/request (its processes) | errors |")
    print("|---|---|---|---|")
    one = None
    for name, rounds in results.items():
        rate = statistics.median(r.requests_per_second for r in rounds)
        cpus = [r.cpu_us_per_request for r in rounds if r.cpu_us_per_request is not None]
        cpu = f"{statistics.median(cpus):.0f}" if cpus else "-"
        print(f"| {name} | {rate:.0f} | {cpu} | {sum(r.errors for r in rounds)} |")
        if name.endswith("--workers 1"):
            one = rate
        elif name.startswith("modproxy") and one:
            print(f"|   ratio to 1 worker | {rate / one:.2f}x | | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
