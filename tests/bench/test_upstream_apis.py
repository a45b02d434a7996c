"""The bench upstream speaks the Responses API, Anthropic Messages and a reasoning model's chat
completions as the official SDKs read them.

The upstream runs as the benchmarks start it (its own process, loopback); the SDKs' stream helpers
validate every event and assemble the final answer, which must be the deltas joined, and another
text for another prompt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import anthropic
import openai
import pytest

from bench import process
from bench.workload import REASONING_MODEL, STREAM_CHUNKS, SYSTEM, Api


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = process.free_port()
    log = tmp_path_factory.mktemp("upstream") / "upstream.log"
    child = process.spawn(process.python_module("bench.upstream", str(port)), log)
    try:
        url = f"http://127.0.0.1:{port}"
        process.wait_ready(url, child)
        yield url
    finally:
        process.stop([child])


# Each client is closed where it is used: a pooled connection left open warns (an error) later on.
def _openai(url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=url + "/v1", api_key="bench", max_retries=0, timeout=10)


def _anthropic(url: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=url, api_key="bench", max_retries=0, timeout=10)


def _responses_stream(url: str, prompt: str) -> tuple[list[str], str]:
    with (
        _openai(url) as client,
        client.responses.stream(model="bench", instructions=SYSTEM, input=prompt) as stream,
    ):
        deltas = [event.delta for event in stream if event.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert final.status == "completed"
    return deltas, final.output_text


def _messages_stream(url: str, prompt: str) -> tuple[list[str], str]:
    messages: list[anthropic.types.MessageParam] = [{"role": "user", "content": prompt}]
    with (
        _anthropic(url) as client,
        client.messages.stream(model="bench", max_tokens=1024, system=SYSTEM, messages=messages) as stream,
    ):
        deltas = [
            event.delta.text
            for event in stream
            if event.type == "content_block_delta" and event.delta.type == "text_delta"
        ]
        final = stream.get_final_message()
    assert final.stop_reason == "end_turn"
    block = final.content[0]
    assert block.type == "text"
    return deltas, block.text


@pytest.mark.parametrize("read", [_responses_stream, _messages_stream], ids=["responses", "messages"])
def test_a_stream_is_50_deltas_of_an_answer_unique_to_its_prompt(
    upstream: str, read: Callable[[str, str], tuple[list[str], str]]
) -> None:
    deltas, text = read(upstream, "Request one. The train to the coast leaves every hour.")
    again, other = read(upstream, "Request two. The train to the coast leaves every hour.")
    assert len(deltas) == len(again) == STREAM_CHUNKS
    assert "".join(deltas) == text and "".join(again) == other
    assert len(text.encode()) > 1000
    assert text != other


def test_json_answers_in_both_formats(upstream: str) -> None:
    with _openai(upstream) as openai_client, _anthropic(upstream) as anthropic_client:
        response = openai_client.responses.create(model="bench", instructions=SYSTEM, input="Request three.")
        message = anthropic_client.messages.create(
            model="bench", max_tokens=1024, messages=[{"role": "user", "content": "Request three."}]
        )
    assert response.status == "completed" and response.output_text.startswith("Answer ")
    block = message.content[0]
    assert block.type == "text" and block.text.startswith("Answer ")


def test_a_reasoning_model_streams_its_thinking_then_its_answer(upstream: str) -> None:
    messages: list[openai.types.chat.ChatCompletionMessageParam] = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "Request three. The train to the coast leaves every hour."},
    ]
    fields: list[tuple[str, str]] = []
    with _openai(upstream) as client:
        for chunk in client.chat.completions.create(model=REASONING_MODEL, messages=messages, stream=True):
            delta = chunk.choices[0].delta
            if thought := (delta.model_extra or {}).get("reasoning_content"):
                fields.append(("reasoning_content", thought))
            if delta.content:
                fields.append(("content", delta.content))
        whole = client.chat.completions.create(model=REASONING_MODEL, messages=messages)
    assert [name for name, _ in fields] == ["reasoning_content"] * STREAM_CHUNKS + ["content"] * STREAM_CHUNKS
    thinking = "".join(value for name, value in fields if name == "reasoning_content")
    answer = "".join(value for name, value in fields if name == "content")
    assert len(thinking.encode()) > 1000 and len(answer.encode()) > 1000 and thinking != answer
    # Another body (no "stream"), so another answer; a JSON answer carries both texts too.
    message = whole.choices[0].message
    assert message.content and message.content.startswith("Answer ") and message.content != answer
    assert (message.model_extra or {})["reasoning_content"].startswith("Thinking ")


def test_extended_thinking_streams_a_signed_thinking_block_then_the_answer(upstream: str) -> None:
    body = Api.MESSAGES_THINKING.body("Request four. The train to the coast leaves every hour.", stream=True)
    kinds: list[str] = []
    with (
        _anthropic(upstream) as client,
        client.messages.stream(
            model=body["model"],
            max_tokens=body["max_tokens"],
            thinking=body["thinking"],
            system=body["system"],
            messages=body["messages"],
        ) as stream,
    ):
        for event in stream:
            if event.type == "content_block_delta":
                kinds.append(event.delta.type)
        final = stream.get_final_message()
        whole = client.messages.create(
            model=body["model"],
            max_tokens=body["max_tokens"],
            thinking=body["thinking"],
            messages=body["messages"],
        )
    assert kinds == ["thinking_delta"] * STREAM_CHUNKS + ["signature_delta"] + ["text_delta"] * STREAM_CHUNKS
    thinking, text = final.content
    assert thinking.type == "thinking" and text.type == "text"
    assert thinking.thinking.startswith("Thinking ") and len(thinking.thinking.encode()) > 1000
    assert thinking.signature and text.text.startswith("Answer ")
    assert [block.type for block in whole.content] == ["thinking", "text"]
    assert whole.content[0] != thinking, "another body, another answer"
