"""The development echo upstream, driven by the openai SDK."""

from __future__ import annotations

from collections.abc import AsyncIterator

import openai
import pytest
from aiohttp import web

from proxy.dev_upstream import DEV_HEADER, create_dev_upstream_app


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
