"""openai-moderation against a loopback server speaking ``/v1/moderations``; also the shared
remote behaviour (deadline, retries, breaker) that every network backend inherits."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import aiohttp
import pytest

from proxy.breaker import BreakerConfig, BreakerState, CircuitBreaker
from proxy.classifiers.openai_moderation import OpenAIModeration
from proxy.classifiers.remote import CallLimits, RemoteCaller
from proxy.policy.classifier import ClassifierError
from proxy.policy.decision import Phase
from tests.classifiers.conftest import ScriptedServer
from tests.fixtures.clock import ManualClock


def moderation_answer(**scores: float) -> dict[str, Any]:
    return {
        "id": "modr-1",
        "model": "omni-moderation-latest",
        "results": [
            {
                "flagged": any(v > 0.5 for v in scores.values()),
                "categories": {k: v > 0.5 for k, v in scores.items()},
                "category_scores": scores,
            }
        ],
    }


def backend(
    session: aiohttp.ClientSession,
    url: str,
    clock: ManualClock,
    *,
    timeout_s: float = 2.0,
    retries: int = 1,
    threshold: int = 3,
    categories: dict[str, str | None] | None = None,
) -> OpenAIModeration:
    caller = RemoteCaller(
        "openai",
        session,
        CallLimits(timeout_s, 4, retries),
        CircuitBreaker(BreakerConfig(threshold, 30.0), clock),
    )
    return OpenAIModeration("openai", caller, url + "/v1", api_key="sk-test-secret", categories=categories)


async def test_sends_the_documented_request(
    server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    server.reply(moderation_answer(hate=0.1))
    await backend(session, server.url, clock).score("some text", Phase.PROMPT)
    (request,) = server.requests
    assert request.path == "/v1/moderations"
    assert request.body == {"model": "omni-moderation-latest", "input": "some text"}
    assert request.headers["Authorization"] == "Bearer sk-test-secret"


@pytest.mark.parametrize(
    ("scores", "table", "expected"),
    [
        ({"hate": 0.2, "hate/threatening": 0.7}, None, {"hate": 0.7}),
        (
            {"self-harm": 0.1, "self-harm/intent": 0.9, "self-harm/instructions": 0.3},
            None,
            {"self_harm": 0.9},
        ),
        (
            {"violence/graphic": 0.4, "violence": 0.3, "sexual/minors": 0.05},
            None,
            {"violence": 0.4, "sexual": 0.05},
        ),
        ({"illicit/violent": 0.6}, None, {"illicit": 0.6}),
        ({"brand-new": 0.3}, None, {"brand-new": 0.3}),
        (
            {"hate/threatening": 0.8, "hate": 0.1},
            {"hate/threatening": "violence"},
            {"violence": 0.8, "hate": 0.1},
        ),
        ({"sexual": 0.9, "hate": 0.2}, {"sexual": None}, {"hate": 0.2}),
    ],
)
async def test_maps_category_scores_to_ours(
    server: ScriptedServer,
    session: aiohttp.ClientSession,
    clock: ManualClock,
    scores: dict[str, float],
    table: dict[str, str | None] | None,
    expected: dict[str, float],
) -> None:
    server.reply(moderation_answer(**scores))
    assert await backend(session, server.url, clock, categories=table).score("x", Phase.PROMPT) == expected


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param({"results": []}, id="no-results"),
        pytest.param({"data": []}, id="no-results-key"),
        pytest.param({"results": [{"categories": {}}]}, id="no-scores"),
        pytest.param({"results": [{"category_scores": {"hate": "high"}}]}, id="string-score"),
        pytest.param({"results": [{"category_scores": {"hate": 1.5}}]}, id="score-above-one"),
        pytest.param({"results": [{"category_scores": {"hate": True}}]}, id="boolean-score"),
        pytest.param([1, 2], id="not-an-object"),
    ],
)
async def test_malformed_answers_are_bad_responses(
    server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock, answer: Any
) -> None:
    server.reply(answer)
    with pytest.raises(ClassifierError) as caught:
        await backend(session, server.url, clock).score("x", Phase.PROMPT)
    assert caught.value.reason == "bad_response"


async def test_an_answer_that_is_not_json_is_a_bad_response(
    server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    server.reply(raw=b"<html>oops</html>")
    with pytest.raises(ClassifierError) as caught:
        await backend(session, server.url, clock).score("x", Phase.PROMPT)
    assert caught.value.reason == "bad_response"


async def test_a_gateway_error_is_retried_once(
    server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    server.then({"error": "busy"}, status=503)
    server.reply(moderation_answer(hate=0.4))
    assert await backend(session, server.url, clock).score("x", Phase.PROMPT) == {"hate": 0.4}
    assert len(server.requests) == 2


@pytest.mark.parametrize(("status", "calls"), [(500, 1), (502, 2), (401, 1), (400, 1), (429, 1)])
async def test_error_statuses_are_unavailable_and_retried_only_for_gateways(
    server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock, status: int, calls: int
) -> None:
    server.reply({"error": {"message": "no"}}, status=status)
    with pytest.raises(ClassifierError) as caught:
        await backend(session, server.url, clock).score("x", Phase.PROMPT)
    assert caught.value.reason == "unavailable"
    assert len(server.requests) == calls


async def test_a_hanging_backend_times_out_once_without_retry(
    server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    server.reply(hang=True)
    with pytest.raises(ClassifierError) as caught:
        await backend(session, server.url, clock, timeout_s=0.2).score("x", Phase.PROMPT)
    assert caught.value.reason == "timeout"
    assert len(server.requests) == 1


async def test_a_refused_connection_is_unavailable(
    session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ClassifierError) as caught:
        await backend(session, f"http://127.0.0.1:{port}", clock).score("x", Phase.PROMPT)
    assert caught.value.reason == "unavailable"


async def test_an_open_breaker_costs_no_network_call_until_the_interval_passes(
    server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    server.reply(hang=True)
    moderation = backend(session, server.url, clock, timeout_s=0.1, threshold=2)
    for _ in range(2):
        with pytest.raises(ClassifierError, match="timeout"):
            await moderation.score("x", Phase.PROMPT)
    assert len(server.requests) == 2

    for _ in range(20):
        with pytest.raises(ClassifierError) as caught:
            await moderation.score("x", Phase.PROMPT)
        assert caught.value.reason == "circuit_open"
    assert len(server.requests) == 2

    clock.advance(30)
    server.reply(moderation_answer(hate=0.3))
    assert await moderation.score("x", Phase.PROMPT) == {"hate": 0.3}
    assert len(server.requests) == 3
    assert moderation._caller.breaker.state is BreakerState.CLOSED


async def test_only_one_probe_goes_out_while_half_open(
    server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    moderation = backend(session, server.url, clock, timeout_s=0.3, threshold=1)
    server.reply(status=500)
    with pytest.raises(ClassifierError):
        await moderation.score("x", Phase.PROMPT)
    clock.advance(30)
    server.reply(hang=True)
    results = await asyncio.gather(
        *(moderation.score("x", Phase.PROMPT) for _ in range(5)), return_exceptions=True
    )
    reasons = sorted(r.reason for r in results if isinstance(r, ClassifierError))
    assert reasons == ["circuit_open"] * 4 + ["timeout"]
    assert len(server.requests) == 2


async def test_the_api_key_is_not_in_the_error(
    server: ScriptedServer,
    session: aiohttp.ClientSession,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server.reply(status=401)
    with pytest.raises(ClassifierError) as caught:
        await backend(session, server.url, clock).score("secret user text", Phase.PROMPT)
    assert "sk-test-secret" not in str(caught.value)
    assert "sk-test-secret" not in caplog.text
    assert "secret user text" not in caplog.text
