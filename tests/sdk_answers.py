"""One exchange per format through the official SDKs, reduced to what the client read.

``ask(stack_url, fmt, prompt, stream=...)`` sends ``prompt`` as the user's text in the API's
own shape (openai SDK for chat, completions and Responses; anthropic SDK for Messages) and
returns the answer text the SDK assembled, the raw HTTP headers and the extra metadata field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anthropic
import openai

FORMATS = ("chat", "completions", "responses", "messages")


@dataclass(frozen=True)
class Answer:
    text: str
    headers: dict[str, str]
    metadata: Any = None
    deltas: tuple[str, ...] = ()
    """Streams: the text deltas in the order they arrived."""


def _openai(url: str) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=f"{url}/v1", api_key="sk-test", max_retries=0, timeout=10)


def _anthropic(url: str) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(base_url=url, api_key="sk-ant-test", max_retries=0, timeout=10)


async def ask(url: str, fmt: str, prompt: str, *, stream: bool, model: str = "m") -> Answer:
    if fmt == "messages":
        async with _anthropic(url) as anthropic_client:
            return await _messages(anthropic_client, prompt, stream=stream, model=model)
    async with _openai(url) as client:
        return await _openai_answer(client, fmt, prompt, stream=stream, model=model)


async def _openai_answer(
    client: openai.AsyncOpenAI, fmt: str, prompt: str, *, stream: bool, model: str
) -> Answer:
    if fmt == "chat":
        messages: Any = [{"role": "user", "content": prompt}]
        if not stream:
            raw = await client.chat.completions.with_raw_response.create(model=model, messages=messages)
            completion = raw.parse()
            extra = (completion.model_extra or {}).get("AIGC")
            return Answer(completion.choices[0].message.content or "", dict(raw.headers), extra)
        async with client.chat.completions.with_streaming_response.create(
            model=model, messages=messages, stream=True
        ) as response:
            deltas, extra = [], None
            async for chunk in await response.parse():
                extra = extra or (chunk.model_extra or {}).get("AIGC")
                for choice in chunk.choices:
                    if choice.delta.content:
                        deltas.append(choice.delta.content)
            return Answer("".join(deltas), dict(response.headers), extra, tuple(deltas))
    if fmt == "completions":
        if not stream:
            raw_c = await client.completions.with_raw_response.create(model=model, prompt=prompt)
            done = raw_c.parse()
            return Answer(done.choices[0].text, dict(raw_c.headers), (done.model_extra or {}).get("AIGC"))
        async with client.completions.with_streaming_response.create(
            model=model, prompt=prompt, stream=True
        ) as response_c:
            deltas, extra = [], None
            async for piece in await response_c.parse():
                extra = extra or (piece.model_extra or {}).get("AIGC")
                deltas.extend(c.text for c in piece.choices if c.text)
            return Answer("".join(deltas), dict(response_c.headers), extra, tuple(deltas))
    if not stream:
        raw_r = await client.responses.with_raw_response.create(model=model, input=prompt)
        result = raw_r.parse()
        return Answer(result.output_text, dict(raw_r.headers), (result.model_extra or {}).get("AIGC"))
    async with client.responses.with_streaming_response.create(
        model=model, input=prompt, stream=True
    ) as response_r:
        deltas, final, done_text = [], None, None
        async for event in await response_r.parse():
            if event.type == "response.output_text.delta":
                deltas.append(event.delta)
            elif event.type == "response.output_text.done":
                done_text = event.text
            elif event.type in ("response.completed", "response.incomplete"):
                final = event.response
        assert final is not None
        if final.status == "completed":
            assert done_text == final.output_text == "".join(deltas), "done events repeat the deltas"
        extra = (final.model_extra or {}).get("AIGC")
        return Answer(final.output_text, dict(response_r.headers), extra, tuple(deltas))


async def _messages(client: anthropic.AsyncAnthropic, prompt: str, *, stream: bool, model: str) -> Answer:
    messages: Any = [{"role": "user", "content": prompt}]
    if not stream:
        raw = await client.messages.with_raw_response.create(model=model, max_tokens=100, messages=messages)
        message = await raw.parse()
        text = "".join(b.text for b in message.content if b.type == "text")
        return Answer(text, dict(raw.headers), (message.model_extra or {}).get("AIGC"))
    deltas: list[str] = []
    async with client.messages.stream(model=model, max_tokens=100, messages=messages) as events:
        async for event in events:
            if event.type == "content_block_delta" and event.delta.type == "text_delta":
                deltas.append(event.delta.text)
        final = await events.get_final_message()
        headers = dict(events.response.headers)
    text = "".join(b.text for b in final.content if b.type == "text")
    assert text == "".join(deltas), "the assembled message repeats the deltas"
    return Answer(text, headers, (final.model_extra or {}).get("AIGC"), tuple(deltas))
