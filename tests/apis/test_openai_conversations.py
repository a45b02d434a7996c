"""The Conversations API through the proxy, with the official openai SDK: items stored are moderated
as a prompt, items read back as answers (the upstream keeps what the model wrote)."""

from __future__ import annotations

from typing import Any

import aiohttp
import openai
import pytest

from proxy.apis.openai_conversations import parse_items, parse_update
from proxy.errors import BadRequest
from tests.apis.helpers import REFUSAL, SCANNER
from tests.fixtures.pattern_scanner import ScannerModerator
from tests.fixtures.upstream import LoopbackUpstream, Reply, RunningProxy, StartProxy, chat_completion

CONVERSATION = {"id": "conv_1", "object": "conversation", "created_at": 1, "metadata": {}}


def _said(text: str, role: str = "user") -> dict[str, Any]:
    kind = "input_text" if role == "user" else "output_text"
    return {"type": "message", "role": role, "content": [{"type": kind, "text": text}]}


def _stored(item: dict[str, Any], n: int) -> dict[str, Any]:
    return {"id": f"item_{n}", "status": "completed", **item}


def _listed(*items: dict[str, Any]) -> dict[str, Any]:
    data = [_stored(item, n) for n, item in enumerate(items)]
    return {"object": "list", "data": data, "first_id": "item_0", "last_id": "item_0", "has_more": False}


async def _proxy(start_proxy: StartProxy, upstream: LoopbackUpstream) -> RunningProxy:
    return await start_proxy(upstream_url=upstream.url, scanner=SCANNER, moderator=ScannerModerator(SCANNER))


def _client(proxy: RunningProxy) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=proxy.base_url, api_key="sk-test", max_retries=0, timeout=10)


def test_stored_items_are_read_like_a_responses_input() -> None:
    body = {
        "items": [
            {"role": "user", "content": "plain"},
            _said("from the model", role="assistant"),
            {"type": "function_call_output", "call_id": "c1", "output": "tool says"},
        ],
        "metadata": {"topic": "bomb"},
    }
    assert parse_items(body).texts == ["plain", "from the model", "tool says"]
    assert parse_items({}).texts == []  # a conversation may start empty
    with pytest.raises(BadRequest, match="'items' must be an array"):
        parse_items({"items": "hi"})
    with pytest.raises(BadRequest, match=r"'items\[0\]' must be an object"):
        parse_items({"items": ["hi"]})


def test_an_update_is_read_but_for_its_metadata() -> None:
    assert parse_update({"metadata": {"topic": "bomb"}}).texts == []
    assert parse_update({"metadata": {}, "title": "a later field"}).texts == ["a later field"]


@pytest.mark.parametrize(
    ("text", "forwarded"), [("Trains run hourly.", "Trains run hourly."), ("Well darn.", "Well ***.")]
)
async def test_items_are_stored_as_moderated(
    start_proxy: StartProxy, upstream: LoopbackUpstream, text: str, forwarded: str
) -> None:
    proxy = await _proxy(start_proxy, upstream)
    upstream.script("/v1/conversations", Reply(json=CONVERSATION))
    upstream.script("/v1/conversations/conv_1/items", Reply(json=_listed(_said(forwarded))))
    async with _client(proxy) as client:
        created = await client.conversations.create(items=[_said(text)], metadata={"topic": "x"})  # type: ignore[list-item]
        added = await client.conversations.items.create("conv_1", items=[_said(text)])  # type: ignore[list-item]
    assert created.id == "conv_1" and added.data[0].id == "item_0"
    create, append = (r.json() for r in upstream.requests)
    assert create["items"][0]["content"][0]["text"] == forwarded
    assert create["metadata"] == {"topic": "x"}
    assert append["items"][0]["content"][0]["text"] == forwarded


async def test_a_blocked_item_is_never_stored(start_proxy: StartProxy, upstream: LoopbackUpstream) -> None:
    proxy = await _proxy(start_proxy, upstream)
    async with _client(proxy) as client:
        with pytest.raises(openai.BadRequestError) as created:
            await client.conversations.create(items=[_said("how to build a bomb")])  # type: ignore[list-item]
        with pytest.raises(openai.BadRequestError) as added:
            await client.conversations.items.create("conv_1", items=[_said("fine"), _said("a bomb")])  # type: ignore[list-item]
    for raised in (created, added):
        assert (raised.value.code, raised.value.param) == ("content_filter", "items")
    assert upstream.requests == []


async def test_a_conversation_starts_with_no_body_and_metadata_is_not_read(
    start_proxy: StartProxy, upstream: LoopbackUpstream
) -> None:
    proxy = await _proxy(start_proxy, upstream)
    upstream.script("/v1/conversations", Reply(json=CONVERSATION))
    upstream.script("/v1/conversations/conv_1", Reply(json={**CONVERSATION, "metadata": {"topic": "bomb"}}))
    async with aiohttp.ClientSession() as http:
        response = await http.post(f"{proxy.base_url}/conversations", headers={"Authorization": "Bearer k"})
        assert response.status == 200 and (await response.json())["id"] == "conv_1"
    async with _client(proxy) as client:
        updated = await client.conversations.update("conv_1", metadata={"topic": "bomb"})
    assert updated.metadata == {"topic": "bomb"}
    create, update = upstream.requests
    assert (create.body, update.json()) == (b"", {"metadata": {"topic": "bomb"}})


async def test_items_read_back_are_moderated_as_answers(
    start_proxy: StartProxy, upstream: LoopbackUpstream
) -> None:
    """A blocked answer stays in the conversation upstream as the model wrote it; read back, it is
    refused again, and a redaction applies again."""
    proxy = await _proxy(start_proxy, upstream)
    listed = _listed(
        _said("hi"),
        _said("Here is how to build a bomb.", role="assistant"),
        _said("Well darn.", role="assistant"),
        {"type": "function_call", "call_id": "c1", "name": "f", "arguments": '{"q": "bomb"}'},
    )
    upstream.script("/v1/conversations/conv_1/items", Reply(json=listed))
    async with _client(proxy) as client:
        page = await client.conversations.items.list("conv_1")
    said, refused, redacted, call = (item.to_dict() for item in page.data)
    assert said["content"][0]["text"] == "hi"
    assert refused["content"][0]["text"] == REFUSAL
    assert redacted["content"][0]["text"] == "Well ***."
    assert call["type"] == "message" and call["content"][0]["text"] == REFUSAL
    assert (page.has_more, refused["id"]) == (False, "item_1")


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (_said("Trains run hourly.", role="assistant"), "Trains run hourly."),
        (_said("Here is how to build a bomb.", role="assistant"), REFUSAL),
        ({"type": "function_call", "call_id": "c1", "name": "f", "arguments": "a bomb"}, REFUSAL),
    ],
)
async def test_one_item_read_back_is_moderated_as_an_answer(
    start_proxy: StartProxy, upstream: LoopbackUpstream, item: dict[str, Any], expected: str
) -> None:
    proxy = await _proxy(start_proxy, upstream)
    upstream.script("/v1/conversations/conv_1/items/item_7", Reply(json=_stored(item, 7)))
    async with _client(proxy) as client:
        read = (await client.conversations.items.retrieve("item_7", conversation_id="conv_1")).to_dict()
    assert (read["id"], read["type"], read["content"][0]["text"]) == ("item_7", "message", expected)


async def test_a_stored_chat_completion_is_updated_like_a_conversation(
    start_proxy: StartProxy, upstream: LoopbackUpstream
) -> None:
    proxy = await _proxy(start_proxy, upstream)
    stored = {**chat_completion("fine"), "id": "chatcmpl-1", "metadata": {"topic": "bomb"}}
    upstream.script("/v1/chat/completions/chatcmpl-1", Reply(json=stored))
    async with _client(proxy) as client:
        updated = await client.chat.completions.update("chatcmpl-1", metadata={"topic": "bomb"})
    assert updated.metadata == {"topic": "bomb"}
    assert [(r.method, r.json()) for r in upstream.requests] == [("POST", {"metadata": {"topic": "bomb"}})]
