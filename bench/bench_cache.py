"""Decision cache through ``modproxy serve``: what a cached verdict saves; long conversations stay cheap.

Two ``modproxy serve`` replicas (default settings plus ``--redis-url``) share one redis-server
and run the shipped policies plus a built-in classifier policy (profile ``shipped-builtin``), in
front of the bench upstream; a bare passthrough is the baseline. Requests go one at a time
(c=1) from this process, so each latency is one request's own. Prints:

1. the latency of a new prompt (nothing cached), of the same request on the other replica
   (Redis tier) and again on the first (local tier), next to the bare passthrough;
2. Redis commands per request over a conversation, from the server's INFO commandstats;
3. per-turn latency over a ``--turns``-turn conversation (each turn resends the whole history),
   cached (an ordinary conversation) vs uncached (every turn's history new), with the bare
   passthrough as the floor.

    python -m bench.bench_cache [--turns 50] [--repeat 40] [--conversations 3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from bench import process
from bench.harness import BASELINE, Target, start
from bench.workload import SYSTEM, Profile, policy_dir, sentences

MESSAGE_BYTES = 400


@contextlib.contextmanager
def redis_server(workdir: Path) -> Iterator[int]:
    port = process.free_port()
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    child = process.spawn(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        workdir / "redis.log",
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while redis_command(port, "PING") != "+PONG":
            if time.monotonic() > deadline or child.poll() is not None:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield port
    finally:
        process.stop([child])


def redis_command(port: int, *words: str) -> str:
    """One inline command, its whole reply as text ('' when the server is not up)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(" ".join(words).encode() + b"\r\n")
            sock.settimeout(0.2)
            reply = b""
            with contextlib.suppress(TimeoutError):
                while chunk := sock.recv(65536):
                    reply += chunk
            return reply.decode().strip()
    except OSError:
        return ""


def redis_calls(port: int) -> dict[str, int]:
    """Calls per command the server ran (INFO commandstats), INFO and CONFIG themselves left out."""
    calls: dict[str, int] = {}
    for line in redis_command(port, "INFO", "commandstats").splitlines():
        if line.startswith("cmdstat_") and not line.startswith(("cmdstat_info", "cmdstat_config")):
            name, stats = line.removeprefix("cmdstat_").split(":", 1)
            calls[name] = int(stats.split("calls=")[1].split(",")[0])
    return calls


def chat(target: Target, messages: list[dict[str, str]]) -> float:
    """Seconds for one JSON chat completion, checked to be allowed."""
    body = json.dumps({"model": "bench", "messages": messages}).encode()
    request = urllib.request.Request(
        target.url + "/v1/chat/completions", data=body, headers={"Content-Type": "application/json"}
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        elapsed = time.perf_counter() - start
        if response.headers.get("x-modproxy-action", "allow") == "block":
            raise RuntimeError(f"{target.name} blocked a bench prompt")
    return elapsed


class Texts:
    def __init__(self) -> None:
        self._rng = random.Random()
        self._number = 0

    def message(self) -> str:
        self._number += 1
        return f"Message {self._number}-{self._rng.getrandbits(32):x}. " + sentences(self._rng, MESSAGE_BYTES)


def conversation(texts: Texts, turns: int) -> list[list[dict[str, str]]]:
    """The request of each turn: the system message, then every user message so far and its answer."""
    history: list[dict[str, str]] = [{"role": "system", "content": SYSTEM}]
    requests = []
    for _ in range(turns):
        history.append({"role": "user", "content": texts.message()})
        requests.append(list(history))
        history.append({"role": "assistant", "content": texts.message()})
    return requests


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def run(args: argparse.Namespace, targets: dict[str, Target], redis_port: int) -> None:
    texts = Texts()
    bare, first, second = targets[BASELINE], targets["replica-a"], targets["replica-b"]
    for target in (bare, first, second):  # warm-up: connections, the model, the interpreter
        for _ in range(5):
            chat(target, [{"role": "user", "content": texts.message()}])

    print(f"== 1. one {MESSAGE_BYTES}-byte prompt, median of {args.repeat}")
    samples: dict[str, list[float]] = {"bare": [], "uncached": [], "redis": [], "local": []}
    for _ in range(args.repeat):
        messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": texts.message()}]
        samples["bare"].append(chat(bare, [{"role": "user", "content": texts.message()}]))
        samples["uncached"].append(chat(first, messages))
        samples["redis"].append(chat(second, messages))
        samples["local"].append(chat(first, messages))
    median = {name: statistics.median(values) for name, values in samples.items()}
    print(f"bare passthrough (baseline)         {ms(median['bare'])}")
    for name, label in (("uncached", "new prompt"), ("redis", "same, other replica (Redis)"),
                        ("local", "same, same replica (local)")):  # fmt: skip
        added = median[name] - median["bare"]
        print(f"modproxy, {label:<27}{ms(median[name])}   added {added * 1000:+7.2f} ms")

    print(f"\n== 2+3. {args.conversations} conversations of {args.turns} turns (each resends the history)")
    cached: list[list[float]] = []
    calls_before = redis_calls(redis_port)
    for _ in range(args.conversations):
        cached.append([chat(first, request) for request in conversation(texts, args.turns)])
    requests = args.conversations * args.turns
    after = redis_calls(redis_port)
    per_request = {name: (after[name] - calls_before.get(name, 0)) / requests for name in sorted(after)}
    print("Redis commands per request: " + ", ".join(f"{n} {v:.2f}" for n, v in per_request.items() if v))
    uncached: list[list[float]] = []
    floor: list[list[float]] = []
    for _ in range(args.conversations):
        # Every turn a whole new history of the same length: nothing is ever cached.
        runs = [conversation(texts, args.turns)[-1][: 2 * turn + 2] for turn in range(args.turns)]
        uncached.append([chat(first, request) for request in runs])
        floor.append([chat(bare, request) for request in runs])
    print(f"{'turn':>6} {'cached':>12} {'uncached':>12} {'bare':>12} {'cached/uncached':>16}")
    for turn in sorted({1, 10, 25, args.turns}):
        if turn <= args.turns:
            c, u, b = (statistics.median(r[turn - 1] for r in rows) for rows in (cached, uncached, floor))
            print(f"{turn:>6} {ms(c):>12} {ms(u):>12} {ms(b):>12} {c / u:16.2f}")
    first_turns = statistics.median(statistics.median(r[:10]) for r in cached)
    last_turns = statistics.median(statistics.median(r[-10:]) for r in cached)
    print(f"cached per-turn cost, last 10 turns vs first 10: x{last_turns / first_turns:.2f} (flat ~ 1)")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--turns", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--conversations", type=int, default=3)
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="modproxy-bench")))
        redis_port = stack.enter_context(redis_server(workdir))
        children: list[subprocess.Popen[bytes]] = []
        stack.callback(process.stop, children)
        upstream = start(children, workdir, "upstream", process.python_module("bench.upstream"))
        targets = {BASELINE: start(children, workdir, BASELINE, process.python_module("bench.passthrough"),
                                   extra=[upstream.url])}  # fmt: skip
        policies = policy_dir(Profile.SHIPPED_BUILTIN, workdir / "policies")
        assert policies is not None
        for name in ("replica-a", "replica-b"):
            redis_url = f"redis://127.0.0.1:{redis_port}/0"
            flags = ["--upstream", upstream.url, "--policies", str(policies), "--redis-url", redis_url,
                     "--admin-port", str(process.free_port())]  # fmt: skip
            targets[name] = start(children, workdir, name, [*process.modproxy_command(), "serve", *flags],
                                  port_flag="--port")  # fmt: skip
        run(args, targets, redis_port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
