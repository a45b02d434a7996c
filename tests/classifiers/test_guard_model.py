"""guard-model against a loopback OpenAI-compatible chat endpoint answering as Llama Guard 3 / Qwen3Guard."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import aiohttp
import pytest

from proxy.breaker import BreakerConfig, CircuitBreaker
from proxy.classifiers.guard_model import GuardFormat, GuardModel
from proxy.classifiers.remote import CallLimits, RemoteCaller
from proxy.policy.classifier import ClassifierError
from proxy.policy.decision import Phase
from tests.classifiers.conftest import ScriptedServer
from tests.fixtures.clock import ManualClock


def chat_answer(content: str, logprobs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    choice: dict[str, Any] = {
        "index": 0,
        "message": {"role": "assistant", "content": content},
        "finish_reason": "stop",
    }
    if logprobs is not None:
        choice["logprobs"] = {"content": logprobs}
    return {"id": "chatcmpl-1", "object": "chat.completion", "model": "guard", "choices": [choice]}


def token(text: str, logprob: float, alternatives: dict[str, float]) -> dict[str, Any]:
    return {
        "token": text,
        "logprob": logprob,
        "top_logprobs": [{"token": t, "logprob": lp} for t, lp in alternatives.items()],
    }


def guard(
    session: aiohttp.ClientSession,
    server: ScriptedServer,
    clock: ManualClock,
    fmt: GuardFormat,
    **kwargs: Any,
) -> GuardModel:
    caller = RemoteCaller("guard", session, CallLimits(2.0, 4, 0), CircuitBreaker(BreakerConfig(), clock))
    return GuardModel("guard", caller, server.url + "/v1", model="guard-model", output_format=fmt, **kwargs)


async def verdict_scores(
    session: aiohttp.ClientSession, server: ScriptedServer, clock: ManualClock, fmt: GuardFormat, content: str
) -> Mapping[str, float]:
    """Scores for one answer without logprobs, so the verdict alone decides."""
    server.reply(chat_answer(content))
    return await guard(session, server, clock, fmt, logprobs=False).score("x", Phase.PROMPT)


async def test_prompt_and_response_are_sent_as_the_right_turns(
    server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    server.reply(chat_answer("safe"))
    llama = guard(session, server, clock, GuardFormat.LLAMA_GUARD)
    await llama.score("user says hi", Phase.PROMPT)
    await llama.score("assistant says hi", Phase.RESPONSE)
    prompt, response = (r.body for r in server.requests)
    assert server.requests[0].path == "/v1/chat/completions"
    assert prompt["model"] == "guard-model"
    assert prompt["messages"] == [{"role": "user", "content": "user says hi"}]
    assert response["messages"][-1] == {"role": "assistant", "content": "assistant says hi"}
    assert prompt["logprobs"] is True
    assert prompt["temperature"] == 0


@pytest.mark.parametrize(
    ("fmt", "content", "expected"),
    [
        (GuardFormat.LLAMA_GUARD, "safe", {"unsafe": 0.0, "violence": 0.0, "hate": 0.0}),
        (GuardFormat.LLAMA_GUARD, "\n\nsafe", {"unsafe": 0.0}),
        (GuardFormat.LLAMA_GUARD, "unsafe\nS1", {"unsafe": 1.0, "violence": 1.0, "hate": 0.0}),
        (
            GuardFormat.LLAMA_GUARD,
            "unsafe\nS10,S11",
            {"unsafe": 1.0, "hate": 1.0, "self_harm": 1.0, "violence": 0.0},
        ),
        (GuardFormat.LLAMA_GUARD, "unsafe\nS2, S14", {"illicit": 1.0, "code_interpreter_abuse": 1.0}),
        (GuardFormat.LLAMA_GUARD, "unsafe", {"unsafe": 1.0, "violence": 0.0}),
        (GuardFormat.QWEN3GUARD, "Safety: Safe\nCategories: None", {"unsafe": 0.0, "violence": 0.0}),
        (
            GuardFormat.QWEN3GUARD,
            "Safety: Unsafe\nCategories: Violent",
            {"unsafe": 1.0, "violence": 1.0, "illicit": 0.0},
        ),
        (
            GuardFormat.QWEN3GUARD,
            "Safety: Unsafe\nCategories: Suicide & Self-Harm, Jailbreak",
            {"self_harm": 1.0, "prompt_injection": 1.0},
        ),
        (
            GuardFormat.QWEN3GUARD,
            "Safety: Controversial\nCategories: Politically Sensitive Topics",
            {"unsafe": 0.5, "political": 0.5},
        ),
        (GuardFormat.QWEN3GUARD, "Safety: Safe\nCategories: None\nRefusal: Yes", {"unsafe": 0.0}),
        (GuardFormat.QWEN3GUARD, "Safety: Unsafe\nCategories: Something New", {"something_new": 1.0}),
    ],
)
async def test_guard_verdicts(
    server: ScriptedServer,
    session: aiohttp.ClientSession,
    clock: ManualClock,
    fmt: GuardFormat,
    content: str,
    expected: dict[str, float],
) -> None:
    scores = await verdict_scores(session, server, clock, fmt, content)
    assert {k: scores[k] for k in expected} == expected


async def test_llama_guard_score_comes_from_logprobs(
    server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    lp_unsafe, lp_safe = math.log(0.7), math.log(0.2)
    server.reply(
        chat_answer(
            "unsafe\nS10",
            [token("unsafe", lp_unsafe, {"unsafe": lp_unsafe, "safe": lp_safe, "Unsure": math.log(0.1)})],
        )
    )
    scores = await guard(session, server, clock, GuardFormat.LLAMA_GUARD).score("x", Phase.PROMPT)
    assert scores["unsafe"] == pytest.approx(0.7 / 0.9)
    assert scores["hate"] == pytest.approx(0.7 / 0.9)


async def test_a_safe_verdict_with_doubt_keeps_the_doubt_in_the_overall_score(
    server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    server.reply(chat_answer("safe", [token("safe", math.log(0.6), {"safe": math.log(0.6)})]))
    scores = await guard(session, server, clock, GuardFormat.LLAMA_GUARD).score("x", Phase.PROMPT)
    assert scores["unsafe"] == pytest.approx(0.4)
    assert scores["violence"] == 0.0


async def test_qwen3guard_score_from_logprobs_weighs_controversial(
    server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    alternatives = {"Unsafe": math.log(0.5), "Controversial": math.log(0.3), "Safe": math.log(0.2)}
    server.reply(
        chat_answer(
            "Safety: Unsafe\nCategories: Violent",
            [token("Safety", -0.01, {"Safety": -0.01}), token(":", -0.01, {":": -0.01}),
             token(" Unsafe", math.log(0.5), alternatives)],
        )
    )  # fmt: skip
    model = guard(session, server, clock, GuardFormat.QWEN3GUARD, controversial_score=0.5)
    scores = await model.score("x", Phase.PROMPT)
    assert scores["unsafe"] == pytest.approx(0.5 + 0.5 * 0.3)
    assert scores["violence"] == pytest.approx(0.65)


async def test_category_table_from_config_overrides_the_default(
    server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    server.reply(chat_answer("Safety: Unsafe\nCategories: Unethical Acts"))
    model = guard(
        session, server, clock, GuardFormat.QWEN3GUARD, logprobs=False, categories={"Unethical Acts": "hate"}
    )
    assert (await model.score("x", Phase.PROMPT))["hate"] == 1.0


@pytest.mark.parametrize(
    ("fmt", "answer"),
    [
        (GuardFormat.LLAMA_GUARD, chat_answer("I cannot help with that.")),
        (GuardFormat.LLAMA_GUARD, chat_answer("unsafe\nviolence")),
        (GuardFormat.LLAMA_GUARD, chat_answer("")),
        (GuardFormat.QWEN3GUARD, chat_answer("Categories: Violent")),
        (GuardFormat.QWEN3GUARD, {"choices": []}),
        (GuardFormat.QWEN3GUARD, {"choices": [{"message": {"content": None}}]}),
        (GuardFormat.LLAMA_GUARD, {"object": "error"}),
    ],
)
async def test_malformed_guard_answers_are_bad_responses(
    server: ScriptedServer, session: aiohttp.ClientSession, clock: ManualClock, fmt: GuardFormat, answer: Any
) -> None:
    server.reply(answer)
    with pytest.raises(ClassifierError) as caught:
        await guard(session, server, clock, fmt).score("x", Phase.PROMPT)
    assert caught.value.reason == "bad_response"
