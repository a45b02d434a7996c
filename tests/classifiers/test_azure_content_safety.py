"""azure-content-safety against a loopback server speaking ``text:analyze``."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from proxy.breaker import BreakerConfig, CircuitBreaker
from proxy.classifiers.azure_content_safety import AzureContentSafety
from proxy.classifiers.remote import CallLimits, RemoteCaller
from proxy.policy.classifier import ClassifierError
from proxy.policy.decision import Phase
from tests.classifiers.conftest import ScriptedServer
from tests.fixtures.clock import ManualClock


def analysis(blocklist_hits: int = 0, **severities: int) -> dict[str, Any]:
    return {
        "blocklistsMatch": [
            {"blocklistName": "ours", "blocklistItemId": f"id-{i}", "blocklistItemText": "term"}
            for i in range(blocklist_hits)
        ],
        "categoriesAnalysis": [{"category": c, "severity": s} for c, s in severities.items()],
    }


def azure(
    session: aiohttp.ClientSession, server: ScriptedServer, clock: ManualClock, **kwargs: Any
) -> AzureContentSafety:
    caller = RemoteCaller("azure", session, CallLimits(2.0, 4, 0), CircuitBreaker(BreakerConfig(), clock))
    return AzureContentSafety("azure", caller, server.url, api_key="azure-key", **kwargs)


async def test_sends_the_documented_request(
    server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    server.reply(analysis(Hate=0, SelfHarm=0, Sexual=0, Violence=0))
    await azure(session, server, clock).score("hello", Phase.PROMPT)
    (request,) = server.requests
    assert request.path == "/contentsafety/text:analyze"
    assert request.query == {"api-version": "2024-09-01"}
    assert request.headers["Ocp-Apim-Subscription-Key"] == "azure-key"
    assert request.body == {
        "text": "hello",
        "categories": ["Hate", "SelfHarm", "Sexual", "Violence"],
        "outputType": "EightSeverityLevels",
    }


@pytest.mark.parametrize(
    ("severities", "expected"),
    [
        ({"Hate": 0, "SelfHarm": 0, "Sexual": 0, "Violence": 0},
         {"hate": 0.0, "self_harm": 0.0, "sexual": 0.0, "violence": 0.0}),
        ({"Hate": 7, "SelfHarm": 2, "Sexual": 4, "Violence": 6},
         {"hate": 1.0, "self_harm": 2 / 7, "sexual": 4 / 7, "violence": 6 / 7}),
        ({"Hate": 2}, {"hate": 2 / 7}),
    ],
)  # fmt: skip
async def test_severity_becomes_a_score(
    server: ScriptedServer,
    session: aiohttp.ClientSession,
    clock: ManualClock,
    severities: dict[str, int],
    expected: dict[str, float],
) -> None:
    server.reply(analysis(**severities))
    assert await azure(session, server, clock).score("x", Phase.RESPONSE) == pytest.approx(expected)


async def test_blocklist_hits_become_their_own_category(
    server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    server.reply(analysis(blocklist_hits=1, Hate=0))
    backend = azure(session, server, clock, blocklists=["ours"])
    assert await backend.score("x", Phase.PROMPT) == {"hate": 0.0, "blocklist": 1.0}
    assert server.requests[0].body["blocklistNames"] == ["ours"]


def test_max_chars_never_exceeds_the_service_limit(
    session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    caller = RemoteCaller("azure", session, CallLimits(), CircuitBreaker(BreakerConfig(), clock))
    assert AzureContentSafety("azure", caller, "http://127.0.0.1:1", max_chars=50_000).max_chars == 10_000


@pytest.mark.parametrize(
    "answer",
    [
        {"categoriesAnalysis": [{"category": "Hate", "severity": 9}]},
        {"categoriesAnalysis": [{"category": "Hate", "severity": 2.5}]},
        {"categoriesAnalysis": [{"category": "Hate"}]},
        {"categoriesAnalysis": [{"severity": 1}]},
        {"categoriesAnalysis": "Hate"},
        {"error": {"code": "InvalidRequestBody"}},
    ],
)
async def test_malformed_answers_are_bad_responses(
    server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock, answer: Any
) -> None:
    server.reply(answer)
    with pytest.raises(ClassifierError) as caught:
        await azure(session, server, clock).score("x", Phase.PROMPT)
    assert caught.value.reason == "bad_response"
