"""The Anthropic Messages API through the proxy, read by the official anthropic SDK."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import anthropic
import pytest

from proxy.apis.anthropic_messages import apply_response, parse_request, response_slots
from proxy.moderation.moderator import Moderation
from proxy.policy.decision import Action, Phase
from proxy.policy.engine import decide
from proxy.settings.tenants import hash_key
from proxy.stream.relay import RelayOutcome, StreamMode, StreamReport
from tests.apis.helpers import MODERATED, REFUSAL, SCANNER, SPLITS, TEXT, moderated_proxy
from tests.fixtures.api_upstream import SIGNATURE, ApiUpstream, Spoken, messages_events
from tests.fixtures.pattern_scanner import ScannerModerator
from tests.fixtures.upstream import RunningProxy, StartProxy

USER = [{"role": "user", "content": "hi"}]


class Recorder:
    def __init__(self) -> None:
        self.reports: list[StreamReport] = []

    def stream_finished(self, report: StreamReport) -> None:
        self.reports.append(report)


def _client(proxy: RunningProxy, api_key: str = "sk-ant-test") -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(base_url=proxy.url, api_key=api_key, max_retries=0, timeout=10)


def test_schema_descriptions_are_prompt_text() -> None:
    schema = {"type": "object", "properties": {"q": {"type": "string", "description": "the query"}}}
    body = {
        "model": "m",
        "max_tokens": 10,
        "messages": USER,
        "tools": [{"name": "f", "description": "find", "input_schema": schema}],
        "output_format": {"type": "json_schema", "schema": {"description": "one line", **schema}},
    }
    assert parse_request(body).texts == ["hi", "find", "the query", "one line", "the query"]


def test_every_other_block_the_model_reads_is_moderated_but_ids_names_and_data() -> None:
    content = [
        {"type": "search_result", "source": "https://x/a", "title": "Trains",
         "content": [{"type": "text", "text": "every hour", "citations": [{"cited_text": "x"}]}]},
        {"type": "mcp_tool_result", "tool_use_id": "mcptoolu_1", "is_error": False,
         "content": [{"type": "text", "text": "found it"}]},
        {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "trains"}},
        {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1",
         "content": [{"type": "web_search_result", "url": "https://x/b", "title": "Timetable",
                      "encrypted_content": "EqgfCioIARgB"}]},
        {"type": "document", "title": "Notes", "context": "from the wiki",
         "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0="}},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
        {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix"},
    ]  # fmt: skip
    parsed = parse_request(
        {"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": content}]}
    )
    assert parsed.texts == [
        "https://x/a",
        "Trains",
        "every hour",
        "found it",
        "trains",
        "https://x/b",
        "Timetable",
        "Notes",
        "from the wiki",
    ]


async def test_a_search_result_cannot_carry_a_prompt_past_moderation(
    start_proxy: StartProxy, apis: ApiUpstream
) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    block = {
        "type": "search_result",
        "source": "s",
        "title": "t",
        "content": [{"type": "text", "text": "a bomb"}],
    }
    async with _client(proxy) as client:
        with pytest.raises(anthropic.BadRequestError):
            await client.messages.create(
                model="m",
                max_tokens=10,
                messages=[{"role": "user", "content": [block]}],  # type: ignore[list-item]
            )
    assert apis.requests == []


@pytest.mark.parametrize(
    ("body", "texts"),
    [
        ({"messages": USER}, ["hi"]),
        ({"system": "be brief", "messages": USER}, ["be brief", "hi"]),
        ({"system": [{"type": "text", "text": "s1"}], "messages": USER}, ["s1", "hi"]),
        (
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [{"type": "text", "text": "a"}, {"type": "image", "source": {}}],
                    },
                    {
                        "role": "assistant",
                        "content": [
                            {
                                "type": "tool_use",
                                "id": "t",
                                "name": "f",
                                "input": {"q": "look", "n": 2, "l": ["x"]},
                            }
                        ],
                    },
                    {
                        "role": "user",
                        "content": [
                            {"type": "tool_result", "tool_use_id": "t", "content": "found"},
                            {
                                "type": "tool_result",
                                "tool_use_id": "t",
                                "content": [{"type": "text", "text": "more"}],
                            },
                        ],
                    },
                ]
            },
            ["a", "look", "x", "found", "more"],
        ),
        (
            {"messages": USER, "tools": [{"name": "f", "description": "do it", "input_schema": {}}]},
            ["hi", "do it"],
        ),
        (
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {
                                "type": "document",
                                "source": {"type": "text", "media_type": "text/plain", "data": "d"},
                            },
                            {
                                "type": "document",
                                "source": {"type": "content", "content": [{"type": "text", "text": "c"}]},
                            },
                            {"type": "document", "source": {"type": "base64", "data": "JVBERi0="}},
                        ],
                    }
                ]
            },
            ["d", "c"],
        ),
    ],
)
def test_prompt_texts(body: dict[str, Any], texts: list[str]) -> None:
    assert parse_request({"model": "m", "max_tokens": 10, **body}).texts == texts


def test_answer_texts() -> None:
    cited = {"type": "web_search_result_location", "url": "https://x/a", "title": "Trains",
             "encrypted_index": "Eo8B", "cited_text": "every hour"}  # fmt: skip
    body = {
        "content": [
            {"type": "text", "text": "a", "citations": [cited]},
            {"type": "tool_use", "input": {"q": "b"}},
        ]
    }
    assert [(s.path, s.text) for s in response_slots(body)] == [
        (("content", 0, "text"), "a"),
        (("content", 0, "citations", 0, "url"), "https://x/a"),
        (("content", 0, "citations", 0, "title"), "Trains"),
        (("content", 0, "citations", 0, "cited_text"), "every hour"),
        (("content", 1, "input", "q"), "b"),
    ]


def test_what_an_answer_cites_is_moderated_with_it() -> None:
    def answer(cited_text: str) -> dict[str, Any]:
        citation = {"type": "char_location", "document_index": 0, "cited_text": cited_text}
        return {"content": [{"type": "text", "text": "Per the memo,", "citations": [citation]}]}

    redacted, blocked = answer("Well darn."), answer("a bomb plan")
    for body in (redacted, blocked):
        slots = response_slots(body)
        verdict = Moderation(
            tuple(decide(s.text, SCANNER.scan(s.text, Phase.RESPONSE), "r") for s in slots), "r"
        )
        apply_response(body, slots, verdict, REFUSAL)
    assert redacted["content"][0]["citations"][0]["cited_text"] == "Well ***."
    assert (blocked["stop_reason"], blocked["content"]) == ("refusal", [{"type": "text", "text": REFUSAL}])


@pytest.mark.parametrize(
    "request_body",
    [
        {"messages": [{"role": "user", "content": "how to build a bomb"}]},
        {"system": "talk about the bomb", "messages": USER},
        {
            "messages": USER,
            "tools": [{"name": "f", "description": "bomb maker", "input_schema": {"type": "object"}}],
        },
        {
            "messages": [
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": "bomb"}]}
            ]
        },
    ],
)
async def test_blocked_prompt_is_a_bad_request_and_never_reaches_the_upstream(
    start_proxy: StartProxy, apis: ApiUpstream, request_body: dict[str, Any]
) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    async with _client(proxy) as client:
        with pytest.raises(anthropic.BadRequestError) as raised:
            await client.messages.create(model="m", max_tokens=10, **request_body)
    assert raised.value.status_code == 400
    message = "The prompt was filtered by the content policy (categories: words)."
    assert raised.value.body == {
        "type": "error",
        "error": {"type": "invalid_request_error", "message": message},
    }
    assert apis.requests == []


async def test_redacted_prompt_and_credentials_reach_the_upstream(
    start_proxy: StartProxy, apis: ApiUpstream
) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    async with _client(proxy) as client:
        await client.messages.create(
            model="m",
            max_tokens=10,
            system="call 555-1234",
            messages=[{"role": "user", "content": "oh darn"}],
        )
    seen = apis.requests[0]
    assert (seen.json()["system"], seen.json()["messages"][0]["content"]) == ("call [PHONE]", "oh ***")
    assert seen.headers["Authorization"] == "Bearer sk-ant-test"
    assert seen.headers["anthropic-version"]


@pytest.mark.parametrize(("configured", "forwarded"), [(None, "sk-client"), ("sk-upstream", "sk-upstream")])
async def test_x_api_key_passes_through_or_is_the_upstreams(
    start_proxy: StartProxy, apis: ApiUpstream, configured: str | None, forwarded: str
) -> None:
    proxy = await start_proxy(upstream_url=apis.url, settings={"upstream.api_key": configured})
    headers = {"x-api-key": "sk-client", "anthropic-version": "2023-06-01"}
    body = {"model": "m", "max_tokens": 10, "messages": USER}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{proxy.url}/v1/messages", json=body, headers=headers) as response,
    ):
        assert response.status == 200
    seen = apis.requests[0].headers
    assert (seen["x-api-key"], seen["anthropic-version"]) == (forwarded, "2023-06-01")
    assert "Authorization" not in seen


async def test_blocked_answer_stops_with_refusal(start_proxy: StartProxy, apis: ApiUpstream) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    apis.answer(Spoken(["here is the bomb recipe"]))
    async with _client(proxy) as client:
        message = await client.messages.create(model="m", max_tokens=10, messages=USER)
    assert message.stop_reason == "refusal"
    assert message.stop_details is not None and message.stop_details.type == "refusal"
    assert message.stop_details.explanation is not None and "words" in message.stop_details.explanation
    assert [block.type for block in message.content] == ["text"]
    assert message.content[0].text == REFUSAL  # type: ignore[union-attr]


async def test_answer_and_tool_input_are_redacted(start_proxy: StartProxy, apis: ApiUpstream) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    apis.answer(Spoken([TEXT], tool_args=['{"q": "darn"}']))
    async with _client(proxy) as client:
        message = await client.messages.create(model="m", max_tokens=10, messages=USER)
    assert message.stop_reason == "tool_use"
    assert message.content[0].text == MODERATED  # type: ignore[union-attr]
    assert message.content[1].input == {"q": "***"}  # type: ignore[union-attr]


@pytest.mark.parametrize("mode", ["window", "buffer"])
@pytest.mark.parametrize("split", SPLITS)
async def test_streamed_text_is_redacted(
    start_proxy: StartProxy, apis: ApiUpstream, split: str, mode: str
) -> None:
    proxy = await moderated_proxy(start_proxy, apis, **{"streaming.mode": mode})
    apis.answer(Spoken(SPLITS[split], tool_args=['{"q": "da', 'rn"}']))
    async with (
        _client(proxy) as client,
        client.messages.stream(model="m", max_tokens=10, messages=USER) as stream,
    ):
        text = "".join([t async for t in stream.text_stream])
        final = await stream.get_final_message()
    assert text == MODERATED
    assert final.content[0].text == MODERATED  # type: ignore[union-attr]
    assert final.content[1].input == {"q": "***"}  # type: ignore[union-attr]
    assert final.stop_reason == "tool_use"


@pytest.mark.parametrize("pieces", [["how to make a bo", "mb at home"], list("a bomb!")])
async def test_a_block_ends_the_stream_with_refusal_and_cancels_upstream(
    start_proxy: StartProxy, apis: ApiUpstream, pieces: list[str]
) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    apis.answer(Spoken([*pieces, *[" and more"] * 40], hold_after=3 + len(pieces) + 8))
    kinds: list[str] = []
    async with _client(proxy) as client:
        stream = await client.messages.create(model="m", max_tokens=10, messages=USER, stream=True)
        text = ""
        async for event in stream:
            kinds.append(event.type)
            if event.type == "content_block_delta" and event.delta.type == "text_delta":
                text += event.delta.text
            if event.type == "message_delta":
                assert event.delta.stop_reason == "refusal"
    assert kinds[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert text.endswith(REFUSAL)
    assert "bo" not in text.removesuffix(REFUSAL)
    await asyncio.wait_for(apis.cancelled.wait(), 5)


async def test_blocked_tool_input_stream_ends_with_a_refusal_block(
    start_proxy: StartProxy, apis: ApiUpstream
) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    apis.answer(Spoken(["fine"], tool_args=['{"q": "bo', 'mb"}']))
    async with (
        _client(proxy) as client,
        client.messages.stream(model="m", max_tokens=10, messages=USER) as stream,
    ):
        final = await stream.get_final_message()
    assert final.stop_reason == "refusal"
    assert final.content[-1].text == REFUSAL  # type: ignore[union-attr]


@pytest.mark.parametrize("settings", [{}, {"streaming.mode": "audit"}])
async def test_benign_stream_is_byte_identical(
    start_proxy: StartProxy, apis: ApiUpstream, settings: dict[str, Any]
) -> None:
    proxy = await (
        moderated_proxy(start_proxy, apis, **settings) if settings else start_proxy(upstream_url=apis.url)
    )
    apis.answer(Spoken(list("plain text, nothing to see")))
    body = {"model": "m", "max_tokens": 10, "messages": USER, "stream": True}
    async with aiohttp.ClientSession() as http, http.post(f"{proxy.url}/v1/messages", json=body) as response:
        assert await response.read() == b"".join(messages_events(apis.next))


async def test_bad_input_is_answered_in_anthropics_error_shape(
    start_proxy: StartProxy, apis: ApiUpstream
) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    async with _client(proxy) as client:
        with pytest.raises(anthropic.BadRequestError) as raised:
            await client.messages.create(model="m", max_tokens=10, messages=[])
    assert raised.value.body == {
        "type": "error",
        "error": {
            "type": "invalid_request_error",
            "message": "'messages' is required and must be a non-empty array.",
        },
    }


async def test_token_counting_is_moderated_as_a_prompt(start_proxy: StartProxy, apis: ApiUpstream) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    async with _client(proxy) as client:
        with pytest.raises(anthropic.BadRequestError):
            await client.messages.count_tokens(model="m", messages=[{"role": "user", "content": "a bomb"}])
    assert apis.requests == []


async def test_buffer_mode_block_sends_only_the_refusal(start_proxy: StartProxy, apis: ApiUpstream) -> None:
    proxy = await moderated_proxy(start_proxy, apis, **{"streaming.mode": "buffer"})
    apis.answer(Spoken(["fine words " * 5, "then a bomb"]))
    async with (
        _client(proxy) as client,
        client.messages.stream(model="m", max_tokens=10, messages=USER) as stream,
    ):
        text = "".join([t async for t in stream.text_stream])
        final = await stream.get_final_message()
    assert text == REFUSAL
    assert final.stop_reason == "refusal"


async def test_buffer_mode_refuses_an_answer_over_the_cap(start_proxy: StartProxy, apis: ApiUpstream) -> None:
    proxy = await moderated_proxy(
        start_proxy, apis, **{"streaming.mode": "buffer", "streaming.buffer_max_chars": 50}
    )
    apis.answer(Spoken(["harmless words "] * 10))
    async with (
        _client(proxy) as client,
        client.messages.stream(model="m", max_tokens=10, messages=USER) as stream,
    ):
        final = await stream.get_final_message()
    assert (final.stop_reason, final.content[0].text) == ("refusal", REFUSAL)  # type: ignore[union-attr]


async def test_buffer_mode_refuses_an_answer_over_its_byte_cap(
    start_proxy: StartProxy, apis: ApiUpstream
) -> None:
    proxy = await moderated_proxy(
        start_proxy, apis, **{"streaming.mode": "buffer", "streaming.buffer_max_bytes": 1000}
    )
    apis.answer(Spoken(["a"] * 40))  # 40 characters in about 6 KB of events
    async with (
        _client(proxy) as client,
        client.messages.stream(model="m", max_tokens=10, messages=USER) as stream,
    ):
        final = await stream.get_final_message()
    assert (final.stop_reason, final.content[0].text) == ("refusal", REFUSAL)  # type: ignore[union-attr]


async def test_a_silent_upstream_ends_the_stream_with_an_error_event(
    start_proxy: StartProxy, apis: ApiUpstream
) -> None:
    proxy = await moderated_proxy(start_proxy, apis, **{"upstream.read_timeout": 0.2})
    apis.answer(Spoken(["some ", "text"], hold_after=4))
    async with _client(proxy) as client:
        stream = await client.messages.create(model="m", max_tokens=10, messages=USER, stream=True)
        with pytest.raises(anthropic.APIStatusError, match="went silent"):
            async for _ in stream:
                pass


async def test_audit_mode_relays_everything_and_reports_the_block(
    start_proxy: StartProxy, apis: ApiUpstream
) -> None:
    recorder = Recorder()
    proxy = await start_proxy(
        upstream_url=apis.url,
        scanner=SCANNER,
        moderator=ScannerModerator(SCANNER),
        stream_observer=recorder,
        settings={"streaming.mode": "audit"},
    )
    apis.answer(Spoken(list("a bomb, then another bomb")))
    async with (
        _client(proxy) as client,
        client.messages.stream(model="m", max_tokens=10, messages=USER) as stream,
    ):
        text = "".join([t async for t in stream.text_stream])
    assert text == "a bomb, then another bomb"
    report = recorder.reports[0]
    assert (report.mode, report.outcome) == (StreamMode.AUDIT, RelayOutcome.COMPLETED)
    assert [f.matched for f in report.blocks] == ["bomb"]
    assert report.usage == (3, 5)


async def test_a_virtual_key_in_x_api_key_selects_the_tenant_and_is_not_forwarded(
    start_proxy: StartProxy, apis: ApiUpstream
) -> None:
    tenants = {"team": {"key_hashes": [hash_key("vk-team")]}}
    proxy = await start_proxy(
        upstream_url=apis.url, settings={"tenants": tenants, "upstream.api_key": "sk-up"}
    )
    body = {"model": "m", "max_tokens": 10, "messages": USER}
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{proxy.url}/v1/messages", json=body, headers={"x-api-key": "vk-wrong"}
        ) as response:
            assert response.status == 401
            assert (await response.json())["error"]["type"] == "authentication_error"
        async with http.post(
            f"{proxy.url}/v1/messages", json=body, headers={"x-api-key": "vk-team"}
        ) as response:
            assert response.status == 200
    assert [r.headers["x-api-key"] for r in apis.requests] == ["sk-up"]


THINKING_TURN = [
    {"role": "user", "content": "hi"},
    {
        "role": "assistant",
        "content": [
            {"type": "thinking", "thinking": "weigh it", "signature": SIGNATURE},
            {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix"},
            {"type": "text", "text": "hello"},
        ],
    },
    {"role": "user", "content": "go on"},
]


def test_thinking_is_a_sealed_text_in_prompts_and_answers() -> None:
    parsed = parse_request({"model": "m", "max_tokens": 10, "messages": THINKING_TURN})
    assert parsed.texts == ["hi", "weigh it", "hello", "go on"]
    assert parsed.sealed == (False, True, False, False)
    assert parse_request({"model": "m", "max_tokens": 10, "messages": USER}).sealed == ()
    answer = {"content": THINKING_TURN[1]["content"]}
    assert [(s.path, s.text, s.sealed) for s in response_slots(answer)] == [
        (("content", 0, "thinking"), "weigh it", True),
        (("content", 2, "text"), "hello", False),
    ]


@pytest.mark.parametrize("thinking", ["how to make a bomb", "well darn"], ids=["block", "redaction"])
async def test_a_prompt_s_thinking_is_moderated_and_refused_rather_than_rewritten(
    start_proxy: StartProxy, apis: ApiUpstream, thinking: str
) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    messages = [*THINKING_TURN]
    messages[1] = {
        **messages[1],
        "content": [{"type": "thinking", "thinking": thinking, "signature": SIGNATURE}],
    }
    async with _client(proxy) as client:
        with pytest.raises(anthropic.BadRequestError):
            await client.messages.create(model="m", max_tokens=10, messages=messages)  # type: ignore[arg-type]
        assert apis.requests == []
        await client.messages.create(model="m", max_tokens=10, messages=THINKING_TURN)  # type: ignore[arg-type]
    assert apis.requests[0].json()["messages"] == THINKING_TURN, "a passed thinking block goes as it came"


async def _answer(proxy: RunningProxy, *, stream: bool) -> anthropic.types.Message:
    """The answer to ``USER`` as the SDK assembles it, from a JSON reply or from a stream."""
    async with _client(proxy) as client:
        if stream:
            async with client.messages.stream(model="m", max_tokens=10, messages=USER) as events:
                return await events.get_final_message()
        return await client.messages.create(model="m", max_tokens=10, messages=USER)


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
async def test_thinking_and_its_signature_pass_as_they_came(
    start_proxy: StartProxy, apis: ApiUpstream, stream: bool
) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    thinking = ["The user wants ", "a weather report; ", "我查一下。"]
    apis.answer(Spoken(SPLITS["every character"], thinking=thinking))
    message = await _answer(proxy, stream=stream)
    assert [block.type for block in message.content] == ["thinking", "text"]
    block = message.content[0]
    assert block.type == "thinking"
    assert (block.thinking, block.signature) == ("".join(thinking), SIGNATURE)
    assert message.content[1].text == MODERATED  # type: ignore[union-attr]
    assert message.stop_reason == "end_turn"


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(
    "thinking", [["make a bo", "mb"], ["call 555-", "1234 now"]], ids=["block", "redaction"]
)
async def test_thinking_that_would_be_blocked_or_rewritten_refuses_the_answer(
    start_proxy: StartProxy, apis: ApiUpstream, thinking: list[str], stream: bool
) -> None:
    recorder = Recorder()
    proxy = await start_proxy(
        upstream_url=apis.url, scanner=SCANNER, moderator=ScannerModerator(SCANNER), stream_observer=recorder
    )
    apis.answer(Spoken(["the answer"], thinking=thinking))
    message = await _answer(proxy, stream=stream)
    assert message.stop_reason == "refusal"
    texts = [getattr(block, "thinking", None) or getattr(block, "text", "") for block in message.content]
    assert texts[-1] == REFUSAL
    assert "the answer" not in texts, "nothing after the refused thinking is sent"
    assert not any("1234" in text or "bo" in text.removesuffix(REFUSAL) for text in texts)
    assert not any("[PHONE]" in text for text in texts), "a thinking block is never rewritten"
    if stream:
        assert [f.action for f in recorder.reports[0].findings] == [Action.BLOCK]
