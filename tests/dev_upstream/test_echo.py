"""The development echo upstream, driven by the openai SDK."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anthropic
import openai
import pytest
from aiohttp import web

from proxy.dev_upstream.echo import DEV_HEADER, create_dev_upstream_app


@pytest.fixture
async def dev_url() -> AsyncIterator[str]:
    runner = web.AppRunner(create_dev_upstream_app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    yield f"http://{host}:{port}/v1"
    await runner.cleanup()


async def test_chat_echoes_last_user_message_with_usage(dev_url: str) -> None:
    async with openai.AsyncOpenAI(base_url=dev_url, api_key="k", max_retries=0) as client:
        raw = await client.chat.completions.with_raw_response.create(
            model="any",
            messages=[
                {"role": "user", "content": "first"},
                {"role": "assistant", "content": "x"},
                {"role": "user", "content": "echo me please"},
            ],
        )
    completion = raw.parse()
    assert completion.choices[0].message.content == "echo me please"
    assert completion.usage is not None
    assert completion.usage.completion_tokens == 3
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + 3
    assert raw.headers[DEV_HEADER] == "echo"


async def test_chat_stream_with_usage(dev_url: str) -> None:
    async with openai.AsyncOpenAI(base_url=dev_url, api_key="k", max_retries=0) as client:
        stream = await client.chat.completions.create(
            model="any",
            messages=[{"role": "user", "content": "one two three"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        chunks = [chunk async for chunk in stream]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "one two three"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 3
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"


async def test_completions_and_models(dev_url: str) -> None:
    async with openai.AsyncOpenAI(base_url=dev_url, api_key="k", max_retries=0) as client:
        completion = await client.completions.create(model="any", prompt=["a b", "c"])
        stream = await client.completions.create(model="any", prompt="x y", stream=True)
        streamed = "".join([c.choices[0].text async for c in stream])
        models = await client.models.list()
    assert [c.text for c in completion.choices] == ["a b", "c"]
    assert streamed == "x y"
    assert [m.id for m in models.data] == ["modproxy-dev-echo"]


async def test_bad_body_is_400(dev_url: str) -> None:
    async with openai.AsyncOpenAI(base_url=dev_url, api_key="k", max_retries=0) as client:
        with pytest.raises(openai.BadRequestError):
            await client.post("/chat/completions", body=[1], cast_to=object)  # type: ignore[arg-type]


async def test_responses_echo_json_and_stream(dev_url: str) -> None:
    async with openai.AsyncOpenAI(base_url=dev_url, api_key="k", max_retries=0) as client:
        response = await client.responses.create(model="any", input="echo me please")
        async with client.responses.stream(model="any", input="echo me please") as stream:
            deltas = [e.delta async for e in stream if e.type == "response.output_text.delta"]
            final = await stream.get_final_response()
    assert response.output_text == final.output_text == "".join(deltas) == "echo me please"
    assert len(deltas) == 3


async def test_messages_echo_json_and_stream(dev_url: str) -> None:
    base = dev_url.removesuffix("/v1")
    messages = [{"role": "user", "content": "echo me please"}]
    async with anthropic.AsyncAnthropic(base_url=base, api_key="k", max_retries=0) as client:
        message = await client.messages.create(model="any", max_tokens=10, messages=messages)
        async with client.messages.stream(model="any", max_tokens=10, messages=messages) as stream:
            text = "".join([t async for t in stream.text_stream])
    assert message.content[0].text == text == "echo me please"  # type: ignore[union-attr]


async def test_embeddings_are_stable(dev_url: str) -> None:
    async with openai.AsyncOpenAI(base_url=dev_url, api_key="k", max_retries=0) as client:
        first = await client.embeddings.create(model="any", input=["a", "b"])
        again = await client.embeddings.create(model="any", input="a")
    assert first.data[0].embedding == again.data[0].embedding != first.data[1].embedding
