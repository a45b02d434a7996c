"""Upstream client: hop-by-hop headers, auth replacement, request ids, timeouts."""

from __future__ import annotations

import aiohttp
import pytest
from multidict import CIMultiDict

from proxy.http.upstream import request_headers, response_headers
from tests.fixtures.upstream import LoopbackUpstream, Reply, RunningProxy, StartProxy

INCOMING = CIMultiDict(
    [
        ("Authorization", "Bearer sk-user"),
        ("Connection", "keep-alive, X-Private"),
        ("X-Private", "drop me"),
        ("Keep-Alive", "timeout=5"),
        ("Proxy-Authorization", "Basic x"),
        ("Host", "proxy.example"),
        ("Content-Length", "12"),
        ("Accept-Encoding", "gzip"),
        ("OpenAI-Organization", "org-1"),
        ("X-Custom", "a"),
        ("X-Custom", "b"),
    ]
)


def test_request_headers_strip_hop_by_hop_and_keep_the_rest() -> None:
    out = request_headers(INCOMING, api_key=None, request_id="rid")
    assert sorted(k for k, _ in out.items()) == sorted(
        ["Authorization", "OpenAI-Organization", "X-Custom", "X-Custom", "Accept-Encoding", "X-Request-Id"]
    )
    assert out["Authorization"] == "Bearer sk-user"
    assert out.getall("X-Custom") == ["a", "b"]
    assert out["Accept-Encoding"] == "identity"


def test_configured_api_key_replaces_client_authorization() -> None:
    out = request_headers(INCOMING, api_key="sk-proxy", request_id="rid")
    assert out.getall("Authorization") == ["Bearer sk-proxy"]


def test_response_headers_drop_framing_and_hop_by_hop() -> None:
    incoming = CIMultiDict(
        [
            ("Content-Type", "application/json"),
            ("Transfer-Encoding", "chunked"),
            ("Content-Length", "3"),
            ("Content-Encoding", "gzip"),
            ("X-Ratelimit-Remaining", "9"),
        ]
    )
    assert dict(response_headers(incoming)) == {
        "Content-Type": "application/json",
        "X-Ratelimit-Remaining": "9",
    }


async def test_headers_end_to_end(start_proxy: StartProxy, upstream: LoopbackUpstream) -> None:
    proxy = await start_proxy(settings={"upstream.api_key": "sk-proxy"})
    upstream.script("/v1/models", Reply(json={"data": []}, headers={"X-Ratelimit-Remaining": "7"}))
    async with (
        aiohttp.ClientSession() as http,
        http.get(
            f"{proxy.url}/v1/models?limit=2",
            headers={
                "Authorization": "Bearer sk-user",
                "X-Request-Id": "req-123",
                "Connection": "X-Secret",
                "X-Secret": "s",
            },
        ) as response,
    ):
        assert response.headers["X-Request-Id"] == "req-123"
        assert response.headers["X-Ratelimit-Remaining"] == "7"
    seen = upstream.requests[0]
    assert seen.headers["Authorization"] == "Bearer sk-proxy"
    assert seen.headers["X-Request-Id"] == "req-123"
    assert "X-Secret" not in seen.headers
    assert seen.query_string == "limit=2"


@pytest.mark.parametrize("given", ["", "has space", "x" * 200, "bad\u00e9"])
async def test_unusable_request_ids_are_replaced(
    proxy: RunningProxy, upstream: LoopbackUpstream, given: str
) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.get(
            f"{proxy.url}/v1/models", headers={"X-Request-Id": given} if given.isascii() else {}
        ) as response,
    ):
        returned = response.headers["X-Request-Id"]
    assert returned != given
    assert len(returned) == 32
    assert upstream.requests[0].headers["X-Request-Id"] == returned


async def test_error_responses_carry_the_request_id(proxy: RunningProxy) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{proxy.url}/v1/chat/completions", data=b"{", headers={"X-Request-Id": "abc"}) as response,
    ):
        assert response.status == 400
        assert response.headers["X-Request-Id"] == "abc"


async def test_oversized_header_is_rejected(start_proxy: StartProxy, upstream: LoopbackUpstream) -> None:
    proxy = await start_proxy(settings={"server.max_field_size": 100})
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{proxy.url}/v1/models", headers={"X-Big": "x" * 500}) as response,
    ):
        assert response.status == 400
    assert upstream.requests == []
