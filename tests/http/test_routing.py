"""Routes: the first match wins (tenant, model glob, path glob, headers); route > tenant > default."""

from __future__ import annotations

from typing import Any

import pytest
from multidict import CIMultiDict

from proxy.http.routing import RequestFacts, RouteDefaults, RoutePlan, RouteTable
from proxy.settings.load import SettingsError, load_settings
from proxy.settings.routes import Match, Route
from proxy.settings.tenants import Tenant, hash_key

ROUTES = (
    Route("public", Match(tenant="public-web")),
    Route("qwen", Match(model="qwen-*")),
    Route("gpt4-exact", Match(model="gpt-4")),
    Route("region-cn", Match(headers={"X-Region": "cn-*"})),
    Route("completions", Match(path="/v1/completions")),
    Route("both", Match(model="llama*", headers={"X-Team": "search"})),
    Route("default"),
)
TABLE = RouteTable(ROUTES, {"public-web": Tenant(("sha256:" + "0" * 64,))})


def facts(
    *,
    tenant: str | None = None,
    model: str | None = "gpt-4o",
    path: str = "/v1/chat/completions",
    **headers: str,
) -> RequestFacts:
    return RequestFacts(
        path, model, CIMultiDict({k.replace("_", "-"): v for k, v in headers.items()}), tenant
    )


@pytest.mark.parametrize(
    ("request_facts", "route"),
    [
        (facts(), "default"),
        (facts(tenant="public-web", model="qwen-max"), "public"),  # first match wins
        (facts(model="qwen-max"), "qwen"),
        (facts(model="qwen"), "default"),  # the glob needs the dash
        (facts(model="QWEN-max"), "default"),  # globs are case-sensitive, like model names
        (facts(model="gpt-4"), "gpt4-exact"),
        (facts(model="gpt-4o"), "default"),  # no wildcard: exact
        (facts(model=None, path="/v1/models"), "default"),  # no model never matches a model glob
        (facts(X_Region="cn-north"), "region-cn"),
        (facts(x_region="cn-north"), "region-cn"),  # header names in any case
        (facts(X_Region="eu-west"), "default"),
        (facts(path="/v1/completions"), "completions"),
        (facts(model="llama3", X_Team="search"), "both"),  # every condition must hold
        (facts(model="llama3", X_Team="ads"), "default"),
        (facts(model="llama3"), "default"),  # a missing header does not match
    ],
)
def test_first_matching_route_wins(request_facts: RequestFacts, route: str) -> None:
    assert TABLE.select(request_facts).name == route


def test_no_routes_means_one_default_route() -> None:
    table = RouteTable()
    assert table.names == ("default",)
    assert table.plan(facts()) == RoutePlan("default", None, "default", "default", "window",
                                             RouteDefaults().refusal_message, {})  # fmt: skip


# Each setting on its own: the route's value, else the tenant's, else the global default.
TENANT = Tenant(
    ("sha256:" + "1" * 64,), "tenant-up", "tenant-set", "buffer", "tenant says no", {"zh": "租户"}
)
ROUTE = Route("r", Match(), "route-up", "route-set", "audit", "route says no", {"zh": "路由"})
BARE_ROUTE = Route("r")
BARE_TENANT = Tenant(("sha256:" + "2" * 64,))
DEFAULTS = RouteDefaults("window", "default says no", {"zh": "默认"})


@pytest.mark.parametrize(
    ("route", "tenant", "expected"),
    [
        # route set, tenant set   -> route
        (ROUTE, TENANT, ("route-up", "route-set", "audit", "route says no", {"zh": "路由"})),
        # route unset, tenant set -> tenant
        (BARE_ROUTE, TENANT, ("tenant-up", "tenant-set", "buffer", "tenant says no", {"zh": "租户"})),
        # route unset, tenant unset -> default
        (BARE_ROUTE, BARE_TENANT, ("default", "default", "window", "default says no", {"zh": "默认"})),
        # no tenant (virtual keys off) -> route, else default
        (ROUTE, None, ("route-up", "route-set", "audit", "route says no", {"zh": "路由"})),
        (BARE_ROUTE, None, ("default", "default", "window", "default says no", {"zh": "默认"})),
        # settings resolve one by one
        (
            Route("r", upstream="route-up"),
            TENANT,
            ("route-up", "tenant-set", "buffer", "tenant says no", {"zh": "租户"}),
        ),
        (Route("r", refusal_message="r"), BARE_TENANT, ("default", "default", "window", "r", {"zh": "默认"})),
    ],
)
def test_precedence_route_over_tenant_over_default(
    route: Route, tenant: Tenant | None, expected: tuple[Any, ...]
) -> None:
    table = RouteTable((route,), {"t": tenant} if tenant else {}, DEFAULTS)
    plan = table.resolve(route, "t" if tenant else None)
    got = (
        plan.upstream,
        plan.policy_set,
        plan.stream_mode,
        plan.refusal_message,
        dict(plan.refusal_messages),
    )
    assert got == expected
    assert (plan.route, plan.tenant) == ("r", "t" if tenant else None)


H = hash_key("vk-one")


def test_routing_config_from_file_and_environment(tmp_path: Any) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(
        "upstream: {url: 'http://127.0.0.1:1'}\n"
        "upstreams: {cn: {url: 'http://127.0.0.1:2', api_key: sk-cn}}\n"
        "policy_sets: {cn: policies-cn}\n"
        f"tenants: {{mainland: {{key_hashes: ['{H}'], policy_set: cn}}}}\n"
        "routes:\n"
        "  - {name: cn, match: {tenant: mainland}, upstream: cn}\n"
        "  - {name: default}\n",
        encoding="utf-8",
    )
    settings = load_settings(config_file=config, env={})
    table = RouteTable.from_settings(settings)
    assert table.names == ("cn", "default")
    plan = table.plan(facts(tenant="mainland"))
    assert (plan.route, plan.upstream, plan.policy_set) == ("cn", "cn", "cn")
    assert str(settings.policy_sets["cn"]) == "policies-cn"

    # The environment replaces a collection whole (JSON), it does not merge into the file's.
    env = {"MODPROXY_ROUTES": '[{"name": "only"}]'}
    assert RouteTable.from_settings(load_settings(config_file=config, env=env)).names == ("only",)
    with pytest.raises(SettingsError, match=r"routes: must be JSON"):
        load_settings(config_file=config, env={"MODPROXY_ROUTES": "[oops"})
