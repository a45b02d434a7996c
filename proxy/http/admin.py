"""Policy and cache endpoints of the admin listener.

``GET /admin/policies`` shows the serving revision, when it was loaded, rule
counts per policy and the last rejected load; ``POST /admin/reload`` rebuilds the
set now; ``POST /admin/cache/flush`` drops the serving revision's cached decisions. With named
policy sets (``policy_sets``), ``?set=NAME`` picks one for the policy endpoints; ``default`` is
``policies.path``.
``proxy.http.app.create_admin_app`` mounts these routes behind its bearer-token
check (and settings keep a token-less admin listener on loopback).

With several worker processes only worker 0 runs the admin listener, so a reload
through the API reaches that worker; every worker's file watcher picks up the
change on its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TypeVar

from aiohttp import web

from proxy.cache.decisions import DecisionCache
from proxy.cache.redis_tier import CacheBackendError
from proxy.errors import NotFound, ServiceUnavailable, error_body
from proxy.moderation.policy_watch import PolicyReloader
from proxy.policy.store import PolicyStore, ReloadOutcome, ServingSet
from proxy.settings.routes import DEFAULT


class _Policy(Protocol):
    @property
    def id(self) -> str: ...


class DescribedSet(ServingSet, Protocol):
    @property
    def policies(self) -> Sequence[_Policy]: ...


D = TypeVar("D", bound=DescribedSet)


def policies_view(store: PolicyStore[D]) -> dict[str, Any]:
    """The store's status with one entry per serving policy (also used for ``/readyz`` detail)."""
    body = store.status.to_json()
    body["rules"] = body.pop("policies")
    body["policies"] = [
        {"id": policy.id, "mode": _mode(policy), "rules": _rule_counts(policy)}
        for policy in store.current.policies
    ]
    return body


def _rule_counts(policy: Any) -> dict[str, int]:
    return {
        "keyword": len(getattr(policy, "keywords", ())),
        "regex": len(getattr(policy, "regexes", ())),
        "classifier": int(getattr(policy, "classifier", None) is not None),
    }


def _mode(policy: Any) -> str:
    mode = getattr(policy, "mode", "enforce")
    return str(getattr(mode, "value", mode))


def admin_routes(
    store: PolicyStore[D],
    reloader: PolicyReloader[D],
    *,
    others: Mapping[str, tuple[PolicyStore[D], PolicyReloader[D]]] | None = None,
) -> list[web.RouteDef]:
    """``store``/``reloader`` are the default set's; ``others`` the named sets, chosen by ``?set=NAME``."""
    sets = {DEFAULT: (store, reloader), **(others or {})}

    def chosen(request: web.Request) -> tuple[str, PolicyStore[D], PolicyReloader[D]]:
        name = request.query.get("set", DEFAULT)
        if name not in sets:
            raise NotFound(f"No policy set named {name!r} (known: {', '.join(sets)}).")
        return (name, *sets[name])

    async def policies(request: web.Request) -> web.Response:
        name, chosen_store, _ = chosen(request)
        body = policies_view(chosen_store)
        body["set"] = name
        body["sets"] = list(sets)
        return web.json_response(body)

    async def reload(request: web.Request) -> web.Response:
        name, _, chosen_reloader = chosen(request)
        result = await chosen_reloader.reload("admin")
        if result.outcome is ReloadOutcome.FAILED:
            first = str(result.problems[0]) if result.problems else "unknown problem"
            body = error_body(
                f"Policy set {name!r} rejected; still serving revision {result.revision}: {first}",
                "invalid_request_error",
                code="policy_load_failed",
            )
            body["reload"] = result.to_json()
            return web.json_response(body, status=422)
        return web.json_response(result.to_json())

    return [web.get("/admin/policies", policies), web.post("/admin/reload", reload)]


def cache_routes(cache: DecisionCache, store: PolicyStore[D]) -> list[web.RouteDef]:
    async def flush(request: web.Request) -> web.Response:
        revision = store.current.revision
        try:
            deleted = await cache.flush_revision(revision)
        except CacheBackendError as exc:
            raise ServiceUnavailable(f"Redis did not complete the flush ({exc.reason}).") from None
        return web.json_response({"revision": revision, "deleted": deleted})

    return [web.post("/admin/cache/flush", flush)]
