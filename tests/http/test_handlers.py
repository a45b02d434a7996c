"""The request story driven by the official openai SDK against the proxy in front of a loopback upstream."""

from __future__ import annotations

import asyncio
import json
import re

import aiohttp
import openai
import pytest

from proxy.http.handlers import request_ids
from tests.fixtures.upstream import (
    LoopbackUpstream,
    Reply,
    RunningProxy,
    StartProxy,
    chat_chunks,
    text_completion,
)

USER = [{"role": "user", "content": "hello proxy world"}]


def async_client(proxy: RunningProxy) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=proxy.base_url, api_key="sk-client", max_retries=0, timeout=10)


def sync_client(proxy: RunningProxy) -> openai.OpenAI:
    return openai.OpenAI(base_url=proxy.base_url, api_key="sk-client", max_retries=0, timeout=10)


async def test_async_sdk_chat_completion(proxy: RunningProxy, upstream: LoopbackUpstream) -> None:
    async with async_client(proxy) as client:
        raw = await client.chat.completions.with_raw_response.create(model="m", messages=USER)  # type: ignore[arg-type]
    completion = raw.parse()
    assert completion.choices[0].message.content == "hello proxy world"
    assert raw.headers["x-modproxy-action"] == "allow"
    assert raw.headers["x-modproxy-revision"] == "none"
    assert raw.headers["x-request-id"] == upstream.requests[0].headers["X-Request-Id"]
    assert upstream.requests[0].headers["Authorization"] == "Bearer sk-client"


async def test_async_sdk_streaming(proxy: RunningProxy) -> None:
    async with async_client(proxy) as client:
        stream = await client.chat.completions.create(model="m", messages=USER, stream=True)  # type: ignore[arg-type]
        pieces = [chunk.choices[0].delta.content async for chunk in stream if chunk.choices]
    assert "".join(p or "" for p in pieces) == "hello proxy world"
    assert len(pieces) >= 4  # event by event, not one merged blob


async def test_sync_sdk_chat_and_stream(proxy: RunningProxy) -> None:
    def run() -> tuple[str | None, str]:
        with sync_client(proxy) as client:
            completion = client.chat.completions.create(model="m", messages=USER)  # type: ignore[arg-type]
            stream = client.chat.completions.create(model="m", messages=USER, stream=True)  # type: ignore[arg-type]
            text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
        return completion.choices[0].message.content, text

    content, streamed = await asyncio.to_thread(run)
    assert content == streamed == "hello proxy world"


async def test_sdk_completions_and_models(proxy: RunningProxy, upstream: LoopbackUpstream) -> None:
    upstream.script(
        "/v1/completions",
        Reply(json=text_completion("done")),
    )
    upstream.script(
        "/v1/models",
        Reply(
            json={"object": "list", "data": [{"id": "m1", "object": "model", "created": 0, "owned_by": "x"}]}
        ),
    )
    async with async_client(proxy) as client:
        completion = await client.completions.create(model="m", prompt="say done")
        models = await client.models.list()
    assert completion.choices[0].text == "done"
    assert [m.id for m in models.data] == ["m1"]
    assert upstream.requests[0].json()["prompt"] == "say done"


async def test_without_policies_answers_go_out_as_they_came(
    proxy: RunningProxy, upstream: LoopbackUpstream
) -> None:
    # No policy can match, so there is nothing to annotate: the upstream's bytes are relayed, not re-encoded.
    answer = (
        b'{"id": "c1",  "object": "chat.completion", "choices": [{"index": 0, "message": '
        b'{"role": "assistant", "content": "caf\\u00e9"}, "finish_reason": "stop"}], "x": 1.50}'
    )
    upstream.script("/v1/chat/completions", Reply(body=answer, headers={"Content-Type": "application/json"}))
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{proxy.url}/v1/chat/completions", json={"model": "m", "messages": USER}) as response,
    ):
        assert await response.read() == answer
        assert response.headers["x-modproxy-action"] == "allow"
        assert response.headers["x-modproxy-revision"] == "none"


async def test_responses_and_other_paths_pass_through(
    proxy: RunningProxy, upstream: LoopbackUpstream
) -> None:
    upstream.script("/v1/responses", Reply(status=201, json={"id": "resp_1"}, headers={"X-Upstream": "yes"}))
    body = b'{"model": "m", "input": "hi",   "extra": [1,2]}'
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{proxy.url}/v1/responses?api-version=2&x=1", data=body) as response:
            assert response.status == 201
            assert await response.json() == {"id": "resp_1"}
            assert response.headers["X-Upstream"] == "yes"
        async with http.delete(f"{proxy.url}/v1/files/abc") as response:
            assert response.status == 200
    assert upstream.requests[0].body == body  # byte for byte
    assert upstream.requests[0].query_string == "api-version=2&x=1"
    assert (upstream.requests[1].method, upstream.requests[1].path) == ("DELETE", "/v1/files/abc")


@pytest.mark.parametrize("status", [429, 500, 503, 404])
async def test_upstream_errors_pass_through_unchanged(
    proxy: RunningProxy, upstream: LoopbackUpstream, status: int
) -> None:
    body = json.dumps(
        {"error": {"message": f"upstream says {status}", "type": "x", "param": None, "code": "y"}}
    )
    upstream.script(
        "/v1/chat/completions",
        Reply(status=status, body=body.encode(), headers={"Content-Type": "application/json"}),
    )
    async with async_client(proxy) as client:
        with pytest.raises(openai.APIStatusError) as caught:
            await client.chat.completions.create(model="m", messages=USER)  # type: ignore[arg-type]
    assert caught.value.status_code == status
    assert caught.value.response.text == body


async def test_upstream_down_is_502(start_proxy: StartProxy) -> None:
    proxy = await start_proxy(upstream_url="http://127.0.0.1:9")
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{proxy.url}/v1/chat/completions", json={"model": "m", "messages": USER}) as response,
    ):
        assert response.status == 502
        error = (await response.json())["error"]
    assert error["type"] == "upstream_error"
    assert error["code"] == "upstream_unavailable"
    assert set(error) == {"message", "type", "param", "code"}


async def test_slow_upstream_is_504(start_proxy: StartProxy, upstream: LoopbackUpstream) -> None:
    proxy = await start_proxy(settings={"upstream.read_timeout": 0.2})
    upstream.script("/v1/chat/completions", Reply(delay=30))
    async with async_client(proxy) as client:
        with pytest.raises(openai.APIStatusError) as caught:
            await client.chat.completions.create(model="m", messages=USER)  # type: ignore[arg-type]
    assert caught.value.status_code == 504
    await asyncio.wait_for(upstream.cancelled.wait(), 5)


async def test_client_disconnect_mid_stream_cancels_upstream(
    proxy: RunningProxy, upstream: LoopbackUpstream
) -> None:
    upstream.script("/v1/chat/completions", Reply(events=chat_chunks("one", " two"), hold_after=2))
    async with aiohttp.ClientSession() as http:
        response = await http.post(
            f"{proxy.url}/v1/chat/completions", json={"model": "m", "messages": USER, "stream": True}
        )
        first = await response.content.readuntil(b"\n\n")
        assert b'"role": "assistant"' in first
        await asyncio.wait_for(upstream.streaming.wait(), 5)
        response.close()  # the client goes away while the upstream is mid-stream
    await asyncio.wait_for(upstream.cancelled.wait(), 5)


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        (b"{not json", None, "invalid_json"),
        (b"[1, 2]", None, "invalid_json"),
        (b'{"messages": [{"role": "user", "content": "x"}]}', "model", None),
        (b'{"model": "m"}', "messages", None),
        (b'{"model": "m", "messages": []}', "messages", None),
        (b'{"model": "m", "messages": ["x"]}', "messages[0]", None),
        (b"\xff\xfe", None, "invalid_json"),
    ],
)
async def test_malformed_requests_are_400(
    proxy: RunningProxy, upstream: LoopbackUpstream, body: bytes, param: str | None, code: str | None
) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{proxy.url}/v1/chat/completions", data=body) as response,
    ):
        assert response.status == 400
        error = (await response.json())["error"]
    assert (error["type"], error["param"], error["code"]) == ("invalid_request_error", param, code)
    assert upstream.requests == []


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/completions", "/v1/responses"])
async def test_oversized_body_is_413(start_proxy: StartProxy, upstream: LoopbackUpstream, path: str) -> None:
    proxy = await start_proxy(settings={"server.max_body_bytes": 1000})
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "x" * 2000}]}).encode()
    async with aiohttp.ClientSession() as http, http.post(f"{proxy.url}{path}", data=body) as response:
        assert response.status == 413
        assert (await response.json())["error"]["code"] == "request_too_large"
    assert upstream.requests == []


async def test_unknown_path_is_openai_shaped_404(proxy: RunningProxy) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{proxy.url}/nope") as response:
        assert response.status == 404
        assert (await response.json())["error"]["code"] == "not_found"


def test_request_ids_are_new_per_request_unless_the_client_gave_a_sane_one() -> None:
    first, second = request_ids(), request_ids()  # two workers
    made = [first({}), first({}), second({})]
    assert len(set(made)) == 3
    assert all(re.fullmatch(r"[0-9a-f]{32}", made_id) for made_id in made)
    assert first({"X-Request-Id": "client-7"}) == "client-7"
    assert re.fullmatch(r"[0-9a-f]{32}", first({"X-Request-Id": "bad id\n"}))
