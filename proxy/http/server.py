"""Running the proxy: main and admin listeners, worker processes, graceful shutdown on SIGTERM.

With ``server.workers`` > 1 each worker is a separate process binding the same port with
SO_REUSEPORT, so the kernel spreads connections over them. The admin listener runs in
worker 0 only, so exactly one process answers on the admin port.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import gc
import importlib
import logging
import multiprocessing
import os
import resource
import signal
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from types import FrameType
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry

from proxy.dev_upstream.echo import BANNER, create_dev_upstream_app
from proxy.http.access_log import LOGGER as ACCESS_LOGGER
from proxy.http.access_log import AccessLog
from proxy.http.app import create_serving_apps
from proxy.http.client_limits import ConnectionGuard, GuardedRunner
from proxy.http.components import StartupError, open_components
from proxy.http.routing import RouteTable
from proxy.metrics.exporter import Metrics
from proxy.metrics.multiprocess import (
    activate_multiprocess,
    mark_worker_dead,
    multiprocess_registry,
    prepare_multiprocess_dir,
)
from proxy.policy.store import ReloadOutcome, ReloadResult
from proxy.settings.load import Settings, SettingsError

log = logging.getLogger("proxy.server")


LoopFactory = Callable[[], asyncio.AbstractEventLoop]


def run(settings: Settings) -> int:
    configure_logging(settings)
    if settings.server.workers == 0:  # auto: one per CPU
        workers = os.cpu_count() or 1
        settings = dataclasses.replace(settings, server=dataclasses.replace(settings.server, workers=workers))
    raise_open_files_limit(settings)
    new_loop = loop_factory(settings.server.event_loop)  # a missing uvloop fails before any worker starts
    if settings.server.workers > 1:
        return _run_workers(settings)
    try:
        with asyncio.Runner(loop_factory=new_loop) as runner:
            runner.run(serve(settings))
    except StartupError as exc:
        log.error("cannot start: %s", exc)
        return 2
    return 0


def raise_open_files_limit(settings: Settings) -> None:
    """Make room for ``limits.max_connections`` clients, each with an upstream socket, and some spare.

    The soft limit is often 1024, far below the connection cap; the hard limit is the ceiling."""
    wanted = 2 * settings.limits.max_connections + settings.upstream.pool_size + 256
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < wanted:
        log.warning(
            "open files limited to %d: fewer than limits.max_connections=%d clients can be served",
            target,
            settings.limits.max_connections,
        )


def loop_factory(choice: str) -> LoopFactory:
    """uvloop when asked for, or with ``auto`` when installed: it cuts the per-request cost of the loop."""
    if choice == "asyncio":
        return asyncio.new_event_loop
    try:
        uvloop = importlib.import_module("uvloop")
    except ImportError:
        if choice == "uvloop":
            raise SettingsError("server.event_loop", "uvloop is not installed") from None
        return asyncio.new_event_loop
    factory: LoopFactory = uvloop.new_event_loop
    return factory


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.logging.level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


async def serve(settings: Settings, *, worker: int = 0) -> None:
    """Serve until SIGTERM or SIGINT, then stop accepting and let in-flight requests finish."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    async with contextlib.AsyncExitStack() as stack:
        if settings.upstream.dev:
            dev = await _start(web.AppRunner(create_dev_upstream_app(), access_log=None), "127.0.0.1", 0)
            stack.push_async_callback(dev.cleanup)
            log.warning("%s", BANNER)
            settings = dataclasses.replace(
                settings, upstream=dataclasses.replace(settings.upstream, url=_urls(dev)[0])
            )
        metrics, served = _worker_metrics(settings)
        parts = await stack.enter_async_context(open_components(settings, metrics=metrics))
        app, admin_app = create_serving_apps(settings, parts, metrics_registry=served)
        admin_urls: list[str] = []
        if worker == 0:
            admin = await _start(
                web.AppRunner(admin_app, access_log=None), settings.admin.host, settings.admin.port
            )
            stack.push_async_callback(admin.cleanup)
            admin_urls = _urls(admin)
        main = await _start(
            GuardedRunner(
                app,
                ConnectionGuard(settings.limits, parts.metrics.limits),
                handle_signals=False,
                shutdown_timeout=settings.server.shutdown_grace_seconds,
                handler_cancellation=True,
                access_log=ACCESS_LOGGER if settings.logging.access_log else None,
                access_log_class=AccessLog,
            ),
            settings.server.host,
            settings.server.port,
            reuse_port=settings.server.workers > 1,
        )
        # Cleanup runs in reverse: main first (it stops accepting and waits for in-flight work),
        # then admin, the components, and the dev upstream last.
        stack.push_async_callback(main.cleanup)
        log.info(
            "worker %d listening on %s (admin %s), upstream %s, policies revision %s",
            worker,
            " ".join(_urls(main)),
            " ".join(admin_urls) or "in worker 0",
            settings.upstream.url,
            parts.store.current.revision,
        )
        log.info("worker %d: %d loaded objects kept out of full collections", worker, _freeze_loaded())
        for policy_set in parts.policy_sets.values():
            policy_set.reloader.add_observer(functools.partial(_refreeze_after_reload, worker))
        await stop.wait()
        log.info(
            "shutting down: in-flight requests have %.0f s to finish", settings.server.shutdown_grace_seconds
        )
    log.info("worker %d stopped", worker)


def _freeze_loaded() -> int:
    """Take what was loaded to serve (rules, word lists, the model's weights, fold tables) out of
    the cyclic collector's view. Every full collection walked all of it — tens of milliseconds with
    the shipped policies and a large word list, the event loop stopped meanwhile — about once per
    thousand requests, since each request leaves a few long-lived objects (cache entries) behind."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def _refreeze_after_reload(
    worker: int, result: ReloadResult, revision: str, counts: Mapping[str, Any]
) -> None:
    """A reloaded policy set is new loaded data: freeze it too, or full collections walk it again.
    The set it replaced was frozen, so its cycles are only found with everything thawed: one full
    collection per reload (tens of milliseconds) instead of one every thousand requests or so."""
    if result.outcome is not ReloadOutcome.LOADED:
        return
    gc.unfreeze()
    frozen = _freeze_loaded()
    log.info(
        "worker %d: revision %s: %d loaded objects kept out of full collections", worker, revision, frozen
    )


def _worker_metrics(settings: Settings) -> tuple[Metrics | None, CollectorRegistry | None]:
    """With several workers: metrics written to the shared directory, and their aggregate served."""
    directory = settings.metrics.multiprocess_dir
    if settings.server.workers == 1 or directory is None:
        return None, None
    activate_multiprocess(directory)
    metrics = Metrics(
        CollectorRegistry(), route_names=RouteTable.from_settings(settings).names, multiprocess=True
    )
    return metrics, multiprocess_registry(directory)


async def _start(runner: web.AppRunner, host: str, port: int, *, reuse_port: bool = False) -> web.AppRunner:
    await runner.setup()
    await web.TCPSite(runner, host, port, reuse_port=reuse_port or None).start()
    return runner


def _urls(runner: web.AppRunner) -> list[str]:
    out = []
    for address in runner.addresses:
        host, port = address[0], address[1]
        out.append(f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}")
    return out


def _run_workers(settings: Settings) -> int:
    # The workers' metric files live in one directory, emptied first so no earlier run is counted.
    directory = settings.metrics.multiprocess_dir or Path(tempfile.mkdtemp(prefix="modproxy-metrics-"))
    prepare_multiprocess_dir(directory)
    settings = dataclasses.replace(
        settings, metrics=dataclasses.replace(settings.metrics, multiprocess_dir=directory)
    )
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_worker_main, args=(settings, index), name=f"modproxy-worker-{index}")
        for index in range(settings.server.workers)
    ]

    def forward(signum: int, frame: FrameType | None) -> None:
        for process in workers:
            if process.is_alive():
                process.terminate()

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for process in workers:
        process.start()
    for process in workers:
        process.join()
        if process.pid is not None:
            mark_worker_dead(directory, process.pid)
    return max((abs(p.exitcode or 0) for p in workers), default=0) and 1


def _worker_main(settings: Settings, index: int) -> None:
    configure_logging(settings)
    try:
        with asyncio.Runner(loop_factory=loop_factory(settings.server.event_loop)) as runner:
            runner.run(serve(settings, worker=index))
    except StartupError as exc:
        log.error("worker %d cannot start: %s", index, exc)
        raise SystemExit(2) from None
