"""modproxy against a bare passthrough, the way a deployer would see it.

The rules every figure here follows:

* the measured processes are the shipped ``modproxy serve`` (only ``--upstream``, ``--policies``,
  ``--port`` and ``--admin-port`` given, no ``MODPROXY_*`` variables: default settings, access
  log and all) and a bare aiohttp passthrough that parses each JSON body (:mod:`bench.passthrough`),
  both in front of the same bench upstream (:mod:`bench.upstream`), each a process of its own;
* the load comes from ``wrk`` (:mod:`bench.wrk`), outside the measured processes, and every prompt
  and every answer is different;
* rounds are interleaved (baseline, modproxy, baseline, modproxy...) so a burst of load from elsewhere
  on the machine hits one round, not a whole column; the tables show medians of rounds;
* CPU time per request comes from ``/proc/PID/stat`` of the measured process and its workers: on a
  busy machine it is steadier than requests per second.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import random
import statistics
import subprocess
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import process
from bench.workload import Api, Profile, policy_dir
from bench.wrk import run_wrk, write_script

BASELINE = "bare"
THROUGHPUT_GOAL = 0.8
ADDED_P50_GOAL_MS = {False: 1.0, True: 2.0}
"""At c=1: added p50 for a JSON answer, and for the whole 50-chunk stream."""


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    url: str
    pid: int
    admin_url: str | None = None
    """modproxy's admin listener (``/metrics``)."""


@dataclass(frozen=True, slots=True)
class Cell:
    rps: float
    p50_ms: float
    p99_ms: float
    cpu_us: float
    """CPU time of the measured process (all its workers) per request."""


@dataclass(frozen=True, slots=True)
class Setup:
    targets: tuple[Target, ...]
    script: Path


@contextlib.contextmanager
def started(profiles: Sequence[Profile], workdir: Path) -> Iterator[Setup]:
    """The upstream, the bare passthrough and one ``modproxy serve`` per profile, all ready."""
    children: list[subprocess.Popen[bytes]] = []
    try:
        upstream_url = start(children, workdir, "upstream", process.python_module("bench.upstream")).url
        targets = [
            start(
                children,
                workdir,
                BASELINE,
                process.python_module("bench.passthrough"),
                extra=[upstream_url],
            )
        ]
        for profile in profiles:
            policies = policy_dir(profile, workdir / "policies")
            admin_port = process.free_port()
            flags = ["--upstream", upstream_url, "--admin-port", str(admin_port)]
            if policies is not None:
                flags += ["--policies", str(policies)]
            target = start(
                children,
                workdir,
                f"modproxy/{profile.value}",
                [*process.modproxy_command(), "serve", *flags],
                port_flag="--port",
            )
            targets.append(dataclasses.replace(target, admin_url=f"http://127.0.0.1:{admin_port}"))
        yield Setup(tuple(targets), write_script(workdir / "unique.lua"))
    finally:
        process.stop(children)


def start(
    children: list[subprocess.Popen[bytes]],
    workdir: Path,
    name: str,
    command: list[str],
    *,
    extra: Sequence[str] = (),
    port_flag: str | None = None,
) -> Target:
    """``command`` on a free port (``PORT *extra`` after it, or ``port_flag PORT``), ready to serve."""
    port = process.free_port()
    args = [*command, port_flag, str(port)] if port_flag else [*command, str(port), *extra]
    child = process.spawn(args, workdir / f"{name.replace('/', '-')}.log")
    children.append(child)
    url = f"http://127.0.0.1:{port}"
    process.wait_ready(url, child)
    return Target(name, url, child.pid)


def check(target: Target, *, stream: bool, api: Api = Api.CHAT) -> None:
    """One request by hand: answered, allowed by every profile's rules, and complete."""
    body = api.body(f"check {random.getrandbits(32):x}: 请用编号列表的形式给出回答。", stream=stream)
    request = urllib.request.Request(
        target.url + api.path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            data = response.read()
            action = response.headers.get("x-modproxy-action", "allow")
    except urllib.error.HTTPError as exc:  # a refused prompt: the rules of this profile stop the workload
        raise RuntimeError(f"{target.name}: {api.path} answered {exc.code}: {exc.read()[:300]!r}") from None
    if action != "allow" or not api.complete(data, stream=stream):
        raise RuntimeError(f"{target.name}: unexpected answer ({action}): {data[:300]!r}")


def decisions(target: Target) -> str:
    """What modproxy decided so far, from its own metrics: proof the workload went the allowed path."""
    if target.admin_url is None:
        return ""
    with urllib.request.urlopen(target.admin_url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    counts: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("modproxy_decisions_total{"):
            action = line.split('action="')[1].split('"')[0]
            counts[action] = counts.get(action, 0) + float(line.rsplit(" ", 1)[1])
    return ", ".join(f"{action} {count:.0f}" for action, count in sorted(counts.items()) if count)


def measure(
    setup: Setup, *, stream: bool, connections: int, seconds: int, rounds: int, api: Api = Api.CHAT
) -> dict[str, Cell]:
    salt = random.randrange(1, 10**6)
    for target in setup.targets:  # warm-up, and proof the path works
        check(target, stream=stream, api=api)
        run_wrk(
            target.url, setup.script, stream=stream, connections=connections, seconds=1, salt=salt, api=api
        )
        salt += 1
    samples: dict[str, list[Cell]] = {t.name: [] for t in setup.targets}
    for round_ in range(rounds):
        order = setup.targets if round_ % 2 == 0 else tuple(reversed(setup.targets))
        for target in order:
            before = process.cpu_seconds(target.pid)
            result = run_wrk(
                target.url,
                setup.script,
                stream=stream,
                connections=connections,
                seconds=seconds,
                salt=salt,
                api=api,
            )
            used = process.cpu_seconds(target.pid) - before
            salt += 1
            if result.errors or not result.requests:
                raise RuntimeError(f"{target.name}: {result.errors} errors in {result.requests} requests")
            samples[target.name].append(
                Cell(result.rps, result.p50_ms, result.p99_ms, used / result.requests * 1e6)
            )
    return {
        name: Cell(
            statistics.median(c.rps for c in cells),
            statistics.median(c.p50_ms for c in cells),
            statistics.median(c.p99_ms for c in cells),
            statistics.median(c.cpu_us for c in cells),
        )
        for name, cells in samples.items()
    }


def report(cells: dict[str, Cell], *, stream: bool, connections: int, api: Api = Api.CHAT) -> list[str]:
    kind = "sse (50 chunks)" if stream else "json"
    lines = [
        f"{api.title}, {kind}, c={connections}",
        f"  {'target':<34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'cpu us/req':>12}",
    ]
    for name, cell in cells.items():
        numbers = f"{cell.rps:>9.0f}{cell.p50_ms:>9.2f}{cell.p99_ms:>9.2f}{cell.cpu_us:>12.0f}"
        lines.append(f"  {name:<34}{numbers}")
    bare = cells[BASELINE]
    for name, cell in cells.items():
        if name == BASELINE:
            continue
        ratio = cell.rps / bare.rps
        line = (
            f"  {name} / bare: throughput {ratio:.2f}, p50 {cell.p50_ms / bare.p50_ms:.2f}, "
            f"p99 {cell.p99_ms / bare.p99_ms:.2f}, cpu per request {cell.cpu_us / bare.cpu_us:.2f}"
        )
        if connections > 1:
            line += f"  [goal >= {THROUGHPUT_GOAL}: {'met' if ratio >= THROUGHPUT_GOAL else 'MISSED'}]"
        else:
            added, goal = cell.p50_ms - bare.p50_ms, ADDED_P50_GOAL_MS[stream]
            what = "whole stream" if stream else "p50"
            verdict = "met" if added <= goal else "MISSED"
            line += f", added {what} {added:+.2f} ms  [goal <= {goal:g} ms: {verdict}]"
        lines.append(line)
    return lines


def parser(description: str) -> argparse.ArgumentParser:
    out = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    out.add_argument(
        "--profile",
        dest="profiles",
        nargs="+",
        type=Profile,
        default=[Profile.FULL],
        metavar="NAME",
        help=f"policy profiles, each its own modproxy ({', '.join(p.value for p in Profile)}; default full)",
    )
    out.add_argument("--seconds", type=int, default=3, help="length of one round (default 3)")
    out.add_argument("--rounds", type=int, default=4, help="interleaved rounds per cell (default 4)")
    out.add_argument("--concurrency", type=int, nargs="+", default=[16, 1], help="connections (default 16 1)")
    out.add_argument("--keep", type=Path, metavar="DIR", help="keep the policies, logs and script in DIR")
    return out


def main(
    args: argparse.Namespace,
    *,
    stream: bool,
    after: Callable[[Setup], list[str]] | None = None,
    apis: Sequence[Api] = (Api.CHAT,),
) -> int:
    """Every cell of ``args`` in each of ``apis``, JSON or SSE; then ``after``'s lines, same processes."""
    print(f"load average before: {_loadavg()}", flush=True)
    with contextlib.ExitStack() as stack:
        workdir = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="modproxy-bench")))
        workdir.mkdir(parents=True, exist_ok=True)
        setup = stack.enter_context(started(args.profiles, workdir))
        for api in apis:
            for connections in args.concurrency:
                cells = measure(
                    setup,
                    stream=stream,
                    connections=connections,
                    seconds=args.seconds,
                    rounds=args.rounds,
                    api=api,
                )
                print("\n".join(report(cells, stream=stream, connections=connections, api=api)), flush=True)
        if after is not None:
            print("\n".join(after(setup)), flush=True)
        for target in setup.targets:
            if target.admin_url is not None:
                print(f"decisions of {target.name} (prompt and answer phases): {decisions(target)}")
    print(f"load average after: {_loadavg()}; {args.rounds} rounds x {args.seconds:g} s, medians")
    return 0


def _loadavg() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())
