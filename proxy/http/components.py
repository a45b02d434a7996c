"""The long-lived pieces ``modproxy serve`` runs with, built from settings and torn down together.

Policies (a store that hot reload swaps), the decision cache, classifier backends, the
moderator over them, and the metrics every one of them reports to. ``create_app`` and
``create_admin_app`` receive these; nothing here knows about routes or handlers.

Each named policy set (``policies.path`` is ``default``, ``policy_sets`` adds more) gets
its own store, reloader, watcher and moderator; they share the decision cache (its keys
carry each set's revision) and the classifier backends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from prometheus_client import CollectorRegistry

from proxy.audit.record import AuditingModerator
from proxy.audit.sinks import build_trail
from proxy.audit.trail import AuditTrail
from proxy.cache.decisions import DecisionCache
from proxy.classifiers.builtin import lower_thread_priority
from proxy.classifiers.classification import StreamClassifiers
from proxy.classifiers.registry import ClassifierSet, build_classifiers
from proxy.http.routing import RouteTable
from proxy.metrics.exporter import Metrics
from proxy.metrics.telemetry import (
    CacheMetrics,
    MeteredClassifier,
    MeteredModerator,
    ReloadCounts,
    ReloadMetrics,
    StreamMetrics,
)
from proxy.moderation.moderator import Moderator, PolicyModerator
from proxy.moderation.policy_sets import PolicySetRuntime
from proxy.moderation.policy_watch import PolicyReloader, PolicyWatcher, ReloadObserver
from proxy.policy.classifier import Classifier
from proxy.policy.engine import PolicySet, empty_policy_set
from proxy.policy.segments import SegmentCheck
from proxy.policy.source import WatchedPaths, policy_loader
from proxy.policy.store import LoadFailed, PolicyStore
from proxy.policy.stream import Scanner
from proxy.settings.load import Settings, cache_config, classifier_configs
from proxy.settings.routes import DEFAULT

log = logging.getLogger("modproxy.components")
CLASSIFIER_CONNECT_TIMEOUT = 5.0


class StartupError(Exception):
    """The proxy cannot start as configured (e.g. its policy files do not load); says why, per line."""


@dataclass(frozen=True, slots=True)
class PolicySetParts:
    path: Path | None
    store: PolicyStore[PolicySet]
    reloader: PolicyReloader[PolicySet]
    moderator: Moderator
    segment_check: Callable[[Scanner], SegmentCheck | None]

    def current(self) -> PolicySet:
        return self.store.current

    @property
    def runtime(self) -> PolicySetRuntime:
        return PolicySetRuntime(
            self.moderator, self.current, self.segment_check, lambda: bool(self.store.current.policies)
        )


@dataclass(frozen=True, slots=True)
class Components:
    metrics: Metrics
    cache: DecisionCache
    classifiers: Mapping[str, Classifier]
    stream_metrics: StreamMetrics
    policy_sets: Mapping[str, PolicySetParts]
    """By name, ``default`` first."""
    audit: AuditTrail
    """Started and stopped by the serving app (its ``cleanup_ctx``), which writes the queue out."""

    @property
    def default(self) -> PolicySetParts:
        return self.policy_sets[DEFAULT]

    @property
    def store(self) -> PolicyStore[PolicySet]:
        return self.default.store

    @property
    def reloader(self) -> PolicyReloader[PolicySet]:
        return self.default.reloader

    @property
    def moderator(self) -> Moderator:
        return self.default.moderator

    def current_policies(self) -> PolicySet:
        return self.store.current

    def runtimes(self) -> dict[str, PolicySetRuntime]:
        return {name: parts.runtime for name, parts in self.policy_sets.items()}


@contextlib.asynccontextmanager
async def open_components(
    settings: Settings,
    *,
    registry: CollectorRegistry | None = None,
    metrics: Metrics | None = None,
) -> AsyncIterator[Components]:
    """Load policies (a broken set at startup is fatal: there is no last good set to keep serving),
    open the cache, and watch the policy files for the life of the block."""
    metrics = metrics or Metrics(
        registry or CollectorRegistry(), route_names=RouteTable.from_settings(settings).names
    )
    paths = {DEFAULT: settings.policies.path, **settings.policy_sets}
    # The revision gauge shows the default set's; every set's reloads are counted.
    reload_metrics = ReloadMetrics(metrics)
    stores = {name: PolicyStore(_initial_policies(name, path)) for name, path in paths.items()}
    reload_metrics.serving(stores[DEFAULT].status.revision, stores[DEFAULT].status.rule_counts)
    cache_metrics = CacheMetrics(metrics)
    async with contextlib.AsyncExitStack() as stack:
        cache = await stack.enter_async_context(DecisionCache(cache_config(settings), observer=cache_metrics))
        classifiers = await stack.enter_async_context(_classifiers(settings, metrics))
        sets: dict[str, PolicySetParts] = {}
        audit = build_trail(settings, metrics)
        for name, store in stores.items():
            path = paths[name]
            observer: ReloadObserver = reload_metrics if name == DEFAULT else ReloadCounts(metrics)
            reloader = PolicyReloader(
                store, policy_loader(path) if path is not None else empty_policy_set, observers=[observer]
            )
            moderator = MeteredModerator(
                AuditingModerator(
                    PolicyModerator(store, cache, classifiers, observer=cache_metrics),
                    audit,
                    include_text=settings.logging.log_text,
                    all_decisions=settings.audit.all_decisions,
                ),
                metrics,
            )
            checks = StreamClassifiers(classifiers, cache_metrics)
            sets[name] = PolicySetParts(path, store, reloader, moderator, checks.for_scanner)
        components = Components(metrics, cache, classifiers, StreamMetrics(metrics), sets, audit)
        for parts in sets.values():
            await stack.enter_async_context(_watching(settings, parts))
        yield components


@contextlib.asynccontextmanager
async def _classifiers(settings: Settings, metrics: Metrics) -> AsyncIterator[ClassifierSet]:
    """Every configured backend plus ``builtin``, each call metered; remote ones share one session.

    The built-in model scores long texts in a small pool of low-priority threads, so they never
    hold the event loop."""
    # Each backend applies its own per-call deadline; the session only bounds connecting.
    session = aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=CLASSIFIER_CONNECT_TIMEOUT),
        cookie_jar=aiohttp.DummyCookieJar(),
    )
    concurrency = settings.classifiers.builtin_concurrency
    executor = ThreadPoolExecutor(
        max_workers=concurrency, thread_name_prefix="modproxy-classifier", initializer=lower_thread_priority
    )
    try:
        built = build_classifiers(classifier_configs(settings), session, executor)
        yield ClassifierSet(
            {name: MeteredClassifier(backend, metrics) for name, backend in built.items()},
            executor,
            None,
            builtin_concurrency=concurrency,
        )
    finally:
        await session.close()
        # Queued texts are dropped; one being scored finishes (milliseconds) and its thread ends.
        await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)


def _initial_policies(name: str, path: Path | None) -> PolicySet:
    if path is None:
        log.warning("no policies configured (policies.path): every request is allowed")
        return empty_policy_set()
    try:
        return policy_loader(path)()
    except LoadFailed as exc:
        lines = "\n".join(str(problem) for problem in exc.problems)
        raise StartupError(f"the policy set {name!r} at {path} does not load:\n{lines}") from None


@contextlib.asynccontextmanager
async def _watching(settings: Settings, parts: PolicySetParts) -> AsyncIterator[None]:
    path = parts.path
    if path is None or settings.policies.watch_interval == 0:
        yield
        return
    interval = settings.policies.watch_interval
    watcher = PolicyWatcher(parts.reloader, WatchedPaths(path), interval=interval)
    async with watcher.running():
        yield
