"""Moderation in the request story: blocked prompts never reach the upstream, flagged text never the user."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import openai
import pytest

from tests.fixtures.moderators import WordModerator
from tests.fixtures.upstream import (
    LoopbackUpstream,
    Reply,
    RunningProxy,
    StartProxy,
    chat_completion,
    read_stream,
    text_completion,
)


@pytest.fixture
async def moderated(start_proxy: StartProxy, word_moderator: WordModerator) -> RunningProxy:
    return await start_proxy(
        moderator=word_moderator, settings={"moderation.refusal_message": "Sorry, filtered."}
    )


async def _post(proxy: RunningProxy, path: str, body: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    async with aiohttp.ClientSession() as http, http.post(f"{proxy.url}{path}", json=body) as response:
        return response.status, dict(response.headers), await response.json()


async def test_blocked_prompt_is_azure_content_filter_error(
    moderated: RunningProxy, upstream: LoopbackUpstream
) -> None:
    messages = [{"role": "user", "content": "tell me the forbidden thing"}]
    status, headers, body = await _post(
        moderated, "/v1/chat/completions", {"model": "m", "messages": messages}
    )
    assert status == 400
    assert body == {
        "error": {
            "message": "The prompt was filtered by the content policy (categories: violence).",
            "type": "invalid_request_error",
            "param": "messages",
            "code": "content_filter",
            "innererror": {
                "code": "ResponsibleAIPolicyViolation",
                "content_filter_result": {"violence": {"filtered": True, "detected": True}},
            },
        }
    }
    assert headers["x-modproxy-action"] == "block"
    assert headers["x-modproxy-revision"] == "words-1"
    assert upstream.requests == []


async def test_sdk_sees_blocked_prompt_as_bad_request(
    moderated: RunningProxy, upstream: LoopbackUpstream
) -> None:
    async with openai.AsyncOpenAI(base_url=moderated.base_url, api_key="k", max_retries=0) as client:
        with pytest.raises(openai.BadRequestError) as caught:
            await client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "forbidden"}], stream=True
            )
    assert caught.value.code == "content_filter"
    assert upstream.requests == []


@pytest.mark.parametrize(
    "function",
    [
        {"name": "f", "description": "do the forbidden thing", "parameters": {}},
        {
            "name": "f",
            "description": "look it up",
            "parameters": {
                "type": "object",
                "properties": {"q": {"type": "string", "description": "then do the forbidden thing"}},
            },
        },
    ],
    ids=["tool", "parameter"],
)
async def test_a_tool_description_is_prompt_text(
    moderated: RunningProxy, upstream: LoopbackUpstream, function: dict[str, Any]
) -> None:
    tool = {"type": "function", "function": function}
    async with openai.AsyncOpenAI(base_url=moderated.base_url, api_key="k", max_retries=0) as client:
        with pytest.raises(openai.BadRequestError) as caught:
            await client.chat.completions.create(
                model="m",
                messages=[{"role": "user", "content": "hi"}],
                tools=[tool],  # type: ignore[list-item]
            )
    assert caught.value.code == "content_filter"
    assert upstream.requests == []


async def test_redacted_prompt_reaches_upstream_redacted(
    moderated: RunningProxy, upstream: LoopbackUpstream
) -> None:
    messages = [
        {"role": "system", "content": "be nice"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "my secret is 42"},
                {"type": "image_url", "image_url": {"url": "x"}},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "1", "type": "function", "function": {"name": "f", "arguments": '{"q": "secret"}'}}
            ],
        },
    ]
    status, headers, body = await _post(
        moderated, "/v1/chat/completions", {"model": "m", "messages": messages}
    )
    assert status == 200
    sent = upstream.requests[0].json()["messages"]
    assert sent[0]["content"] == "be nice"
    assert sent[1]["content"][0]["text"] == "my [REDACTED] is 42"
    assert sent[1]["content"][1] == {"type": "image_url", "image_url": {"url": "x"}}
    assert sent[2]["tool_calls"][0]["function"]["arguments"] == '{"q": "[REDACTED]"}'
    assert headers["x-modproxy-action"] == "redact"
    assert body["prompt_filter_results"] == [
        {"prompt_index": 0, "content_filter_results": {"pii": {"filtered": True, "detected": True}}}
    ]


async def test_blocked_choice_is_refused_others_kept(
    moderated: RunningProxy, upstream: LoopbackUpstream
) -> None:
    upstream.script("/v1/chat/completions", Reply(json=chat_completion("fine answer", "a forbidden answer")))
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{moderated.url}/v1/chat/completions",
            json={"model": "m", "messages": [{"role": "user", "content": "q"}]},
        ) as response,
    ):
        raw = await response.read()
        headers = response.headers
    body = json.loads(raw)
    assert response.status == 200
    assert b"forbidden" not in raw
    first, second = body["choices"]
    assert (first["message"]["content"], first["finish_reason"]) == ("fine answer", "stop")
    assert (second["message"]["content"], second["finish_reason"]) == ("Sorry, filtered.", "content_filter")
    assert first["content_filter_results"] == {}
    assert second["content_filter_results"] == {"violence": {"filtered": True, "detected": True}}
    assert headers["x-modproxy-action"] == "block"


async def test_refusal_follows_a_cjk_prompt(moderated: RunningProxy, upstream: LoopbackUpstream) -> None:
    upstream.script("/v1/chat/completions", Reply(json=chat_completion("这是禁止的内容")))
    status, _, body = await _post(
        moderated,
        "/v1/chat/completions",
        {"model": "m", "messages": [{"role": "user", "content": "请告诉我一些事情"}]},
    )
    assert status == 200
    assert body["choices"][0]["message"]["content"] == "该回复因违反内容政策已被过滤。"


async def test_logprobs_go_with_a_redacted_text(moderated: RunningProxy, upstream: LoopbackUpstream) -> None:
    answer = chat_completion("the secret", "plain")
    for choice, token in zip(answer["choices"], ["secret", "plain"], strict=True):
        choice["logprobs"] = {
            "content": [{"token": token, "logprob": -0.1, "bytes": None, "top_logprobs": []}]
        }
    upstream.script("/v1/chat/completions", Reply(json=answer))
    status, _, body = await _post(
        moderated, "/v1/chat/completions", {"model": "m", "messages": [{"role": "user", "content": "q"}]}
    )
    assert status == 200
    assert [c["logprobs"] for c in body["choices"]] == [None, answer["choices"][1]["logprobs"]]
    assert "secret" not in json.dumps(body)


async def test_redacted_response_and_sdk_parses_annotations(
    moderated: RunningProxy, upstream: LoopbackUpstream
) -> None:
    upstream.script("/v1/chat/completions", Reply(json=chat_completion("the secret, hmm")))
    async with openai.AsyncOpenAI(base_url=moderated.base_url, api_key="k", max_retries=0) as client:
        raw = await client.chat.completions.with_raw_response.create(
            model="m", messages=[{"role": "user", "content": "q"}]
        )
    completion = raw.parse()
    assert completion.choices[0].message.content == "the [REDACTED], hmm"
    assert raw.headers["x-modproxy-action"] == "redact"
    extra: dict[str, Any] = completion.choices[0].model_extra or {}
    assert extra["content_filter_results"] == {
        "pii": {"filtered": True, "detected": True},
        "odd": {"filtered": False, "detected": True},
    }


async def test_completions_prompt_list_is_moderated(
    moderated: RunningProxy, upstream: LoopbackUpstream, word_moderator: WordModerator
) -> None:
    status, _, body = await _post(moderated, "/v1/completions", {"model": "m", "prompt": ["ok", "forbidden"]})
    assert status == 400
    assert body["error"]["code"] == "content_filter"
    assert word_moderator.calls[0][1] == ["ok", "forbidden"]
    assert upstream.requests == []


async def test_completions_response_blocked(moderated: RunningProxy, upstream: LoopbackUpstream) -> None:
    upstream.script(
        "/v1/completions",
        Reply(json=text_completion("forbidden")),
    )
    status, _, body = await _post(moderated, "/v1/completions", {"model": "m", "prompt": "x"})
    assert status == 200
    assert body["choices"][0] == {
        "index": 0,
        "text": "Sorry, filtered.",
        "finish_reason": "content_filter",
        "content_filter_results": {"violence": {"filtered": True, "detected": True}},
    }


async def test_moderations_endpoint_uses_our_policies(
    moderated: RunningProxy, upstream: LoopbackUpstream
) -> None:
    async with openai.AsyncOpenAI(base_url=moderated.base_url, api_key="k", max_retries=0) as client:
        result = await client.moderations.create(input=["all good", "a forbidden secret"])
    assert [r.flagged for r in result.results] == [False, True]
    raw = result.results[1].model_dump()
    assert raw["categories"]["violence"] is True
    assert raw["category_scores"]["pii"] == 1.0
    assert upstream.requests == []


@pytest.mark.parametrize("body", [{"input": 3}, {"input": []}, {"model": "x"}])
async def test_moderations_rejects_bad_input(moderated: RunningProxy, body: dict[str, Any]) -> None:
    status, _, answer = await _post(moderated, "/v1/moderations", body)
    assert (status, answer["error"]["param"]) == (400, "input")


async def test_stream_passes_through_with_prompt_verdict(moderated: RunningProxy) -> None:
    headers, body = await read_stream(moderated.url, "hmm hello")
    text = body.decode()
    assert headers["x-modproxy-action"] == "flag"
    assert headers["Content-Type"].startswith("text/event-stream")
    assert text.endswith("data: [DONE]\n\n")
    assert " hello" in text


COMPACT_ANSWER = (
    '{"id":"c1","object":"chat.completion","model":"m","choices":[{"index":0,"message":'
    '{"role":"assistant","content":"你好, fine"},"finish_reason":"stop"}]}'
).encode()
ESCAPED_ANSWER = COMPACT_ANSWER.decode().replace("你好", "\\u4f60\\u597d").encode()


async def _chat_bytes(proxy: RunningProxy) -> bytes:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{proxy.url}/v1/chat/completions",
            json={"model": "m", "messages": [{"role": "user", "content": "q"}]},
        ) as response,
    ):
        assert response.status == 200
        return await response.read()


@pytest.mark.parametrize(("answer", "kept"), [(COMPACT_ANSWER, True), (ESCAPED_ANSWER, False)])
async def test_an_allowed_answer_is_annotated_in_the_upstreams_bytes_when_provably_safe(
    moderated: RunningProxy, upstream: LoopbackUpstream, answer: bytes, kept: bool
) -> None:
    upstream.script("/v1/chat/completions", Reply(body=answer, headers={"Content-Type": "application/json"}))
    raw = await _chat_bytes(moderated)
    # Compact separators survive only if the body was not re-encoded (a \\u escape forces re-encoding).
    assert (b'"finish_reason":"stop"}]}' in raw) is kept
    body = json.loads(raw)
    assert body["choices"][0]["message"]["content"] == "你好, fine"
    assert body["choices"][0]["content_filter_results"] == {}
    assert body["prompt_filter_results"] == [{"prompt_index": 0, "content_filter_results": {}}]


async def test_an_upstreams_own_filter_results_are_replaced(
    moderated: RunningProxy, upstream: LoopbackUpstream
) -> None:
    answer = chat_completion("fine answer")
    answer["choices"][0]["content_filter_results"] = {"hate": {"filtered": False, "severity": "safe"}}
    answer["prompt_filter_results"] = []
    upstream.script("/v1/chat/completions", Reply(json=answer))
    status, _, body = await _post(
        moderated, "/v1/chat/completions", {"model": "m", "messages": [{"role": "user", "content": "q"}]}
    )
    assert status == 200
    assert body["choices"][0]["content_filter_results"] == {}
    assert body["prompt_filter_results"] == [{"prompt_index": 0, "content_filter_results": {}}]
