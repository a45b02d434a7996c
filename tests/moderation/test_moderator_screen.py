"""Moderator.screen: what can block is decided now, flag-only classifiers run alongside the upstream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import openai
import pytest
from aiohttp import web
from prometheus_client import CollectorRegistry

from proxy.audit.record import AuditingModerator
from proxy.cache.decisions import CacheConfig, DecisionCache
from proxy.metrics.exporter import Metrics
from proxy.metrics.telemetry import MeteredModerator
from proxy.moderation.moderator import FixedPolicies, PolicyModerator, RequestContext, split_parts
from proxy.policy.decision import Action, Phase, RuleKind
from proxy.policy.engine import PolicySet
from proxy.policy.loader import load_policy_set
from tests.audit.test_record import Kept
from tests.fixtures.upstream import StartProxy, chat_chunks, chat_completion
from tests.moderation.test_moderator import CountingClassifier

CTX = RequestContext("req-1")

KEYWORDS = """
policies:
  - id: forbidden
    category: words
    action: block
    keywords: [forbidden]
"""


def flag_policy(on_error: str = "allow", action: str = "flag", backend: str = "counting") -> str:
    return f"""
  - id: toxicity-{action}-{on_error}-{backend}
    category: toxic
    action: {action}
    classifier: {{backend: {backend}, thresholds: {{toxic: 0.5}}, on_error: {on_error}}}
"""


def load(directory: Path, yaml_text: str) -> PolicySet:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "rules.yaml").write_text(yaml_text)
    return load_policy_set(directory)


@pytest.fixture
async def cache() -> AsyncIterator[DecisionCache]:
    async with DecisionCache(CacheConfig()) as embedded:
        yield embedded


def moderator(policies: PolicySet, cache: DecisionCache, classifier: CountingClassifier) -> PolicyModerator:
    return PolicyModerator(FixedPolicies(policies), cache, {classifier.name: classifier})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("policies", "deferred"),
    [
        (flag_policy(), ["toxicity-flag-allow-counting"]),
        (flag_policy(on_error="block"), []),  # its failure blocks: it must be decided first
        (flag_policy(action="block", on_error="allow"), []),
        # one backend call scores every category: a flag policy rides along with a blocking one
        (flag_policy() + flag_policy(action="block"), []),
        (flag_policy() + flag_policy(action="block", backend="other"), ["toxicity-flag-allow-counting"]),
    ],
)
def test_only_policies_that_cannot_block_on_an_otherwise_unused_backend_run_later(
    tmp_path: Path, policies: str, deferred: list[str]
) -> None:
    rules = load(tmp_path, KEYWORDS + policies).classifier_policies(Phase.PROMPT)
    now, later = split_parts(rules)
    assert [r.policy_id for r in (later.rules if later else ())] == deferred
    assert len(now.rules) + len(deferred) == len(rules)


async def test_screen_answers_before_a_flag_only_classifier_finishes(
    tmp_path: Path, cache: DecisionCache
) -> None:
    classifier = CountingClassifier(gate=asyncio.Event())
    mod = moderator(load(tmp_path, KEYWORDS + flag_policy()), cache, classifier)
    screening = await mod.screen(["I hate mondays"], Phase.PROMPT, CTX)
    assert screening.now.action is Action.ALLOW and screening.rest is not None
    await classifier.started.wait()
    assert not screening.rest.done()  # the classifier is still held: screen did not wait for it
    classifier.gate.set()  # type: ignore[union-attr]
    settled = await screening.settled()
    assert settled.action is Action.FLAG
    [finding] = settled.findings
    assert (finding.kind, finding.category) == (RuleKind.CLASSIFIER, "toxic")
    # both parts are cached per text: the same message again costs no classifier call
    assert await mod.moderate(["I hate mondays"], Phase.PROMPT, CTX) == settled
    assert classifier.calls == ["I hate mondays"]


async def test_a_blocked_text_is_not_sent_to_flag_only_classifiers(
    tmp_path: Path, cache: DecisionCache
) -> None:
    classifier = CountingClassifier()
    mod = moderator(load(tmp_path, KEYWORDS + flag_policy()), cache, classifier)
    screening = await mod.screen(["the forbidden hate"], Phase.PROMPT, CTX)
    assert screening.now.blocked and screening.rest is None
    assert classifier.calls == []


async def test_the_audit_record_holds_the_flags_once_they_land(tmp_path: Path, cache: DecisionCache) -> None:
    kept = Kept()
    classifier = CountingClassifier(gate=asyncio.Event())
    audited = AuditingModerator(moderator(load(tmp_path, KEYWORDS + flag_policy()), cache, classifier), kept)
    screening = await audited.screen(["I hate it"], Phase.PROMPT, CTX)
    assert kept.records == []
    classifier.gate.set()  # type: ignore[union-attr]
    await screening.settled()
    [record] = kept.records
    assert record.action is Action.FLAG and record.findings[0].finding.category == "toxic"


async def test_the_decision_metrics_count_the_whole_verdict_once_the_flags_land(
    tmp_path: Path, cache: DecisionCache
) -> None:
    registry = CollectorRegistry()
    classifier = CountingClassifier(gate=asyncio.Event())
    metered = MeteredModerator(
        moderator(load(tmp_path, KEYWORDS + flag_policy()), cache, classifier), Metrics(registry)
    )
    screening = await metered.screen(["I hate it"], Phase.PROMPT, CTX)

    def decisions(action: str) -> float | None:
        return registry.get_sample_value("modproxy_decisions_total", {"phase": "prompt", "action": action})

    assert decisions("flag") == decisions("allow") == 0  # not counted before the verdict is whole
    classifier.gate.set()  # type: ignore[union-attr]
    await screening.settled()
    assert (decisions("flag"), decisions("allow")) == (1, 0)
    assert registry.get_sample_value("modproxy_moderation_duration_seconds_count", {"phase": "prompt"}) == 1


class GatedUpstream:
    """Answers only once the classifier has started, and then lets the classifier finish.

    Were the classifier run before the upstream call, neither would ever proceed."""

    def __init__(self, classifier: CountingClassifier) -> None:
        self.classifier = classifier
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        payload: dict[str, Any] = await request.json()
        await self.classifier.started.wait()
        assert self.classifier.gate is not None
        self.classifier.gate.set()
        if payload.get("stream"):
            response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
            await response.prepare(request)
            for event in chat_chunks("fine", " thanks"):
                await response.write(event)
            await response.write_eof()
            return response
        return web.json_response(chat_completion("fine thanks"))

    async def __aenter__(self) -> GatedUpstream:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


@pytest.mark.parametrize("stream", [False, True])
async def test_the_proxy_forwards_while_the_flag_only_classifier_scores(
    tmp_path: Path, cache: DecisionCache, start_proxy: StartProxy, stream: bool
) -> None:
    classifier = CountingClassifier(gate=asyncio.Event())
    mod = moderator(load(tmp_path, KEYWORDS + flag_policy()), cache, classifier)
    async with GatedUpstream(classifier) as gated, asyncio.timeout(10):
        proxy = await start_proxy(moderator=mod, upstream_url=gated.url)
        async with openai.AsyncOpenAI(base_url=proxy.base_url, api_key="sk-test", max_retries=0) as client:
            raw = await client.chat.completions.with_raw_response.create(
                model="m", messages=[{"role": "user", "content": "I hate mondays"}], stream=stream
            )
            if stream:
                parts = [c.choices[0].delta.content async for c in raw.parse() if c.choices]
                answer = "".join(p for p in parts if p)
            else:
                answer = raw.parse().choices[0].message.content or ""
    assert answer == "fine thanks"
    assert raw.headers["x-modproxy-action"] == "flag"  # the flag is known before the first byte
    assert classifier.calls[0] == "I hate mondays"
