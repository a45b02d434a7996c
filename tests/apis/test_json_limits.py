"""JSON request bodies too deep or too big are a 400 in the OpenAI shape, never a 500."""

from __future__ import annotations

import json

import aiohttp
import pytest

from proxy.apis.json_limits import JsonLimits, loads
from proxy.errors import BadRequest
from tests.fixtures.upstream import LoopbackUpstream, Reply, StartProxy

LIMITS = JsonLimits(max_depth=4, max_elements=10)


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (nested(4), None),
        (nested(5), "json_too_deep"),
        (b'{"a": {"b": {"c": {"d": 1}}}}', None),
        (b'{"a": {"b": {"c": {"d": {}}}}}', "json_too_deep"),
        (b"[" + b",".join([b"1"] * 9) + b"]", None),  # 9 numbers and the array: 10 values
        (b"[" + b",".join([b"1"] * 10) + b"]", "json_too_large"),
        (b'{"k": "[[[[[[[[,,,,,,,,,,,,"}', None),  # brackets and commas inside a string count for nothing
        (nested(100_000), "json_too_deep"),  # the C decoder's recursion limit
    ],
)
def test_limits(raw: bytes, code: str | None) -> None:
    if code is None:
        assert loads(raw, LIMITS) == json.loads(raw)
        return
    with pytest.raises(BadRequest) as caught:
        loads(raw, LIMITS)
    assert caught.value.code == code and caught.value.status == 400


def test_a_decode_error_passes_through() -> None:
    with pytest.raises(json.JSONDecodeError):
        loads(b"[1,", LIMITS)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (nested(100_000), "json_too_deep"),
        (b'{"model": "m", "messages": ' + nested(65) + b"}", "json_too_deep"),
        (b'{"model": "m", "messages": [' + b",".join([b"0"] * 300_000) + b"]}", "json_too_large"),
    ],
    ids=["100k-nested-arrays", "depth-65", "300k-values"],
)
async def test_the_proxy_answers_400(
    start_proxy: StartProxy, upstream: LoopbackUpstream, body: bytes, code: str
) -> None:
    proxy = await start_proxy()
    headers = {"Content-Type": "application/json"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{proxy.url}/v1/chat/completions", data=body, headers=headers) as response,
    ):
        assert response.status == 400
        error = (await response.json())["error"]
    assert (error["type"], error["code"]) == ("invalid_request_error", code)
    assert upstream.requests == []


async def test_limits_come_from_settings(start_proxy: StartProxy) -> None:
    proxy = await start_proxy(settings={"limits.json_max_depth": 3})
    body = {"model": "m", "messages": [{"role": "user", "content": [{"type": "text", "text": "x"}]}]}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{proxy.url}/v1/chat/completions", json=body) as response,
    ):
        assert response.status == 400
        assert (await response.json())["error"]["code"] == "json_too_deep"


async def test_deep_json_to_any_api_and_from_the_upstream_is_never_a_500(
    start_proxy: StartProxy, upstream: LoopbackUpstream
) -> None:
    deep = nested(100_000)
    upstream.script("/v1/chat/completions", Reply(body=deep, headers={"Content-Type": "application/json"}))
    proxy = await start_proxy()
    headers = {"Content-Type": "application/json"}
    async with aiohttp.ClientSession() as http:
        for path in ("/v1/responses", "/v1/messages", "/v1/embeddings"):
            async with http.post(f"{proxy.url}{path}", data=deep, headers=headers) as response:
                assert response.status == 400, path
                assert "deeper than" in (await response.text()), path
        body = {"model": "m", "messages": [{"role": "user", "content": "x"}]}
        async with http.post(f"{proxy.url}/v1/chat/completions", json=body) as response:
            assert response.status == 200
            assert await response.read() == deep
