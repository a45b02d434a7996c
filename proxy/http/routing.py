"""Routing a request: the first route whose conditions hold, and its settings resolved.

Each setting is resolved on its own: the route's value, else the tenant's, else the
global default (``upstream.*``, ``policies.path``, ``streaming.mode``,
``moderation.refusal_message[s]``). The routes themselves are settings, checked once when
they load (:mod:`proxy.settings.routes`); a request only walks the list. docs/routing.md has the table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from types import MappingProxyType
from typing import Any

from proxy.settings.load import Settings
from proxy.settings.routes import DEFAULT, Match, Route
from proxy.settings.tenants import Tenant


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
            if _matches(route.match, facts):
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


def _matches(match: Match, facts: RequestFacts) -> bool:
    if match.tenant is not None and facts.tenant != match.tenant:
        return False
    if match.model is not None and (facts.model is None or not fnmatchcase(facts.model, match.model)):
        return False
    if match.path is not None and not fnmatchcase(facts.path, match.path):
        return False
    for name, pattern in match.headers.items():
        value = facts.headers.get(name)
        if value is None or not fnmatchcase(value, pattern):
            return False
    return True
