"""What both benchmarks share: one process per role, CPU pinning, one event loop choice, rounds.

Fairness rules the benchmarks follow:

* the upstream, the proxy under test (bare passthrough or modproxy) and the load generator each
  run in their own process; with two or more CPUs the proxy under test gets a CPU of its own, so
  the numbers compare the proxies' cost per request rather than how the scheduler shared a core;
* the bare passthrough and modproxy run on the same event loop (``--loop``) with the same logging
  (warnings only, no access log);
* every target is warmed up, then measured in several interleaved rounds, and medians are reported,
  so a burst of load from elsewhere on the machine hits one round of one target, not a whole column.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import aiohttp
from aiohttp import web

from proxy.server import loop_factory

ROOT = Path(__file__).resolve().parents[1]

LOOPS = ("auto", "asyncio", "uvloop")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Cpus:
    """Which CPU each role runs on; ``None`` leaves it to the scheduler."""

    load: int | None = None
    upstream: int | None = None
    proxy: int | None = None

    @classmethod
    def plan(cls, pin: bool) -> Cpus:
        available = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
        if not pin or len(available) < 2:
            return cls()
        if len(available) == 2:
            return cls(load=available[0], upstream=available[0], proxy=available[1])
        return cls(load=available[0], upstream=available[1], proxy=available[2])

    def describe(self) -> str:
        if self.proxy is None:
            return "not pinned"
        return (
            f"load generator cpu {self.load}, upstream cpu {self.upstream}, proxy under test cpu {self.proxy}"
        )


def pin(cpu: int | None) -> None:
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def spawn(args: Sequence[str], *, cpu: int | None, loop: str) -> subprocess.Popen[bytes]:
    """A child Python process with modproxy's quiet settings, the chosen loop, on ``cpu``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODPROXY_")}
    env["MODPROXY_LOGGING_ACCESS_LOG"] = "false"
    env["MODPROXY_LOGGING_LEVEL"] = "warning"
    env["MODPROXY_SERVER_EVENT_LOOP"] = loop
    command = [sys.executable, *args]
    if cpu is not None:
        command = ["taskset", "-c", str(cpu), *command]
    return subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)


def stop(children: Sequence[subprocess.Popen[bytes]]) -> None:
    for child in children:
        child.terminate()
    for child in children:
        child.wait(10)


async def wait_ready(url: str, path: str = "/v1/models") -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(400):
            try:
                async with http.get(url + path) as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def run(main: Coroutine[object, object, T], loop: str) -> T:
    with asyncio.Runner(loop_factory=loop_factory(loop)) as runner:
        return runner.run(main)


def serve_app(make_app: Callable[[], web.Application], port: int, loop: str) -> None:
    """Run an app the way ``modproxy serve`` runs its main listener (same loop, no access log)."""
    logging.basicConfig(level=logging.WARNING)

    async def main() -> None:
        stopped = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
        runner = web.AppRunner(make_app(), access_log=None, handler_cancellation=True)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        await stopped.wait()
        await runner.cleanup()

    run(main(), loop)


def bare_passthrough(upstream: str) -> web.Application:
    """The least a proxy must do: read the body, forward it on a shared pooled session, relay the answer.

    Content-Type, Authorization and the body go upstream; the status, Content-Type and body (streamed
    chunk by chunk for SSE) come back. No parsing, no moderation, no header hygiene beyond that.
    """
    session_key = web.AppKey("session", aiohttp.ClientSession)

    async def session_ctx(app: web.Application) -> AsyncIterator[None]:
        app[session_key] = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=100), timeout=aiohttp.ClientTimeout(sock_read=300)
        )
        yield
        await app[session_key].close()

    async def forward(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k in ("Content-Type", "Authorization")}
        async with request.app[session_key].post(
            upstream + request.path_qs, data=body, headers=headers
        ) as up:
            if up.content_type == "text/event-stream":
                response = web.StreamResponse(status=up.status, headers={"Content-Type": "text/event-stream"})
                await response.prepare(request)
                async for chunk in up.content.iter_any():
                    await response.write(chunk)
                await response.write_eof()
                return response
            return web.Response(status=up.status, body=await up.read(), content_type=up.content_type)

    async def models(request: web.Request) -> web.Response:
        return web.Response(text="{}", content_type="application/json")

    app = web.Application()
    app.cleanup_ctx.append(session_ctx)
    app.router.add_get("/v1/models", models)
    app.router.add_post("/{tail:.*}", forward)
    return app


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux); 0 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def median(values: Sequence[float]) -> float:
    return statistics.median(values)
