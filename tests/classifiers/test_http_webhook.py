"""http: the generic webhook against a loopback server."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from proxy.breaker import BreakerConfig, CircuitBreaker
from proxy.classifiers.http_webhook import HttpWebhook
from proxy.classifiers.remote import CallLimits, RemoteCaller
from proxy.policy.classifier import ClassifierError
from proxy.policy.decision import Phase
from tests.classifiers.conftest import ScriptedServer
from tests.fixtures.clock import ManualClock


def webhook(
    session: aiohttp.ClientSession, server: ScriptedServer, clock: ManualClock, **kwargs: Any
) -> HttpWebhook:
    caller = RemoteCaller("hook", session, CallLimits(0.5, 4, 0), CircuitBreaker(BreakerConfig(), clock))
    return HttpWebhook("hook", caller, server.url + "/score", **kwargs)


@pytest.mark.parametrize("phase", list(Phase))
async def test_posts_text_and_phase_and_reads_scores(
    server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock, phase: Phase
) -> None:
    server.reply({"scores": {"toxicity": 0.25, "spam": 1}})
    assert await webhook(session, server, clock).score("hello", phase) == {"toxicity": 0.25, "spam": 1.0}
    assert server.requests[0].path == "/score"
    assert server.requests[0].body == {"text": "hello", "phase": phase.value}
    assert "Authorization" not in server.requests[0].headers


async def test_api_key_and_category_mapping(
    server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    server.reply({"scores": {"toxicity": 0.9, "insult": 0.4}})
    hook = webhook(
        session, server, clock, api_key="k", categories={"toxicity": "harassment", "insult": "harassment"}
    )
    assert await hook.score("x", Phase.PROMPT) == {"harassment": 0.9}
    assert server.requests[0].headers["Authorization"] == "Bearer k"


@pytest.mark.parametrize(
    "answer",
    [{"scores": {"a": -0.1}}, {"scores": {"a": None}}, {"scores": [0.1]}, {"score": 0.5}, "0.5"],
)
async def test_malformed_answers_are_bad_responses(
    server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock, answer: Any
) -> None:
    server.reply(answer)
    with pytest.raises(ClassifierError) as caught:
        await webhook(session, server, clock).score("x", Phase.PROMPT)
    assert caught.value.reason == "bad_response"


async def test_nan_is_refused(
    server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    server.reply(raw=b'{"scores": {"a": NaN}}')
    with pytest.raises(ClassifierError, match="bad_response"):
        await webhook(session, server, clock).score("x", Phase.PROMPT)


async def test_timeout(server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock) -> None:
    server.reply(hang=True)
    with pytest.raises(ClassifierError) as caught:
        await webhook(session, server, clock).score("x", Phase.PROMPT)
    assert caught.value.reason == "timeout"
