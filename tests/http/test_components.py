"""The served stack as ``modproxy serve`` assembles it: policies, reload, classifiers, cache, metrics."""

from __future__ import annotations

import asyncio
import multiprocessing
import shutil
import threading
from pathlib import Path

import aiohttp
import openai
import pytest
from prometheus_client import CollectorRegistry

from proxy.http.components import StartupError, open_components
from proxy.policy.decision import Phase
from proxy.settings.load import load_settings
from tests.fixtures.stack import Stack, StartStack, next_reload
from tests.fixtures.upstream import LoopbackUpstream

SHIPPED = Path(__file__).resolve().parents[2] / "policies"
MODEL = Path(__file__).resolve().parents[2] / "proxy" / "classifiers" / "data" / "model.json.gz"

RULES = """\
policies:
  - id: secret-project
    category: confidential
    action: block
    keywords: [project nightingale]
"""

BUILTIN_FLAG = """\
policies:
  - id: builtin-violence
    category: violence
    action: flag
    classifier: {backend: builtin, thresholds: {violence: 0.5}}
"""


async def _chat(stack: Stack, text: str) -> str | None:
    async with openai.AsyncOpenAI(base_url=stack.base_url, api_key="sk-client", max_retries=0) as client:
        reply = await client.chat.completions.create(model="m", messages=[{"role": "user", "content": text}])
    return reply.choices[0].message.content


def _write(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "rules.yaml").write_text(text, encoding="utf-8")
    return directory


async def test_a_blocked_prompt_is_counted_as_a_block_not_an_error(
    start_stack: StartStack, upstream: LoopbackUpstream
) -> None:
    stack = await start_stack(policies=SHIPPED)
    with pytest.raises(openai.BadRequestError) as caught:
        await _chat(stack, "how to make a b.o.m.b at home")
    assert caught.value.code == "content_filter"
    assert upstream.requests == []
    assert stack.sample("modproxy_decisions_total", {"phase": "prompt", "action": "block"}) == 1
    assert stack.sample("modproxy_requests_total", {"route": "chat_completions", "status": "400"}) == 1
    assert stack.sample("modproxy_bypasses_total", {"component": "classifier", "reason": "unavailable"}) == 0
    assert stack.sample("modproxy_upstream_requests_total", {"status": "200"}) == 0


@pytest.mark.parametrize(("on_error", "blocked", "bypasses"), [("allow", False, 2), ("block", True, 0)])
async def test_a_failing_classifier_fails_as_configured_and_a_fail_open_is_a_bypass(
    start_stack: StartStack, tmp_path: Path, on_error: str, blocked: bool, bypasses: int
) -> None:
    policies = _write(
        tmp_path / "p",
        "policies:\n"
        "  - id: guard\n"
        "    category: toxicity\n"
        "    action: block\n"
        "    classifier:\n"
        "      backend: guard\n"
        "      thresholds: {hate: 0.5}\n"
        f"      on_error: {on_error}\n"
        "      timeout_ms: 300\n",
    )
    # A backend that refuses connections: nothing listens on the discard port on loopback.
    stack = await start_stack(
        policies=policies,
        settings={
            "classifiers.backends": {"guard": {"type": "http", "url": "http://127.0.0.1:9/score"}},
        },
    )
    if blocked:
        with pytest.raises(openai.BadRequestError):
            await _chat(stack, "hi")
    else:
        assert await _chat(stack, "hi") == "hi"
    # Fail-open twice: the prompt, then the (echoed) response; fail-closed stops at the prompt.
    labels = {"component": "classifier", "reason": "unavailable"}
    assert stack.sample("modproxy_bypasses_total", labels) == bypasses
    assert stack.sample("modproxy_classifier_requests_total", {"backend": "guard", "result": "error"}) >= 1


async def test_the_builtin_classifier_flags_what_no_keyword_lists(
    start_stack: StartStack, tmp_path: Path
) -> None:
    policies = _write(tmp_path / "p", BUILTIN_FLAG)
    stack = await start_stack(policies=policies)
    async with aiohttp.ClientSession() as http:
        for text, action in [
            ("I am going to kill my neighbor tonight.", "flag"),
            ("How do I kill a process?", "allow"),
        ]:
            response = await http.post(
                f"{stack.base_url}/chat/completions",
                json={"model": "m", "messages": [{"role": "user", "content": text}]},
            )
            assert response.status == 200
            assert response.headers["x-modproxy-action"] == action, text
    assert stack.sample("modproxy_classifier_requests_total", {"backend": "builtin", "result": "ok"}) >= 2


async def test_an_edited_policy_file_is_served_without_a_restart(
    start_stack: StartStack, tmp_path: Path
) -> None:
    policies = _write(
        tmp_path / "p", "policies:\n  - {id: other, category: c, action: flag, keywords: [zebra]}\n"
    )
    stack = await start_stack(policies=policies)
    before = stack.parts.store.current.revision
    assert await _chat(stack, "project nightingale") == "project nightingale"

    reloaded = next_reload(stack)
    _write(policies, RULES)
    assert (await asyncio.wait_for(reloaded, 10)).ok
    assert stack.parts.store.current.revision != before
    with pytest.raises(openai.BadRequestError):
        await _chat(stack, "tell me about Project Nightingale")
    revision = stack.parts.store.current.revision
    assert stack.sample("modproxy_policy_revision_info", {"revision": revision}) == 1
    assert stack.sample("modproxy_policy_revision_info", {"revision": before}) == 0
    assert stack.sample("modproxy_policy_reloads_total", {"result": "success"}) == 1


async def test_a_broken_edit_keeps_the_last_good_set_and_says_where(
    start_stack: StartStack, tmp_path: Path
) -> None:
    policies = _write(tmp_path / "p", RULES)
    stack = await start_stack(policies=policies)
    good = stack.parts.store.current.revision

    reloaded = next_reload(stack)
    _write(policies, RULES + "    regex: ['(unclosed']\n")
    assert not (await asyncio.wait_for(reloaded, 10)).ok
    assert stack.parts.store.current.revision == good
    with pytest.raises(openai.BadRequestError):
        await _chat(stack, "project nightingale")
    async with aiohttp.ClientSession() as http:
        ready = await (await http.get(f"{stack.url}/readyz")).json()
        admin = await (
            await http.get(f"{stack.admin_url}/admin/policies", headers=stack.admin_headers)
        ).json()
    assert ready["status"] == "ready", "the last good set keeps serving"
    [problem] = ready["detail"]["policies"]["last_error"]["problems"]
    assert problem["file"].endswith("rules.yaml") and problem["line"] == 6
    assert admin["last_error"] == ready["detail"]["policies"]["last_error"]
    assert stack.sample("modproxy_policy_reloads_total", {"result": "failure"}) == 1


async def test_a_policy_set_that_does_not_load_stops_startup_with_file_and_line(tmp_path: Path) -> None:
    policies = _write(tmp_path / "p", "policies:\n  - id: x\n    action: explode\n")
    settings = load_settings(env={}, overrides={"upstream.dev": True, "policies.path": policies})
    with pytest.raises(StartupError, match=r"rules\.yaml:3: "):
        async with open_components(settings):
            pass


async def test_cache_flush_needs_the_admin_token_and_drops_this_revision(
    start_stack: StartStack, tmp_path: Path
) -> None:
    stack = await start_stack(policies=_write(tmp_path / "p", RULES))
    await _chat(stack, "hello")
    async with aiohttp.ClientSession() as http:
        denied = await http.post(f"{stack.admin_url}/admin/cache/flush")
        assert denied.status == 401
        assert (await denied.json())["error"]["type"] == "authentication_error"
        flushed = await http.post(f"{stack.admin_url}/admin/cache/flush", headers=stack.admin_headers)
        body = await flushed.json()
    assert flushed.status == 200
    assert body == {"revision": stack.parts.store.current.revision, "deleted": 2}, "prompt and response"


async def test_metrics_are_served_on_the_admin_port(start_stack: StartStack, tmp_path: Path) -> None:
    stack = await start_stack(policies=shutil.copytree(SHIPPED, tmp_path / "p"))
    await _chat(stack, "hi there")
    async with aiohttp.ClientSession() as http:
        response = await http.get(f"{stack.admin_url}/metrics", headers=stack.admin_headers)
        text = await response.text()
    assert response.status == 200
    assert 'modproxy_requests_total{route="chat_completions",status="200"} 1.0' in text
    assert 'modproxy_tokens_total{kind="prompt"}' in text


async def test_a_streamed_answer_is_held_until_the_classifier_clears_each_segment(
    start_stack: StartStack, tmp_path: Path
) -> None:
    policies = _write(
        tmp_path / "p",
        "policies:\n"
        "  - id: builtin-violence\n"
        "    category: violence\n"
        "    action: block\n"
        "    phases: [response]\n"
        "    classifier: {backend: builtin, thresholds: {violence: 0.5}}\n",
    )
    stack = await start_stack(policies=policies)
    prompt = "Thanks for asking. I am going to kill my neighbor tonight."
    received: list[str] = []
    finish: list[str | None] = []
    async with openai.AsyncOpenAI(base_url=stack.base_url, api_key="sk-client", max_retries=0) as client:
        stream = await client.chat.completions.create(
            model="m", stream=True, messages=[{"role": "user", "content": prompt}]
        )
        async for chunk in stream:
            for choice in chunk.choices:
                received.append(choice.delta.content or "")
                finish.append(choice.finish_reason)
    text = "".join(received)
    assert "Thanks for asking." in text, "the cleared sentence is released"
    assert "kill" not in text and "neighbor" not in text
    assert "content_filter" in finish
    assert stack.sample("modproxy_stream_cutoffs_total", {"policy": "builtin-violence"}) == 1


async def test_a_shadow_policy_is_reported_but_never_enforced(
    start_stack: StartStack, tmp_path: Path
) -> None:
    policies = _write(tmp_path / "p", RULES.replace("action: block", "action: block\n    mode: shadow"))
    stack = await start_stack(policies=policies)
    async with aiohttp.ClientSession() as http:
        response = await http.post(
            f"{stack.base_url}/chat/completions",
            json={"model": "m", "messages": [{"role": "user", "content": "project nightingale"}]},
        )
        body = await response.json()
    assert response.status == 200
    assert body["choices"][0]["message"]["content"] == "project nightingale"
    assert response.headers["x-modproxy-action"] == "allow"
    assert response.headers["x-modproxy-shadow"] == "secret-project=block"
    labels = {"phase": "prompt", "policy": "secret-project", "category": "confidential"}
    assert stack.sample("modproxy_policy_matches_total", labels) == 1


async def test_builtin_scores_long_texts_in_the_classifier_threads_and_starts_no_process(
    tmp_path: Path,
) -> None:
    policies = _write(tmp_path / "p", BUILTIN_FLAG)
    settings = load_settings(
        env={}, overrides={"upstream.dev": True, "policies.path": policies, "policies.watch_interval": 0}
    )
    long_text = "We walked along the river and talked about the weather. " * 40
    before = _children()
    async with open_components(settings, registry=CollectorRegistry()) as parts:
        builtin = parts.classifiers["builtin"]
        threat = long_text + "I am going to kill my neighbor tonight. " + long_text
        assert (await builtin.score(threat, Phase.PROMPT))["violence"] >= 0.5
        scorers = {t.name for t in threading.enumerate() if t.name.startswith("modproxy-classifier")}
        assert 1 <= len(scorers) <= settings.classifiers.builtin_concurrency
    assert _children() == before
    assert not any(t.name.startswith("modproxy-classifier") for t in threading.enumerate())


def _children() -> set[int]:
    return {child.pid for child in multiprocessing.active_children() if child.pid is not None}


async def test_a_policy_can_bring_its_own_model_file(start_stack: StartStack, tmp_path: Path) -> None:
    policies = _write(
        tmp_path / "p",
        "policies:\n"
        "  - id: own-model\n"
        "    category: violence\n"
        "    action: flag\n"
        "    classifier: {backend: builtin, model: models/ours.json.gz, thresholds: {violence: 0.5}}\n",
    )
    (policies / "models").mkdir()
    shutil.copy(MODEL, policies / "models" / "ours.json.gz")
    stack = await start_stack(policies=policies)
    async with aiohttp.ClientSession() as http:
        response = await http.post(
            f"{stack.base_url}/chat/completions",
            json={
                "model": "m",
                "messages": [{"role": "user", "content": "I am going to kill my neighbor tonight."}],
            },
        )
    assert response.status == 200
    assert response.headers["x-modproxy-action"] == "flag"
