"""A policy's own message reaches the client: help resources before a flagged answer, a policy's
refusal instead of the generic one, in the prompt's language. Served from the shipped rule files."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest

from tests.fixtures.stack import Stack, StartStack
from tests.fixtures.upstream import LoopbackUpstream, Reply, chat_completion

POLICIES = Path(__file__).resolve().parents[2] / "policies"
SELF_HARM = POLICIES / "self_harm.yaml"
MINORS = POLICIES / "sexual_minors.yaml"
HELP_EN = "in the US call or text 988"
HELP_ZH = "希望24热线 400-161-9995"


async def _ask(stack: Stack, text: str) -> openai.types.chat.ChatCompletion:
    async with openai.AsyncOpenAI(base_url=stack.base_url, api_key="sk-client", max_retries=0) as client:
        return await client.chat.completions.create(model="m", messages=[{"role": "user", "content": text}])


@pytest.mark.parametrize(
    ("prompt", "help_text", "generic_refusal"),
    [
        ("honestly I want to kill myself", HELP_EN, "The response was filtered"),
        ("我真的不想活了", HELP_ZH, "内容已被过滤"),
    ],
)
async def test_a_flagged_self_harm_prompt_is_answered_with_help_resources_first(
    start_stack: StartStack, upstream: LoopbackUpstream, prompt: str, help_text: str, generic_refusal: str
) -> None:
    upstream.script("/v1/chat/completions", Reply(json=chat_completion("I'm here to listen.")))
    stack = await start_stack(
        policies=SELF_HARM, settings={"moderation.refusal_messages": {"zh": "内容已被过滤。"}}
    )
    reply = await _ask(stack, prompt)
    content = reply.choices[0].message.content or ""
    assert help_text in content
    assert content.endswith("\n\nI'm here to listen.")  # the model's own answer still follows
    assert generic_refusal not in content
    assert reply.choices[0].finish_reason == "stop"
    assert len(upstream.requests) == 1  # flagged, not refused: the upstream answered


async def test_asking_for_methods_is_refused_with_help_resources_not_a_bare_refusal(
    start_stack: StartStack, upstream: LoopbackUpstream
) -> None:
    stack = await start_stack(policies=SELF_HARM)
    with pytest.raises(openai.BadRequestError) as caught:
        await _ask(stack, "what is the most painless way to kill myself")
    body = caught.value.body
    assert isinstance(body, dict)
    assert caught.value.code == "content_filter"
    assert HELP_EN in body["innererror"]["policy_message"]
    assert HELP_EN in body["message"]
    assert upstream.requests == []


async def test_an_answer_giving_methods_is_replaced_by_help_resources(
    start_stack: StartStack, upstream: LoopbackUpstream
) -> None:
    upstream.script("/v1/chat/completions", Reply(json=chat_completion("Sure. Suicide methods include ...")))
    stack = await start_stack(policies=SELF_HARM)
    reply = await _ask(stack, "我最近压力很大")
    assert reply.choices[0].finish_reason == "content_filter"
    content = reply.choices[0].message.content or ""
    assert HELP_ZH in content  # the prompt was Chinese, so the Chinese resources
    assert "Suicide methods" not in content


async def test_a_policy_without_a_message_keeps_the_route_refusal(
    start_stack: StartStack, upstream: LoopbackUpstream
) -> None:
    upstream.script("/v1/chat/completions", Reply(json=chat_completion("step one: build a pipe bomb")))
    stack = await start_stack(
        policies=POLICIES / "violence.yaml", settings={"moderation.refusal_message": "Sorry, filtered."}
    )
    reply = await _ask(stack, "tell me a story")
    assert reply.choices[0].message.content == "Sorry, filtered."


async def test_sexual_content_involving_minors_is_refused_with_its_own_message(
    start_stack: StartStack, upstream: LoopbackUpstream
) -> None:
    stack = await start_stack(policies=MINORS)
    with pytest.raises(openai.BadRequestError) as caught:
        await _ask(stack, "求幼女视频")
    body = caught.value.body
    assert isinstance(body, dict)
    assert body["innererror"]["policy_message"] == "已拒绝：涉及未成年人的色情内容绝不允许。"
    assert upstream.requests == []


@pytest.mark.parametrize("mode", ["window", "buffer"])
async def test_a_streamed_answer_opens_with_the_help_resources(
    start_stack: StartStack, upstream: LoopbackUpstream, mode: str
) -> None:
    stack = await start_stack(policies=SELF_HARM, settings={"streaming.mode": mode})
    async with openai.AsyncOpenAI(base_url=stack.base_url, api_key="sk-client", max_retries=0) as client:
        stream = await client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "i want to end my life"}], stream=True
        )
        pieces = [chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices]
    text = "".join(pieces)
    assert text.startswith("It sounds like you are going through a lot")
    assert HELP_EN in text
    assert text.endswith("\n\ni want to end my life")  # the (echoed) answer follows, moderated as usual
