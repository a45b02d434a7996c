"""Routes: ordered rules that pick, per request, the upstream, policy set, stream mode and refusal.

A route matches on the tenant (from the virtual key), the model (a glob), the path (a
glob) and request headers (globs on their values); every condition given must hold.
The first matching route wins, and the last route, the default, has no conditions.
Each setting is resolved on its own: the route's value, else the tenant's, else the
global default (``upstream.*``, ``policies.path``, ``streaming.mode``,
``moderation.refusal_message[s]``). docs/routing.md has the table.

Config is checked here once (:func:`check_routing`); a request only walks the list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from proxy.tenants import Tenant, hash_problem

if TYPE_CHECKING:
    from proxy.settings import Settings

DEFAULT = "default"
"""The name of the upstream ``upstream.*`` and of the policy set ``policies.path``."""
STREAM_MODES = ("window", "buffer", "audit")
UNKNOWN_PATHS = ("block", "pass")
_ROUTE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class ConfigProblem(ValueError):
    """A routing setting is wrong; ``key`` names it (``routes[2].upstream``)."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


def _url_problem(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"must be an http:// or https:// URL (got {value!r})"
    return None


@dataclass(frozen=True, slots=True)
class UpstreamTarget:
    """A named backend; timeouts and the connection pool are shared (``upstream.*``)."""

    url: str = field(metadata={"check": _url_problem})
    api_key: str | None = field(default=None, metadata={"secret": True})


@dataclass(frozen=True, slots=True)
class Match:
    tenant: str | None = None
    model: str | None = None
    """A glob (``gpt-4o*``); a request without a model (``GET /v1/models``) never matches one."""
    path: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    """Header name (any case) -> glob on its value; a missing header does not match."""

    @property
    def is_catch_all(self) -> bool:
        return self.tenant is None and self.model is None and self.path is None and not self.headers

    def matches(self, facts: RequestFacts) -> bool:
        if self.tenant is not None and facts.tenant != self.tenant:
            return False
        if self.model is not None and (facts.model is None or not fnmatchcase(facts.model, self.model)):
            return False
        if self.path is not None and not fnmatchcase(facts.path, self.path):
            return False
        for name, pattern in self.headers.items():
            value = facts.headers.get(name)
            if value is None or not fnmatchcase(value, pattern):
                return False
        return True


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    match: Match = field(default_factory=Match)
    upstream: str | None = None
    policy_set: str | None = None
    stream_mode: str | None = None
    refusal_message: str | None = None
    refusal_messages: dict[str, str] | None = None
    unknown_paths: str | None = None
    """``block`` or ``pass``: a body sent to a path no API format knows (``moderation.unknown_paths``)."""
    labels: bool | None = None
    """Label AI-generated answers (``labels.enabled``)."""


@dataclass(frozen=True, slots=True)
class RequestFacts:
    path: str
    model: str | None
    headers: Mapping[str, str]
    """Case-insensitive, as aiohttp's request headers are."""
    tenant: str | None = None


@dataclass(frozen=True, slots=True)
class RouteDefaults:
    stream_mode: str = "window"
    refusal_message: str = "The response was filtered by the content policy."
    refusal_messages: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    unknown_paths: str = "block"
    labels: bool = False


@dataclass(frozen=True, slots=True)
class RoutePlan:
    """What one request uses, every setting resolved: route, else tenant, else default."""

    route: str
    tenant: str | None
    upstream: str
    policy_set: str
    stream_mode: str
    refusal_message: str
    refusal_messages: Mapping[str, str]
    unknown_paths: str = "block"
    labels: bool = False


IMPLICIT_DEFAULT = Route(DEFAULT)


class RouteTable:
    def __init__(
        self,
        routes: Sequence[Route] = (),
        tenants: Mapping[str, Tenant] | None = None,
        defaults: RouteDefaults | None = None,
    ) -> None:
        self._routes = tuple(routes) or (IMPLICIT_DEFAULT,)
        self._tenants = dict(tenants or {})
        self._defaults = defaults or RouteDefaults()
        # A plan depends only on the route and the tenant, both from configuration: resolved once each.
        self._plans: dict[tuple[str, str | None], RoutePlan] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> RouteTable:
        defaults = RouteDefaults(
            settings.streaming.mode,
            settings.moderation.refusal_message,
            MappingProxyType(dict(settings.moderation.refusal_messages)),
            settings.moderation.unknown_paths,
            settings.labels.enabled,
        )
        return cls(settings.routes, settings.tenants, defaults)

    @property
    def names(self) -> tuple[str, ...]:
        """Every route name: the bounded set of values a metrics ``route`` label may take."""
        return tuple(route.name for route in self._routes)

    def select(self, facts: RequestFacts) -> Route:
        if len(self._routes) == 1:  # the default alone: nothing to match
            return self._routes[0]
        for route in self._routes:
            if route.match.matches(facts):
                return route
        return self._routes[-1]  # unreachable with a checked config: the last route matches everything

    def resolve(self, route: Route, tenant: str | None) -> RoutePlan:
        t = self._tenants.get(tenant) if tenant is not None else None
        d = self._defaults

        def pick(name: str, default: Any) -> Any:
            for layer in (route, t):
                value = getattr(layer, name, None) if layer is not None else None
                if value is not None:
                    return value
            return default

        return RoutePlan(
            route=route.name,
            tenant=tenant,
            upstream=pick("upstream", DEFAULT),
            policy_set=pick("policy_set", DEFAULT),
            stream_mode=pick("stream_mode", d.stream_mode),
            refusal_message=pick("refusal_message", d.refusal_message),
            refusal_messages=MappingProxyType(dict(pick("refusal_messages", d.refusal_messages))),
            unknown_paths=pick("unknown_paths", d.unknown_paths),
            labels=pick("labels", d.labels),
        )

    def plan(self, facts: RequestFacts) -> RoutePlan:
        route = self.select(facts)
        plan = self._plans.get((route.name, facts.tenant))
        if plan is None:
            plan = self._plans[route.name, facts.tenant] = self.resolve(route, facts.tenant)
        return plan


def check_routing(
    upstreams: Mapping[str, UpstreamTarget],
    policy_sets: Mapping[str, Path],
    tenants: Mapping[str, Tenant],
    routes: Sequence[Route],
) -> None:
    """Every name a tenant or route refers to exists; the default route is there, last, and alone."""
    for kind, names in (("upstreams", upstreams), ("policy_sets", policy_sets)):
        if DEFAULT in names:
            own = "upstream.url" if kind == "upstreams" else "policies.path"
            raise ConfigProblem(f"{kind}.{DEFAULT}", f"is reserved for {own}; give this one another name")
    known_upstreams = (DEFAULT, *upstreams)
    known_sets = (DEFAULT, *policy_sets)

    owners: dict[str, str] = {}
    for name, tenant in tenants.items():
        key = f"tenants.{name}"
        if not tenant.key_hashes:
            raise ConfigProblem(f"{key}.key_hashes", "needs at least one key hash")
        for i, value in enumerate(tenant.key_hashes):
            if problem := hash_problem(value):
                raise ConfigProblem(f"{key}.key_hashes[{i}]", problem)
            if value in owners:
                raise ConfigProblem(f"{key}.key_hashes[{i}]", f"is already a key of tenant {owners[value]!r}")
            owners[value] = name
        _check_references(key, tenant, known_upstreams, known_sets)

    seen: set[str] = set()
    for i, route in enumerate(routes):
        key = f"routes[{i}]"
        if not _ROUTE_NAME.fullmatch(route.name):
            raise ConfigProblem(f"{key}.name", "must be 1-64 characters of A-Z a-z 0-9 _ . -")
        if route.name in seen:
            raise ConfigProblem(f"{key}.name", f"{route.name!r} is already the name of an earlier route")
        seen.add(route.name)
        if route.match.tenant is not None and route.match.tenant not in tenants:
            known = ", ".join(tenants) or "none are configured"
            raise ConfigProblem(f"{key}.match.tenant", f"unknown tenant {route.match.tenant!r} ({known})")
        _check_references(key, route, known_upstreams, known_sets)
        last = i == len(routes) - 1
        if route.match.is_catch_all and not last:
            raise ConfigProblem(
                f"{key}.match", "matches every request, so the routes after it are never used; "
                "only the last route (the default) may have no conditions",
            )  # fmt: skip
        if last and not route.match.is_catch_all:
            raise ConfigProblem(
                f"{key}.match", "the last route is the default and must have no conditions "
                f"(add a route like {{name: {DEFAULT}}} at the end)",
            )  # fmt: skip


def _check_references(
    key: str, item: Route | Tenant, upstreams: Sequence[str], policy_sets: Sequence[str]
) -> None:
    if item.upstream is not None and item.upstream not in upstreams:
        raise ConfigProblem(
            f"{key}.upstream", f"unknown upstream {item.upstream!r} (known: {', '.join(upstreams)})"
        )
    if item.policy_set is not None and item.policy_set not in policy_sets:
        raise ConfigProblem(
            f"{key}.policy_set", f"unknown policy set {item.policy_set!r} (known: {', '.join(policy_sets)})"
        )
    unknown_paths = getattr(item, "unknown_paths", None)
    if unknown_paths is not None and unknown_paths not in UNKNOWN_PATHS:
        raise ConfigProblem(
            f"{key}.unknown_paths", f"must be one of {', '.join(UNKNOWN_PATHS)} (got {unknown_paths!r})"
        )
    if item.stream_mode is not None and item.stream_mode not in STREAM_MODES:
        raise ConfigProblem(
            f"{key}.stream_mode", f"must be one of {', '.join(STREAM_MODES)} (got {item.stream_mode!r})"
        )
