"""Named policy sets in the served stack: one store, watcher and moderator per set, routed per tenant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import openai
import pytest
from aiohttp import web
from openai.types.chat import ChatCompletionMessageParam

from proxy.http.app import create_serving_apps
from proxy.http.components import Components, StartupError, open_components
from proxy.settings.load import load_settings
from proxy.settings.tenants import hash_key
from tests.fixtures.upstream import LoopbackUpstream

GLOBAL = "policies:\n  - {id: weapons, category: violence, action: block, keywords: [build a bomb]}\n"
MAINLAND = GLOBAL + "  - {id: gambling, category: gambling, action: block, keywords: [online casino]}\n"
PROMPT: list[ChatCompletionMessageParam] = [{"role": "user", "content": "best online casino?"}]


@pytest.fixture
def config(tmp_path: Path, upstream: LoopbackUpstream) -> dict[str, object]:
    (tmp_path / "global.yaml").write_text(GLOBAL, encoding="utf-8")
    (tmp_path / "cn.yaml").write_text(MAINLAND, encoding="utf-8")
    return {
        "upstream.url": upstream.url,
        "policies.path": str(tmp_path / "global.yaml"),
        "policies.watch_interval": 0,
        "policy_sets": {"cn": str(tmp_path / "cn.yaml")},
        "tenants": {
            "web": {"key_hashes": [hash_key("vk-web")]},
            "mainland": {"key_hashes": [hash_key("vk-cn")]},
        },
        "routes": [{"name": "cn", "match": {"tenant": "mainland"}, "policy_set": "cn"}, {"name": "default"}],
    }


@pytest.fixture
async def served(config: dict[str, object]) -> AsyncIterator[tuple[str, Components]]:
    settings = load_settings(env={}, overrides=config)
    async with open_components(settings) as parts:
        app, _ = create_serving_apps(settings, parts)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        yield f"http://{host}:{port}/v1", parts
        await runner.cleanup()


async def test_each_named_set_is_loaded_and_the_route_picks_it(served: tuple[str, Components]) -> None:
    base_url, parts = served
    async with openai.AsyncOpenAI(base_url=base_url, api_key="vk-web", max_retries=0) as web_client:
        reply = await web_client.chat.completions.create(model="m", messages=PROMPT)
    assert reply.choices[0].message.content == "best online casino?"
    async with openai.AsyncOpenAI(base_url=base_url, api_key="vk-cn", max_retries=0) as cn_client:
        with pytest.raises(openai.BadRequestError, match="gambling"):
            await cn_client.chat.completions.create(model="m", messages=PROMPT)

    sample = parts.metrics.registry.get_sample_value
    assert (
        sample("modproxy_route_decisions_total", {"route": "cn", "phase": "prompt", "action": "block"}) == 1
    )
    assert (
        sample("modproxy_route_decisions_total", {"route": "default", "phase": "prompt", "action": "allow"})
        == 1
    )
    assert parts.policy_sets["cn"].store.current.revision != parts.store.current.revision


async def test_a_named_set_that_does_not_load_stops_startup(
    config: dict[str, object], tmp_path: Path
) -> None:
    (tmp_path / "cn.yaml").write_text("policies: [{id: x, action: explode}]\n", encoding="utf-8")
    settings = load_settings(env={}, overrides=config)
    with pytest.raises(StartupError, match="policy set 'cn'"):
        async with open_components(settings):
            pass
