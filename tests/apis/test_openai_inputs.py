"""Embeddings and image prompts are moderated; token-id prompts and unknown paths are refused by default."""

from __future__ import annotations

from typing import Any

import aiohttp
import openai
import pytest

from proxy.apis.openai_inputs import form_fields, parse_embeddings
from tests.apis.helpers import moderated_proxy
from tests.fixtures.api_upstream import ApiUpstream
from tests.fixtures.stack import StartStack
from tests.fixtures.upstream import LoopbackUpstream, Reply, RunningProxy, StartProxy

BYPASSES = "modproxy_bypasses_total"


def _client(proxy: RunningProxy) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=proxy.base_url, api_key="sk-test", max_retries=0, timeout=10)


@pytest.mark.parametrize(
    ("value", "texts", "tokens"),
    [("a", ["a"], False), (["a", "b"], ["a", "b"], False), ([1, 2], [], True), ([[1], [2, 3]], [], True)],
)
def test_embedding_inputs(value: Any, texts: list[str], tokens: bool) -> None:
    parsed = parse_embeddings({"model": "e", "input": value})
    assert (parsed.texts, parsed.token_prompt) == (texts, tokens)


def test_form_fields_are_found_without_reading_files() -> None:
    raw = (
        b'--b\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n\x89PNG\r\n--b\r\n'
        b'Content-Disposition: form-data; name="prompt"\r\n\r\nhello\r\n--b--\r\n'
    )
    fields = form_fields(raw, "multipart/form-data; boundary=b")
    assert list(fields) == ["prompt"]
    assert raw[fields["prompt"].start : fields["prompt"].end] == b"hello"


async def test_embeddings_blocked_and_redacted(start_proxy: StartProxy, apis: ApiUpstream) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    async with _client(proxy) as client:
        with pytest.raises(openai.BadRequestError) as raised:
            await client.embeddings.create(model="e", input=["fine", "a bomb"])
        assert (raised.value.code, raised.value.param) == ("content_filter", "input")
        assert apis.requests == []
        answer = await client.embeddings.create(model="e", input=["oh darn"])
    assert answer.data[0].embedding == [0.5, 0.25]
    assert apis.requests[0].json()["input"] == ["oh ***"]


async def test_image_generation_prompt_is_moderated(start_proxy: StartProxy, apis: ApiUpstream) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    async with _client(proxy) as client:
        with pytest.raises(openai.BadRequestError) as raised:
            await client.images.generate(model="i", prompt="a bomb")
        assert (raised.value.code, raised.value.param) == ("content_filter", "prompt")
        assert apis.requests == []
        image = await client.images.generate(model="i", prompt="a darn cat")
    assert image.data is not None and image.data[0].url
    assert apis.requests[0].json()["prompt"] == "a *** cat"


async def test_image_edit_form_prompt_is_moderated(start_proxy: StartProxy, apis: ApiUpstream) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    async with _client(proxy) as client:
        with pytest.raises(openai.BadRequestError):
            await client.images.edit(model="i", image=("a.png", png, "image/png"), prompt="add a bomb")
        assert apis.requests == []
        await client.images.edit(model="i", image=("a.png", png, "image/png"), prompt="a darn hat")
    seen = apis.requests[0]
    fields = form_fields(seen.body, seen.headers["Content-Type"])
    assert seen.body[fields["prompt"].start : fields["prompt"].end] == b"a *** hat"
    assert png in seen.body


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/completions", {"model": "m", "prompt": [1, 2, 3]}),
        ("/v1/completions", {"model": "m", "prompt": ["text", [1, 2]]}),
        ("/v1/embeddings", {"model": "e", "input": [[1, 2], [3]]}),
    ],
)
async def test_token_prompts_are_refused_by_default_and_passed_when_configured(
    start_stack: StartStack, upstream: LoopbackUpstream, path: str, body: dict[str, Any]
) -> None:
    refusing = await start_stack()
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{refusing.url}{path}", json=body) as response:
            assert response.status == 400
            assert (await response.json())["error"]["code"] == "token_prompt_rejected"
        assert upstream.requests == []
        passing = await start_stack(settings={"moderation.token_prompts": "pass"})
        async with http.post(f"{passing.url}{path}", json=body) as response:
            assert response.status == 200
    assert len(upstream.requests) == 1
    labels = {"component": "moderation", "reason": "token_prompt"}
    assert passing.sample(BYPASSES, labels) == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        *((method, "/v1/assistants") for method in ("POST", "PUT", "PATCH", "DELETE")),
        ("GET", "/v1/chat/completions"),  # a body by another method is no less a prompt
        ("GET", "/v1/conversations/conv_1/items"),  # a read, but a read with a body is none
    ],
)
async def test_unknown_paths_are_refused_by_default(
    start_stack: StartStack, upstream: LoopbackUpstream, method: str, path: str
) -> None:
    stack = await start_stack()
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, f"{stack.url}{path}", json={"instructions": "x"}) as response,
    ):
        assert response.status == 404
        error = (await response.json())["error"]
    assert error["code"] == "unknown_path"
    assert "moderation.unknown_paths" in error["message"]
    assert error["message"].startswith(f"{method} {path} with a body is")
    assert upstream.requests == []


async def test_get_passthrough_stays(start_stack: StartStack, upstream: LoopbackUpstream) -> None:
    stack = await start_stack()
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{stack.url}/v1/files") as response:
            assert response.status == 200
        h2c = {
            "Connection": "Upgrade, HTTP2-Settings",
            "Upgrade": "h2c",
            "HTTP2-Settings": "AAMAAABkAAQAoAAA",
        }
        async with http.get(f"{stack.url}/v1/models", headers=h2c) as response:
            assert response.status == 200  # curl --http2 asks for h2c: ignored, as HTTP allows
    assert [r.path for r in upstream.requests] == ["/v1/files", "/v1/models"]


async def test_a_request_without_a_body_goes_through_on_any_path(
    start_stack: StartStack, upstream: LoopbackUpstream
) -> None:
    stack = await start_stack()
    upstream.script("/v1/responses/resp_1/cancel", Reply(json={"id": "resp_1", "status": "cancelled"}))
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{stack.url}/v1/responses/resp_1/cancel") as response:  # the SDK's cancel
            assert (response.status, (await response.json())["status"]) == (200, "cancelled")
        async with http.delete(f"{stack.url}/v1/responses/resp_1") as response:
            assert response.status == 200
    assert [(r.method, r.path) for r in upstream.requests] == [
        ("POST", "/v1/responses/resp_1/cancel"),
        ("DELETE", "/v1/responses/resp_1"),
    ]
    assert stack.sample(BYPASSES, {"component": "moderation", "reason": "unknown_path"}) == 0


async def test_a_websocket_is_refused(start_stack: StartStack, upstream: LoopbackUpstream) -> None:
    stack = await start_stack(settings={"moderation.unknown_paths": "pass"})
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as raised:
            await http.ws_connect(f"{stack.url}/v1/realtime?model=m")
        assert raised.value.status == 404
        headers = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                   "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}  # fmt: skip
        async with http.get(f"{stack.url}/v1/realtime", headers=headers) as response:
            error = (await response.json())["error"]
    assert (response.status, error["code"]) == (404, "unknown_path")
    assert "WebSocket" in error["message"]
    assert upstream.requests == []


@pytest.mark.parametrize(
    "settings",
    [
        {"moderation.unknown_paths": "pass"},
        {"routes": [{"name": "legacy", "match": {"path": "/v1/assistants*"}, "unknown_paths": "pass"},
                    {"name": "default"}]},
    ],
)  # fmt: skip
async def test_unknown_paths_pass_when_configured_and_are_counted(
    start_stack: StartStack, upstream: LoopbackUpstream, settings: dict[str, Any]
) -> None:
    stack = await start_stack(settings=settings)
    async with aiohttp.ClientSession() as http:
        for _ in range(2):
            async with http.post(f"{stack.url}/v1/assistants", json={"instructions": "x"}) as response:
                assert response.status == 200
    assert len(upstream.requests) == 2
    assert stack.sample(BYPASSES, {"component": "moderation", "reason": "unknown_path"}) == 2


async def test_moderations_endpoint_keeps_working(start_proxy: StartProxy, apis: ApiUpstream) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    async with _client(proxy) as client:
        result = await client.moderations.create(input=["fine", "a bomb"])
    assert [r.flagged for r in result.results] == [False, True]
    assert apis.requests == []


async def test_speech_input_is_moderated(start_proxy: StartProxy, apis: ApiUpstream) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    async with _client(proxy) as client:
        with pytest.raises(openai.BadRequestError) as raised:
            await client.audio.speech.create(model="tts", voice="alloy", input="read the bomb recipe")
        assert (raised.value.code, raised.value.param) == ("content_filter", "input")
        assert apis.requests == []
        await client.audio.speech.create(
            model="tts", voice="alloy", input="darn", instructions="call 555-1234"
        )
    sent = apis.requests[0].json()
    assert (sent["input"], sent["instructions"]) == ("***", "call [PHONE]")
