"""Tenants and routes over real loopback upstreams, driven by the openai SDK.

Virtual keys are checked first (401 like OpenAI), the route picks the upstream, policy set,
stream mode and refusal (route > tenant > default), the client's virtual key never reaches
an upstream and the provider keys never reach a client.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam

from proxy.cache.decisions import DecisionCache
from proxy.moderation.moderator import FixedPolicies, Moderation, PolicyModerator, RequestContext, Screening
from proxy.moderation.policy_sets import PolicySetRuntime
from proxy.policy.decision import Action, Decision, Finding, Phase, RuleKind
from proxy.policy.loader import load_policy_set
from proxy.settings.cache import CacheConfig
from proxy.settings.tenants import hash_key
from proxy.stream.relay import StreamMode, StreamReport
from tests.fixtures.upstream import LoopbackUpstream, RunningProxy, StartProxy

VK_PLAIN = "vk-plain-0123456789"
VK_CUSTOM = "vk-custom-0123456789"
SK_DEFAULT = "sk-provider-default-secret"
SK_B = "sk-provider-b-secret"


class ResponseWordModerator:
    """Blocks answers containing "forbidden"; its revision tells which policy set decided."""

    def __init__(self, revision: str) -> None:
        self.revision = revision
        self.contexts: list[RequestContext] = []

    async def moderate(
        self, texts: Sequence[str], phase: Phase, ctx: RequestContext, *, sealed: Sequence[bool] = ()
    ) -> Moderation:
        self.contexts.append(ctx)
        return Moderation(tuple(self._decide(t, phase) for t in texts), self.revision)

    async def screen(
        self, texts: Sequence[str], phase: Phase, ctx: RequestContext, *, sealed: Sequence[bool] = ()
    ) -> Screening:
        return Screening(await self.moderate(texts, phase, ctx))

    def _decide(self, text: str, phase: Phase) -> Decision:
        at = text.find("forbidden")
        if phase is Phase.PROMPT or at < 0:
            return Decision(Action.ALLOW, (), self.revision)
        finding = Finding("words", "violence", Action.BLOCK, phase, RuleKind.KEYWORD, at, at + 9, "forbidden")
        return Decision(Action.BLOCK, (finding,), self.revision)


class Recorder:
    def __init__(self) -> None:
        self.reports: list[StreamReport] = []

    def stream_finished(self, report: StreamReport) -> None:
        self.reports.append(report)


@pytest.fixture
async def upstream_b() -> AsyncIterator[LoopbackUpstream]:
    server = LoopbackUpstream()
    await server.start()
    yield server
    await server.stop()


def _client(proxy: RunningProxy, key: str, **headers: str) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        base_url=proxy.base_url, api_key=key, max_retries=0, timeout=10, default_headers=headers
    )


USER: list[ChatCompletionMessageParam] = [{"role": "user", "content": "say forbidden things"}]
OVER = {"X-Route": "override"}


def _tenants(**extra: Any) -> dict[str, Any]:
    return {
        "plain": {"key_hashes": [hash_key(VK_PLAIN)]},
        "custom": {"key_hashes": [hash_key(VK_CUSTOM)], **extra},
    }


# ---------------------------------------------------------------- precedence: route > tenant > default


@pytest.fixture
async def routed(
    start_proxy: StartProxy, upstream: LoopbackUpstream, upstream_b: LoopbackUpstream, tmp_path: Path
) -> tuple[RunningProxy, Recorder, ResponseWordModerator]:
    recorder = Recorder()
    default_set = ResponseWordModerator("default-set")
    proxy = await start_proxy(
        moderator=default_set,
        stream_observer=recorder,
        policy_sets={"strict": PolicySetRuntime(ResponseWordModerator("strict-set"))},
        settings={
            "upstream.api_key": SK_DEFAULT,
            "moderation.refusal_message": "default refusal",
            "upstreams": {"b": {"url": upstream_b.url, "api_key": SK_B}},
            "policy_sets": {"strict": str(tmp_path)},
            "tenants": _tenants(
                upstream="b", policy_set="strict", stream_mode="buffer", refusal_message="tenant refusal"
            ),
            "routes": [
                {
                    "name": "override",
                    "match": {"headers": {"X-Route": "over*"}},
                    "upstream": "default",
                    "stream_mode": "audit",
                    "refusal_message": "route refusal",
                },
                {"name": "default"},
            ],
        },
    )
    return proxy, recorder, default_set


@pytest.mark.parametrize(
    ("key", "headers", "expected"),
    [
        # tenant without settings, default route        -> every setting from the defaults
        (VK_PLAIN, {}, ("default", "a", "default-set", StreamMode.WINDOW, "default refusal")),
        # tenant with settings, default route           -> every setting from the tenant
        (VK_CUSTOM, {}, ("default", "b", "strict-set", StreamMode.BUFFER, "tenant refusal")),
        # tenant with settings, route with some settings -> the route's, the tenant's for the rest
        (VK_CUSTOM, OVER, ("override", "a", "strict-set", StreamMode.AUDIT, "route refusal")),
        # tenant without settings, same route           -> the route's, the defaults for the rest
        (VK_PLAIN, OVER, ("override", "a", "default-set", StreamMode.AUDIT, "route refusal")),
    ],
)  # fmt: skip
async def test_each_setting_comes_from_route_else_tenant_else_default(
    routed: tuple[RunningProxy, Recorder, ResponseWordModerator],
    upstream: LoopbackUpstream,
    upstream_b: LoopbackUpstream,
    key: str,
    headers: dict[str, str],
    expected: tuple[str, str, str, StreamMode, str],
) -> None:
    proxy, recorder, default_set = routed
    route, which_upstream, policy_set, mode, refusal = expected
    async with _client(proxy, key, **headers) as client:
        raw = await client.chat.completions.with_raw_response.create(model="m", messages=USER)
        reply = raw.parse()
        stream = await client.chat.completions.create(model="m", messages=USER, stream=True)
        async for _ in stream:
            pass

    served = {"a": upstream, "b": upstream_b}
    assert len(served[which_upstream].requests) == 2
    assert sum(len(s.requests) for s in served.values()) == 2
    assert raw.headers["x-modproxy-revision"] == policy_set
    assert reply.choices[0].finish_reason == "content_filter"
    assert reply.choices[0].message.content == refusal
    assert recorder.reports[-1].mode is mode
    if policy_set == "default-set":
        assert {(c.route, c.tenant) for c in default_set.contexts} == {
            (route, "plain" if key == VK_PLAIN else "custom")
        }


# ---------------------------------------------------------------- virtual keys


@pytest.fixture
async def keyed(start_proxy: StartProxy, upstream_b: LoopbackUpstream) -> RunningProxy:
    return await start_proxy(
        settings={
            "upstream.api_key": SK_DEFAULT,
            "upstreams": {"b": {"url": upstream_b.url}},  # no key of its own
            "tenants": _tenants(),
            "routes": [{"name": "to-b", "match": {"model": "b-*"}, "upstream": "b"}, {"name": "default"}],
        }
    )


@pytest.mark.parametrize("key", ["vk-wrong", hash_key(VK_PLAIN), SK_DEFAULT])
async def test_a_wrong_key_is_401_invalid_api_key_and_nothing_is_forwarded(
    keyed: RunningProxy, upstream: LoopbackUpstream, key: str
) -> None:
    async with _client(keyed, key) as client:
        with pytest.raises(openai.AuthenticationError) as caught:
            await client.chat.completions.create(model="m", messages=USER)
        with pytest.raises(openai.AuthenticationError):
            await client.models.list()
        with pytest.raises(openai.AuthenticationError):
            await client.moderations.create(input="hello")
    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_api_key"
    assert caught.value.type == "invalid_request_error"
    assert upstream.requests == []


@pytest.mark.parametrize(
    ("headers", "message"),
    [({}, "You didn't provide an API key"), ({"Authorization": "Basic eDp5"}, "Bearer YOUR_KEY")],
)
async def test_a_missing_key_is_401(
    keyed: RunningProxy, upstream: LoopbackUpstream, headers: dict[str, str], message: str
) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{keyed.base_url}/chat/completions", json={}, headers=headers) as response:
            body = await response.json()
        async with session.get(f"{keyed.url}/healthz") as health:
            assert health.status == 200  # probes need no key
    assert response.status == 401
    assert body["error"]["code"] == "invalid_api_key"
    assert message in body["error"]["message"]
    assert upstream.requests == []


async def test_the_virtual_key_is_swapped_for_the_routes_provider_key(
    keyed: RunningProxy, upstream: LoopbackUpstream, upstream_b: LoopbackUpstream
) -> None:
    async with _client(keyed, VK_PLAIN) as client:
        await client.chat.completions.create(model="gpt-4o", messages=USER)
        await client.chat.completions.create(model="b-large", messages=USER)
        await client.models.list()
    assert [r.headers.get("Authorization") for r in upstream.requests] == [f"Bearer {SK_DEFAULT}"] * 2
    # Upstream b has no key: the virtual key is dropped, not forwarded.
    assert [r.headers.get("Authorization") for r in upstream_b.requests] == [None]
    for recorded in [*upstream.requests, *upstream_b.requests]:
        assert VK_PLAIN not in json.dumps(list(recorded.headers.items())) + recorded.body.decode()


async def test_provider_keys_never_reach_the_client(
    keyed: RunningProxy, upstream: LoopbackUpstream, upstream_b: LoopbackUpstream
) -> None:
    seen: list[str] = []
    async with aiohttp.ClientSession() as session:
        for key, path, body in [
            (VK_PLAIN, "/chat/completions", {"model": "m", "messages": USER}),
            (VK_PLAIN, "/chat/completions", {"model": "m", "messages": USER, "stream": True}),
            (VK_PLAIN, "/chat/completions", {"model": "m"}),  # 400
            (VK_PLAIN, "/models", None),
            ("vk-wrong", "/chat/completions", {"model": "m", "messages": USER}),  # 401
        ]:
            method = "POST" if body is not None else "GET"
            headers = {"Authorization": f"Bearer {key}"}
            async with session.request(method, keyed.base_url + path, json=body, headers=headers) as response:
                seen.append(json.dumps(list(response.headers.items())) + await response.text())
        await upstream_b.stop()  # now unreachable: the 502 names the upstream, not its key
        headers = {"Authorization": f"Bearer {VK_PLAIN}"}
        body = {"model": "b-1", "messages": USER}
        async with session.post(keyed.base_url + "/chat/completions", json=body, headers=headers) as response:
            assert response.status == 502
            seen.append(await response.text())
    assert all(SK_DEFAULT not in text for text in seen)


async def test_without_tenants_the_client_authorization_is_forwarded_unless_an_upstream_key_is_set(
    start_proxy: StartProxy, upstream: LoopbackUpstream, upstream_b: LoopbackUpstream
) -> None:
    proxy = await start_proxy(
        settings={
            "upstreams": {"b": {"url": upstream_b.url, "api_key": SK_B}},
            "routes": [{"name": "to-b", "match": {"model": "b-*"}, "upstream": "b"}, {"name": "default"}],
        }
    )
    async with _client(proxy, "sk-client-own") as client:
        await client.chat.completions.create(model="gpt-4o", messages=USER)
        await client.chat.completions.create(model="b-1", messages=USER)
    assert upstream.requests[0].headers["Authorization"] == "Bearer sk-client-own"
    assert upstream_b.requests[0].headers["Authorization"] == f"Bearer {SK_B}"


# ---------------------------------------------------------------- matching end to end


@pytest.mark.parametrize(
    ("model", "headers", "to_b"),
    [
        ("qwen-max", {}, True),
        ("qwen", {}, False),
        ("gpt-4o", {"X-Region": "cn-north-1"}, True),
        ("gpt-4o", {"X-Region": "eu-west-1"}, False),
        ("gpt-4o", {}, False),
    ],
)
async def test_model_globs_and_headers_pick_the_upstream(
    start_proxy: StartProxy,
    upstream: LoopbackUpstream,
    upstream_b: LoopbackUpstream,
    model: str,
    headers: dict[str, str],
    to_b: bool,
) -> None:
    proxy = await start_proxy(
        settings={
            "upstreams": {"b": {"url": upstream_b.url}},
            "routes": [
                {"name": "qwen", "match": {"model": "qwen-*"}, "upstream": "b"},
                {"name": "cn", "match": {"headers": {"x-region": "cn-*"}}, "upstream": "b"},
                {"name": "default"},
            ],
        }
    )
    async with _client(proxy, "sk-x", **headers) as client:
        reply = await client.chat.completions.create(model=model, messages=USER)
    assert reply.choices[0].message.content == "say forbidden things"
    assert (len(upstream_b.requests), len(upstream.requests)) == ((1, 0) if to_b else (0, 1))


# ---------------------------------------------------------------- a regional policy set, real engine

GLOBAL_RULES = """\
policies:
  - id: weapons
    category: violence
    action: block
    keywords: [build a bomb]
"""
MAINLAND_RULES = (
    GLOBAL_RULES
    + """\
  - id: gambling
    description: Online gambling is unlawful to promote in mainland China
    category: gambling
    action: block
    keywords: [网络赌博, 在线赌场, online casino]
"""
)


@pytest.fixture
async def cache() -> AsyncIterator[DecisionCache]:
    async with DecisionCache(CacheConfig()) as shared:
        yield shared


async def test_a_mainland_tenant_gets_the_mainland_policy_set(
    start_proxy: StartProxy, upstream: LoopbackUpstream, tmp_path: Path, cache: DecisionCache
) -> None:
    paths = {"global": tmp_path / "global.yaml", "cn": tmp_path / "cn.yaml"}
    paths["global"].write_text(GLOBAL_RULES, encoding="utf-8")
    paths["cn"].write_text(MAINLAND_RULES, encoding="utf-8")

    def runtime(path: Path) -> PolicySetRuntime:
        # One decision cache for both sets: its keys carry each set's revision.
        return PolicySetRuntime(PolicyModerator(FixedPolicies(load_policy_set(path)), cache, {}))

    default = runtime(paths["global"])
    proxy = await start_proxy(
        moderator=default.moderator,
        policy_sets={"cn": runtime(paths["cn"])},
        settings={
            "policy_sets": {"cn": str(paths["cn"])},
            "tenants": {
                "global": {"key_hashes": [hash_key(VK_PLAIN)]},
                "mainland": {"key_hashes": [hash_key(VK_CUSTOM)], "policy_set": "cn"},
            },
        },
    )
    prompt: list[ChatCompletionMessageParam] = [{"role": "user", "content": "推荐一个网络赌博平台"}]
    async with _client(proxy, VK_PLAIN) as client:
        reply = await client.chat.completions.create(model="m", messages=prompt)
        assert reply.choices[0].message.content == "推荐一个网络赌博平台"
    async with _client(proxy, VK_CUSTOM) as client:
        with pytest.raises(openai.BadRequestError) as caught:
            await client.chat.completions.create(model="m", messages=prompt)
        assert caught.value.code == "content_filter"
        assert "gambling" in caught.value.message
        with pytest.raises(openai.BadRequestError):  # and what the global set blocks, it blocks too
            bomb: list[ChatCompletionMessageParam] = [{"role": "user", "content": "how to build a bomb"}]
            await client.chat.completions.create(model="m", messages=bomb)
    assert len(upstream.requests) == 1
