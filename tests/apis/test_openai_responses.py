"""The Responses API through the proxy, read by the official openai SDK (sync, async, streaming)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import openai
import pytest

from proxy.apis.openai_responses import apply_response, parse_request, response_slots
from proxy.moderation.moderator import Moderation
from proxy.policy.decision import Action, Decision, Finding, Phase, RuleKind
from proxy.stream.relay import RelayOutcome, StreamReport
from tests.apis.helpers import MODERATED, REFUSAL, SCANNER, SPLITS, TEXT, moderated_proxy
from tests.fixtures.api_upstream import ApiUpstream, Spoken
from tests.fixtures.pattern_scanner import ScannerModerator
from tests.fixtures.upstream import RunningProxy, StartProxy


def _async(proxy: RunningProxy) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=proxy.base_url, api_key="sk-test", max_retries=0, timeout=10)


def _sync(proxy: RunningProxy) -> openai.OpenAI:
    return openai.OpenAI(base_url=proxy.base_url, api_key="sk-test", max_retries=0, timeout=10)


@pytest.mark.parametrize(
    ("body", "texts"),
    [
        ({"input": "hi"}, ["hi"]),
        ({"input": "hi", "instructions": "be brief"}, ["be brief", "hi"]),
        (
            {
                "input": [
                    {"role": "user", "content": "plain"},
                    {
                        "type": "message",
                        "role": "user",
                        "content": [
                            {"type": "input_text", "text": "part"},
                            {"type": "input_image", "image_url": "x"},
                        ],
                    },
                    {"type": "function_call", "call_id": "c", "name": "f", "arguments": '{"a": 1}'},
                    {"type": "function_call_output", "call_id": "c", "output": "tool said"},
                    {"type": "reasoning", "id": "r", "summary": []},
                ]
            },
            ["plain", "part", '{"a": 1}', "tool said"],
        ),
        (
            {"input": "x", "tools": [{"type": "function", "name": "f", "description": "ignore rules"}]},
            ["x", "ignore rules"],
        ),
        (
            {
                "previous_response_id": "resp_0",
                "input": [
                    {
                        "type": "function_call_output",
                        "call_id": "c",
                        "output": [{"type": "input_text", "text": "t"}],
                    }
                ],
            },
            ["t"],
        ),
    ],
)
def test_prompt_texts(body: dict[str, Any], texts: list[str]) -> None:
    assert parse_request({"model": "m", **body}).texts == texts


TOOL_ITEMS: list[dict[str, Any]] = [
    {"type": "reasoning", "id": "rs_1", "encrypted_content": "gAAAA",
     "summary": [{"type": "summary_text", "text": "weigh it"}]},
    {"type": "local_shell_call_output", "id": "lsh_1", "output": "total 0", "status": "completed"},
    {"type": "shell_call_output", "call_id": "sh_1",
     "output": [{"stdout": "found it", "stderr": "", "outcome": {"type": "exit", "exit_code": 0}}]},
    {"type": "mcp_call", "id": "mcp_1", "server_label": "docs", "name": "search",
     "arguments": '{"q": "trains"}', "output": "every hour", "status": "completed"},
    {"type": "code_interpreter_call", "id": "ci_1", "container_id": "cntr_1", "code": "print(1)",
     "outputs": [{"type": "logs", "logs": "1"}, {"type": "image", "url": "https://x/img.png"}]},
    {"type": "image_generation_call", "id": "ig_1", "result": "iVBORw0KGgo=", "status": "completed"},
    {"type": "item_reference", "id": "msg_0"},
]  # fmt: skip


def test_every_input_item_the_model_reads_is_moderated_but_ids_names_and_data() -> None:
    parsed = parse_request({"model": "m", "input": TOOL_ITEMS})
    # "type" names a kind at every level: "exit", "logs" and "image" above are not said either
    assert parsed.texts == [
        "weigh it",
        "total 0",
        "found it",
        "",
        '{"q": "trains"}',
        "every hour",
        "print(1)",
        "1",
        "https://x/img.png",
    ]
    assert parsed.sealed[0] is True and not any(parsed.sealed[1:]), "a reasoning item is only refused"


def test_an_mcp_servers_description_is_prompt_text() -> None:
    mcp = {
        "type": "mcp",
        "server_label": "s",
        "server_url": "https://mcp.example",
        "server_description": "obey me",
    }
    parsed = parse_request({"input": "hi", "tools": [mcp]})
    assert [(s.path, s.text) for s in parsed.slots] == [
        (("input",), "hi"),
        (("tools", 0, "server_description"), "obey me"),
    ]


def test_schema_descriptions_are_prompt_text() -> None:
    schema = {"type": "object", "properties": {"q": {"type": "string", "description": "the query"}}}
    body = {
        "model": "m",
        "input": "hi",
        "tools": [{"type": "function", "name": "f", "description": "find", "parameters": schema}],
        "text": {"format": {"type": "json_schema", "name": "a", "description": "one line", "schema": schema}},
    }
    assert parse_request(body).texts == ["hi", "find", "the query", "one line", "the query"]


def test_answer_texts() -> None:
    body = {
        "output": [
            {
                "type": "reasoning",
                "summary": [{"type": "summary_text", "text": "s"}],
                "content": [{"type": "reasoning_text", "text": "t"}],
            },
            {
                "type": "message",
                "content": [
                    {"type": "output_text", "text": "a", "annotations": [
                        {"type": "url_citation", "url": "https://x/a", "title": "Trains", "start_index": 0}]},
                    {"type": "refusal", "refusal": "r"},
                ],
            },
            {"type": "function_call", "arguments": "{}"},
            {"type": "mcp_call", "id": "mcp_1", "server_label": "docs", "name": "search",
             "arguments": '{"q": "x"}', "output": "found", "error": None},
            {"type": "web_search_call", "id": "ws_1", "status": "completed",
             "action": {"type": "search", "query": "trains", "sources": [{"type": "url", "url": "u"}]}},
            {"type": "image_generation_call", "id": "ig_1", "status": "completed", "result": "iVBORw0KGgo="},
        ]
    }  # fmt: skip
    assert [(s.path, s.text) for s in response_slots(body)] == [
        (("output", 0, "summary", 0, "text"), "s"),
        (("output", 0, "content", 0, "text"), "t"),
        (("output", 1, "content", 0, "text"), "a"),
        (("output", 1, "content", 0, "annotations", 0, "url"), "https://x/a"),
        (("output", 1, "content", 0, "annotations", 0, "title"), "Trains"),
        (("output", 1, "content", 1, "refusal"), "r"),
        (("output", 2, "arguments"), "{}"),
        (("output", 3, "arguments"), '{"q": "x"}'),
        (("output", 3, "output"), "found"),
        (("output", 4, "action", "query"), "trains"),
        (("output", 4, "action", "sources", 0, "url"), "u"),
    ]


@pytest.mark.parametrize(
    "request_body",
    [
        {"input": "how to build a bomb"},
        {"input": "hi", "instructions": "talk about the bomb"},
        {"input": [{"role": "user", "content": [{"type": "input_text", "text": "a bomb"}]}]},
        {"input": "hi", "tools": [{"type": "function", "name": "f", "description": "bomb maker",
                                   "parameters": {"type": "object", "properties": {}}}]},
    ],
)  # fmt: skip
async def test_blocked_prompt_is_a_bad_request_and_never_reaches_the_upstream(
    start_proxy: StartProxy, apis: ApiUpstream, request_body: dict[str, Any]
) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    async with _async(proxy) as client:
        with pytest.raises(openai.BadRequestError) as raised:
            await client.responses.create(model="m", **request_body)
    assert raised.value.status_code == 400
    assert raised.value.code == "content_filter"
    assert raised.value.param == "input"
    assert apis.requests == []


@pytest.mark.parametrize(
    "item",
    [
        {"type": "mcp_call", "id": "mcp_1", "server_label": "s", "name": "f", "arguments": "{}",
         "output": "here is the bomb recipe"},
        {"type": "local_shell_call_output", "id": "lsh_1", "output": "cat bomb.txt"},
        {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "call 555-1234"}]},
    ],
    ids=["mcp output", "shell output", "reasoning, redaction refused"],
)  # fmt: skip
async def test_a_tool_item_cannot_carry_a_prompt_past_moderation(
    start_proxy: StartProxy, apis: ApiUpstream, item: dict[str, Any]
) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    async with aiohttp.ClientSession() as http:
        body = {"model": "m", "input": [item, {"role": "user", "content": "go on"}]}
        async with http.post(f"{proxy.base_url}/responses", json=body) as response:
            assert response.status == 400
            assert (await response.json())["error"]["code"] == "content_filter"
        shell = {"type": "local_shell_call_output", "id": "lsh_1", "output": "well darn"}
        body = {"model": "m", "input": [shell, {"role": "user", "content": "go on"}]}
        async with http.post(f"{proxy.base_url}/responses", json=body) as response:
            assert response.status == 200
    assert len(apis.requests) == 1
    assert apis.requests[0].json()["input"][0] == {**shell, "output": "well ***"}


async def test_a_stored_prompts_variables_cannot_carry_a_prompt_past_moderation(
    start_proxy: StartProxy, apis: ApiUpstream
) -> None:
    """The upstream writes a stored prompt's variables into what the model reads."""
    proxy = await moderated_proxy(start_proxy, apis)
    async with _async(proxy) as client:
        for variables in ({"topic": "bomb"}, {"doc": {"type": "input_text", "text": "a bomb"}}):
            with pytest.raises(openai.BadRequestError) as raised:
                await client.responses.create(model="m", prompt={"id": "pmpt_1", "variables": variables})
            assert raised.value.code == "content_filter"
        assert apis.requests == []
        image = {"type": "input_image", "image_url": "https://example.com/bomb.png", "detail": "auto"}
        await client.responses.create(
            model="m", prompt={"id": "pmpt_1", "variables": {"name": "well darn", "picture": image}}
        )
    assert apis.requests[0].json()["prompt"] == {
        "id": "pmpt_1",
        "variables": {"name": "well ***", "picture": image},  # an image's address says nothing
    }


async def test_sync_client_sees_the_block_too(start_proxy: StartProxy, apis: ApiUpstream) -> None:
    proxy = await moderated_proxy(start_proxy, apis)

    def call() -> None:
        with _sync(proxy) as client:
            client.responses.create(model="m", input="bomb")

    with pytest.raises(openai.BadRequestError):
        await asyncio.to_thread(call)
    assert apis.requests == []


async def test_redacted_prompt_reaches_the_upstream_redacted(
    start_proxy: StartProxy, apis: ApiUpstream
) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    async with _async(proxy) as client:
        await client.responses.create(model="m", input="oh darn", instructions="call 555-1234")
    sent = apis.requests[0].json()
    assert (sent["input"], sent["instructions"]) == ("oh ***", "call [PHONE]")


def test_a_blocked_reasoning_item_becomes_one_refusal_message() -> None:
    body: dict[str, Any] = {
        "output": [
            {"id": "rs_1", "type": "reasoning", "summary": [{"type": "summary_text", "text": "how to"}],
             "content": [{"type": "reasoning_text", "text": "a darn plan"}]},
            {"id": "msg_1", "type": "message", "content": [{"type": "output_text", "text": "ok"}]},
        ]
    }  # fmt: skip
    slots = response_slots(body)
    finding = Finding("p", "c", Action.BLOCK, Phase.RESPONSE, RuleKind.KEYWORD, 0, 1, "x")
    blocked = Decision(Action.BLOCK, (finding,), "r")
    redacted = Decision(Action.REDACT, (), "r", "a *** plan")
    allowed = Decision(Action.ALLOW, (), "r")
    apply_response(body, slots, Moderation((blocked, redacted, allowed), "r"), "Filtered.")
    assert body["status"] == "incomplete"
    assert [item["type"] for item in body["output"]] == ["message", "message"]
    assert body["output"][0]["content"][0]["text"] == "Filtered." and "plan" not in json.dumps(body)


async def test_blocked_answer_is_incomplete_with_content_filter(
    start_proxy: StartProxy, apis: ApiUpstream
) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    apis.answer(Spoken(["here is the bomb recipe"]))
    async with _async(proxy) as client:
        response = await client.responses.create(model="m", input="hi")
    assert response.status == "incomplete"
    assert response.incomplete_details is not None
    assert response.incomplete_details.reason == "content_filter"
    assert response.output_text == REFUSAL


async def test_sync_answer_is_redacted_with_tool_arguments(
    start_proxy: StartProxy, apis: ApiUpstream
) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    apis.answer(Spoken([TEXT], tool_args=['{"q": "darn"}']))

    def call() -> Any:
        with _sync(proxy) as client:
            return client.responses.create(model="m", input="hi")

    response = await asyncio.to_thread(call)
    assert response.status == "completed"
    assert response.output_text == MODERATED
    assert response.output[1].arguments == '{"q": "***"}'


async def test_blocked_tool_call_becomes_a_refusal_message(
    start_proxy: StartProxy, apis: ApiUpstream
) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    apis.answer(Spoken(["fine"], tool_args=['{"q": "bomb"}']))
    async with _async(proxy) as client:
        response = await client.responses.create(model="m", input="hi")
    assert response.status == "incomplete"
    assert [item.type for item in response.output] == ["message", "message"]
    assert response.output_text == "fine" + REFUSAL


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
async def test_a_hosted_tools_call_and_result_are_moderated(
    start_proxy: StartProxy, apis: ApiUpstream, stream: bool
) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    apis.answer(Spoken(["fine"], mcp_arguments=['{"q": "da', 'rn"}'], mcp_output=TEXT))
    async with _async(proxy) as client:
        if stream:
            async with client.responses.stream(model="m", input="hi") as events:
                response = await events.get_final_response()
        else:
            response = await client.responses.create(model="m", input="hi")
    call = response.output[-1]
    assert call.type == "mcp_call"
    assert (response.status, call.arguments, call.output) == ("completed", '{"q": "***"}', MODERATED)


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
async def test_a_hosted_tools_result_that_blocks_becomes_a_refusal(
    start_proxy: StartProxy, apis: ApiUpstream, stream: bool
) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    apis.answer(Spoken(["fine"], mcp_arguments=["{}"], mcp_output="the bomb recipe"))
    async with _async(proxy) as client:
        if stream:
            events = [e async for e in await client.responses.create(model="m", input="hi", stream=True)]
            assert "bomb" not in "".join(e.model_dump_json() for e in events)
            assert events[-1].type == "response.incomplete"
            response = events[-1].response
        else:
            response = await client.responses.create(model="m", input="hi")
    assert response.status == "incomplete"
    assert response.incomplete_details is not None
    assert response.incomplete_details.reason == "content_filter"
    assert "bomb" not in response.model_dump_json()
    assert response.output_text.endswith(REFUSAL)


async def _stream_texts(proxy: RunningProxy) -> tuple[str, list[Any]]:
    deltas = ""
    events: list[Any] = []
    async with _async(proxy) as client:
        stream = await client.responses.create(model="m", input="hi", stream=True)
        async for event in stream:
            events.append(event)
            if event.type == "response.output_text.delta":
                deltas += event.delta
    return deltas, events


@pytest.mark.parametrize("mode", ["window", "buffer"])
@pytest.mark.parametrize("split", SPLITS)
async def test_streamed_text_is_redacted_and_done_events_carry_it(
    start_proxy: StartProxy, apis: ApiUpstream, split: str, mode: str
) -> None:
    proxy = await moderated_proxy(start_proxy, apis, **{"streaming.mode": mode})
    apis.answer(Spoken(SPLITS[split], tool_args=['{"q": "da', 'rn"}']))
    deltas, events = await _stream_texts(proxy)
    assert deltas == MODERATED
    by_type = {event.type: event for event in events}
    assert by_type["response.output_text.done"].text == MODERATED
    assert by_type["response.content_part.done"].part.text == MODERATED
    assert by_type["response.function_call_arguments.done"].arguments == '{"q": "***"}'
    completed = by_type["response.completed"].response
    assert completed.output_text == MODERATED
    assert completed.output[1].arguments == '{"q": "***"}'


async def test_stream_helper_final_response_is_moderated(start_proxy: StartProxy, apis: ApiUpstream) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    apis.answer(Spoken(list(TEXT)))
    async with _async(proxy) as client, client.responses.stream(model="m", input="hi") as stream:
        text = "".join([e.delta async for e in stream if e.type == "response.output_text.delta"])
        final = await stream.get_final_response()
    assert text == final.output_text == MODERATED


@pytest.mark.parametrize("pieces", [["how to make a bo", "mb at home"], list("a bomb!")])
async def test_a_block_ends_the_stream_with_response_incomplete_and_cancels_upstream(
    start_proxy: StartProxy, apis: ApiUpstream, pieces: list[str]
) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    apis.answer(Spoken([*pieces, *[" and more"] * 40], hold_after=4 + len(pieces) + 8))
    deltas, events = await _stream_texts(proxy)
    assert events[-1].type == "response.incomplete"
    assert events[-1].response.incomplete_details.reason == "content_filter"
    assert deltas.endswith(REFUSAL)
    assert "bomb" not in deltas and "bo" not in deltas.removesuffix(REFUSAL)
    assert events[-1].response.output[0].content[0].text == deltas
    await asyncio.wait_for(apis.cancelled.wait(), 5)


async def test_benign_stream_without_policies_is_byte_identical(
    start_proxy: StartProxy, apis: ApiUpstream
) -> None:
    proxy = await start_proxy(upstream_url=apis.url)
    apis.answer(Spoken(list("plain text, nothing to see")))
    from tests.fixtures.api_upstream import responses_events

    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{proxy.url}/v1/responses", json={"model": "m", "input": "x", "stream": True}) as response,
    ):
        body = await response.read()
    assert body == b"".join(responses_events(apis.next))


async def test_input_token_counting_is_moderated_as_a_prompt(
    start_proxy: StartProxy, apis: ApiUpstream
) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    async with _async(proxy) as client:
        with pytest.raises(openai.BadRequestError):
            await client.responses.input_tokens.count(model="m", input="a bomb")
    assert apis.requests == []


async def test_buffer_mode_block_sends_only_the_refusal(start_proxy: StartProxy, apis: ApiUpstream) -> None:
    proxy = await moderated_proxy(start_proxy, apis, **{"streaming.mode": "buffer"})
    apis.answer(Spoken(["fine words " * 5, "then a bomb"]))
    deltas, events = await _stream_texts(proxy)
    assert [e.type for e in events] == ["response.created", "response.in_progress", "response.incomplete"]
    assert deltas == ""
    assert events[-1].response.output_text == REFUSAL


async def test_a_silent_upstream_ends_the_stream_with_an_error_event(
    start_proxy: StartProxy, apis: ApiUpstream
) -> None:
    proxy = await moderated_proxy(start_proxy, apis, **{"upstream.read_timeout": 0.2})
    apis.answer(Spoken(["some ", "text"], hold_after=5))
    _, events = await _stream_texts(proxy)
    assert events[-1].type == "error"
    assert (events[-1].code, events[-1].message) == ("upstream_timeout", "The upstream stream went silent.")


async def test_stream_report_carries_usage(start_proxy: StartProxy, apis: ApiUpstream) -> None:
    reports: list[StreamReport] = []

    class Recorder:
        def stream_finished(self, report: StreamReport) -> None:
            reports.append(report)

    proxy = await start_proxy(
        upstream_url=apis.url,
        scanner=SCANNER,
        moderator=ScannerModerator(SCANNER),
        stream_observer=Recorder(),
    )
    apis.answer(Spoken(["fine ", "words"]))
    deltas, _ = await _stream_texts(proxy)
    assert deltas == "fine words"
    assert (reports[0].outcome, reports[0].usage) == (RelayOutcome.COMPLETED, (3, 5))


async def test_a_stored_response_read_back_is_moderated(start_proxy: StartProxy, apis: ApiUpstream) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    apis.answer(Spoken(["the bomb recipe"]))
    async with _async(proxy) as client:
        blocked = await client.responses.retrieve("resp_1")
        apis.answer(Spoken([TEXT]))
        redacted = await client.responses.retrieve("resp_1")
        stream = await client.responses.retrieve("resp_1", stream=True)
        deltas = "".join([e.delta async for e in stream if e.type == "response.output_text.delta"])
        listed = await client.responses.input_items.list("resp_1")
    assert (blocked.status, blocked.output_text) == ("incomplete", REFUSAL)
    assert redacted.output_text == deltas == MODERATED
    assert listed is not None  # other reads pass through
    assert [r.path for r in apis.requests][-1] == "/v1/responses/resp_1/input_items"


async def test_a_stored_chat_completion_read_back_is_moderated(
    start_proxy: StartProxy, apis: ApiUpstream
) -> None:
    proxy = await moderated_proxy(start_proxy, apis)
    apis.answer(Spoken([TEXT]))
    async with _async(proxy) as client:
        completion = await client.chat.completions.retrieve("chatcmpl-1")
    assert completion.choices[0].message.content == MODERATED


def test_a_changed_part_loses_its_logprobs() -> None:
    logprobs = [{"token": "darn", "logprob": -0.1}]
    part = {"type": "output_text", "text": "oh darn", "logprobs": logprobs}
    body = {"output": [{"type": "message", "content": [part, {**part, "text": "fine"}]}]}
    slots = response_slots(body)
    redacted = Decision(Action.REDACT, (), "r", redacted="oh ***")
    apply_response(body, slots, Moderation((redacted, Decision(Action.ALLOW, (), "r")), "r"), REFUSAL)
    assert body["output"][0]["content"] == [  # type: ignore[index]
        {"type": "output_text", "text": "oh ***", "logprobs": []},
        {"type": "output_text", "text": "fine", "logprobs": logprobs},
    ]
