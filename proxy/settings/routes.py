"""Routing settings: the named upstreams, the routes, and the check that every name they use exists.

A route matches on the tenant (from the virtual key), the model (a glob), the path (a
glob) and request headers (globs on their values); every condition given must hold.
The first matching route wins, and the last route, the default, has no conditions.
This module is data and its validation (:func:`check_routing`, run once at load);
:mod:`proxy.http.routing` walks the routes for each request. docs/routing.md has the table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from proxy.settings.tenants import Tenant, hash_problem

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
