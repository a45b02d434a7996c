"""``serve --workers 2``: two processes on one port, and ``/metrics`` counts the requests of both."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import sys
from pathlib import Path

import aiohttp
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from tests.fixtures.upstream import LoopbackUpstream

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 40
COUNTED = re.compile(r'^modproxy_requests_total\{route="chat_completions",status="200"\} (\S+)$', re.M)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _both_listening(process: asyncio.subprocess.Process) -> asyncio.Task[None]:
    """Read the log until each worker said it listens; then a task drains it so the pipe never fills."""
    assert process.stderr is not None
    stderr = process.stderr
    waiting = {b"worker 0 listening", b"worker 1 listening"}
    while waiting:
        line = await asyncio.wait_for(stderr.readline(), 30)
        assert line, "the server exited before both workers listened"
        waiting = {needle for needle in waiting if needle not in line}

    async def drain() -> None:
        while await stderr.readline():
            pass

    return asyncio.create_task(drain())


def _served_by(metrics_dir: Path, pid: str, scratch: Path) -> float:
    """Requests one worker counted, read from that worker's own file alone."""
    alone = scratch / f"worker-{pid}"
    alone.mkdir()
    shutil.copy(metrics_dir / f"counter_{pid}.db", alone)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(alone))  # type: ignore[no-untyped-call]
    labels = {"route": "chat_completions", "status": "200"}
    return registry.get_sample_value("modproxy_requests_total", labels) or 0.0


async def test_metrics_of_every_worker_add_up(upstream: LoopbackUpstream, tmp_path: Path) -> None:
    port, admin_port = _free_port(), _free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"stale file of an earlier run")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODPROXY_")}
    env["MODPROXY_METRICS_MULTIPROCESS_DIR"] = str(metrics_dir)
    env["MODPROXY_LOGGING_ACCESS_LOG"] = "false"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "proxy", "serve", "--workers", "2", "--upstream", upstream.url,
        "--port", str(port), "--admin-port", str(admin_port), cwd=ROOT, env=env,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        # Both sockets must be bound before the load starts, or the kernel has only one to pick.
        drain = await _both_listening(process)
        # A new connection per request, so the kernel spreads them over both workers' sockets.
        connector = aiohttp.TCPConnector(force_close=True)
        async with aiohttp.ClientSession(connector=connector) as http:
            for index in range(REQUESTS):
                body = {"model": "m", "messages": [{"role": "user", "content": f"hello {index}"}]}
                async with http.post(f"{url}/v1/chat/completions", json=body) as response:
                    assert response.status == 200
            async with http.get(f"http://127.0.0.1:{admin_port}/metrics") as response:
                exposition = await response.text()
        writers = {path.stem.rsplit("_", 1)[-1] for path in metrics_dir.glob("counter_*.db")}
        assert "1" not in writers, "the directory was emptied at start"
        per_worker = [_served_by(metrics_dir, pid, tmp_path) for pid in sorted(writers)]
        assert len(per_worker) == 2 and all(n > 0 for n in per_worker), per_worker
        [counted] = COUNTED.findall(exposition)
        assert float(counted) == sum(per_worker) == REQUESTS
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    await drain


async def test_workers_auto_starts_one_worker_per_cpu(upstream: LoopbackUpstream) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODPROXY_")}
    cpus = os.cpu_count() or 1
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "proxy", "serve", "--workers", "auto", "--upstream", upstream.url,
        "--port", str(_free_port()), "--admin-port", str(_free_port()), cwd=ROOT, env=env,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        waiting = {f"worker {i} listening".encode() for i in range(cpus)}
        while waiting:
            line = await asyncio.wait_for(process.stderr.readline(), 30)
            assert line, "the server exited before every worker listened"
            assert f"worker {cpus} listening".encode() not in line
            waiting = {needle for needle in waiting if needle not in line}
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
