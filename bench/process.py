"""The benchmarks' processes: start them, wait for them, stop them, and read the CPU time they used."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

from aiohttp import web

from proxy.http.server import loop_factory

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def modproxy_command() -> list[str]:
    """The installed ``modproxy`` command next to this interpreter (as a user runs it)."""
    script = Path(sys.executable).with_name("modproxy")
    if script.exists():
        return [str(script)]
    found = shutil.which("modproxy")
    return [found] if found else [sys.executable, "-m", "proxy"]


def spawn(command: Sequence[str], log: Path) -> subprocess.Popen[bytes]:
    """A child process with no ``MODPROXY_*`` variables (default settings); its output goes to ``log``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODPROXY_")}
    with log.open("ab") as out:
        return subprocess.Popen(list(command), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def wait_ready(url: str, child: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"{' '.join(map(str, child.args))} exited with {child.returncode}")  # type: ignore[arg-type]
        try:
            with urllib.request.urlopen(url + "/v1/models", timeout=2) as response:
                if response.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up in {timeout:.0f} s")


def stop(children: Sequence[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for task in tasks:
        try:
            out += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except OSError:
            continue
    return out


def _own_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and every live descendant (e.g. ``--workers`` processes)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        total += _own_cpu(current)
        pending += _children(current)
    return total


def serve_app(make_app: Callable[[], web.Application], port: int) -> None:
    """Run an app on ``127.0.0.1:port`` on the event loop ``modproxy serve`` picks by default."""
    logging.basicConfig(level=logging.WARNING)

    async def main() -> None:
        stopped = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
        runner = web.AppRunner(make_app(), access_log=None, handler_cancellation=True)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        await stopped.wait()
        await runner.cleanup()

    with asyncio.Runner(loop_factory=loop_factory("auto")) as runner:
        runner.run(main())
