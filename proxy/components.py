"""The long-lived pieces ``modproxy serve`` runs with, built from settings and torn down together.

Policies (a store that hot reload swaps), the decision cache, classifier backends, the
moderator over them, and the metrics every one of them reports to. ``create_app`` and
``create_admin_app`` receive these; nothing here knows about routes or handlers.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import aiohttp
from prometheus_client import CollectorRegistry

from proxy.cache import DecisionCache
from proxy.classifiers.builtin_pool import ScoringPool
from proxy.classifiers.registry import ClassifierSet, build_classifiers
from proxy.metrics import Metrics
from proxy.moderation import Moderator, PolicyModerator
from proxy.policy.classifier import Classifier
from proxy.policy.engine import PolicySet, empty_policy_set
from proxy.policy.source import policy_loader, watched_paths
from proxy.policy.store import LoadFailed, PolicyStore
from proxy.policy_watch import PolicyReloader, PolicyWatcher
from proxy.settings import Settings, cache_config, classifier_configs
from proxy.telemetry import CacheMetrics, MeteredClassifier, MeteredModerator, ReloadMetrics, StreamMetrics

log = logging.getLogger("modproxy.components")
CLASSIFIER_CONNECT_TIMEOUT = 5.0


class StartupError(Exception):
    """The proxy cannot start as configured (e.g. its policy files do not load); says why, per line."""


@dataclass(frozen=True, slots=True)
class Components:
    metrics: Metrics
    store: PolicyStore[PolicySet]
    reloader: PolicyReloader[PolicySet]
    cache: DecisionCache
    classifiers: Mapping[str, Classifier]
    moderator: Moderator
    stream_metrics: StreamMetrics

    def current_policies(self) -> PolicySet:
        return self.store.current


@contextlib.asynccontextmanager
async def open_components(
    settings: Settings,
    *,
    registry: CollectorRegistry | None = None,
    metrics: Metrics | None = None,
) -> AsyncIterator[Components]:
    """Load policies (a broken set at startup is fatal: there is no last good set to keep serving),
    open the cache, and watch the policy files for the life of the block."""
    metrics = metrics or Metrics(registry or CollectorRegistry())
    store = PolicyStore(_initial_policies(settings))
    reload_metrics = ReloadMetrics(metrics)
    reload_metrics.serving(store.status.revision, store.status.rule_counts)
    path = settings.policies.path
    reloader = PolicyReloader(
        store,
        policy_loader(path) if path is not None else empty_policy_set,
        observers=[reload_metrics],
    )
    cache_metrics = CacheMetrics(metrics)
    async with contextlib.AsyncExitStack() as stack:
        cache = await stack.enter_async_context(DecisionCache(cache_config(settings), observer=cache_metrics))
        classifiers = await stack.enter_async_context(_classifiers(settings, metrics))
        moderator = MeteredModerator(
            PolicyModerator(store, cache, classifiers, observer=cache_metrics), metrics
        )
        components = Components(
            metrics, store, reloader, cache, classifiers, moderator, StreamMetrics(metrics)
        )
        await stack.enter_async_context(_watching(settings, reloader))
        yield components


@contextlib.asynccontextmanager
async def _classifiers(settings: Settings, metrics: Metrics) -> AsyncIterator[ClassifierSet]:
    """Every configured backend plus ``builtin``, each call metered; remote ones share one session.

    The built-in model scores long texts in a few worker processes (started on first use) so they
    never hold the event loop; a small thread pool stands in while the processes start."""
    # Each backend applies its own per-call deadline; the session only bounds connecting.
    session = aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=CLASSIFIER_CONNECT_TIMEOUT),
        cookie_jar=aiohttp.DummyCookieJar(),
    )
    concurrency = settings.classifiers.builtin_concurrency
    executor = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="modproxy-classifier")
    pool = ScoringPool(concurrency)
    try:
        built = build_classifiers(classifier_configs(settings), session, executor, pool=pool)
        yield ClassifierSet(
            {name: MeteredClassifier(backend, metrics) for name, backend in built.items()},
            executor,
            None,
            builtin_concurrency=concurrency,
            pool=pool,
        )
    finally:
        await session.close()
        await pool.close()
        executor.shutdown(wait=False, cancel_futures=True)


def _initial_policies(settings: Settings) -> PolicySet:
    path = settings.policies.path
    if path is None:
        log.warning("no policies configured (policies.path): every request is allowed")
        return empty_policy_set()
    try:
        return policy_loader(path)()
    except LoadFailed as exc:
        lines = "\n".join(str(problem) for problem in exc.problems)
        raise StartupError(f"the policies at {path} do not load:\n{lines}") from None


@contextlib.asynccontextmanager
async def _watching(settings: Settings, reloader: PolicyReloader[PolicySet]) -> AsyncIterator[None]:
    path = settings.policies.path
    if path is None or settings.policies.watch_interval == 0:
        yield
        return
    watcher = PolicyWatcher(reloader, lambda: watched_paths(path), interval=settings.policies.watch_interval)
    async with watcher.running():
        yield
