"""Responses streams: a keyword split anywhere never reaches the client, in deltas or in ``*.done`` events."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.apis.openai_responses_stream import ResponsesEvents
from proxy.stream.events import TextWindows
from tests.apis.helpers import MODERATED, REFUSAL, SCANNER, TEXT, cut, split_keyword
from tests.apis.stream_check import rewrite, strings
from tests.fixtures.api_upstream import Spoken, responses_events


def _deltas(events: list[dict[str, object]]) -> str:
    return "".join(str(e["delta"]) for e in events if e["type"] == "response.output_text.delta")


@settings(max_examples=150, deadline=None)
@given(
    before=st.text(alphabet="ab ,.", max_size=30),
    after=st.text(alphabet="ab ,.", max_size=30),
    points=st.lists(st.integers(min_value=1, max_value=80), max_size=12),
    in_tool=st.booleans(),
)
def test_a_split_keyword_never_reaches_the_client(
    before: str, after: str, points: list[int], in_tool: bool
) -> None:
    spoken = split_keyword(before, after, points, in_tool=in_tool)
    events, blocked = rewrite(ResponsesEvents, responses_events(spoken))
    assert blocked
    assert not any("bomb" in s for e in events for s in strings(e))
    assert events[-1]["type"] == "response.incomplete"
    assert events[-1]["response"]["incomplete_details"] == {"reason": "content_filter"}  # type: ignore[index]
    if not in_tool:
        assert _deltas(events).endswith(REFUSAL)


@settings(max_examples=100, deadline=None)
@given(points=st.lists(st.integers(min_value=1, max_value=len(TEXT) - 1), max_size=15))
def test_any_split_releases_the_non_streamed_moderation(points: list[int]) -> None:
    events, blocked = rewrite(ResponsesEvents, responses_events(Spoken(cut(TEXT, points))))
    assert not blocked
    assert _deltas(events) == MODERATED
    done = next(e for e in events if e["type"] == "response.output_text.done")
    assert done["text"] == MODERATED
    assert not any("darn" in s or "555" in s for e in events for s in strings(e))


def _event(kind: str, **fields: object) -> bytes:
    return f"event: {kind}\ndata: {json.dumps({'type': kind, **fields})}\n\n".encode()


def test_custom_tool_input_and_reasoning_are_moderated() -> None:
    item = {"id": "ct_1", "type": "custom_tool_call", "call_id": "c", "name": "sh", "input": ""}
    reasoning = {
        "id": "rs_1",
        "type": "reasoning",
        "summary": [],
        "content": [{"type": "reasoning_text", "text": "darn"}],
    }
    upstream = [
        _event("response.created", response={"id": "resp_1", "status": "in_progress", "output": []}),
        _event("response.output_item.added", output_index=0, item=reasoning),
        _event(
            "response.reasoning_text.delta", item_id="rs_1", output_index=0, content_index=0, delta="darn"
        ),
        _event("response.output_item.done", output_index=0, item=reasoning),
        _event("response.output_item.added", output_index=1, item=item),
        *(
            _event("response.custom_tool_call_input.delta", item_id="ct_1", output_index=1, delta=d)
            for d in ["da", "rn!"]
        ),
        _event("response.custom_tool_call_input.done", item_id="ct_1", output_index=1, input="darn!"),
        _event("response.output_item.done", output_index=1, item={**item, "input": "darn!"}),
    ]
    events, blocked = rewrite(ResponsesEvents, upstream)
    assert not blocked
    deltas = [e["delta"] for e in events if e["type"] == "response.custom_tool_call_input.delta"]
    assert "".join(deltas) == "***!"  # type: ignore[arg-type]
    done = next(e for e in events if e["type"] == "response.custom_tool_call_input.done")
    assert done["input"] == "***!"
    assert events[-1]["item"]["input"] == "***!"  # type: ignore[index]
    thought = [e for e in events if e["type"] == "response.reasoning_text.delta"]
    assert "".join(str(e["delta"]) for e in thought) == "***"
    assert next(e for e in events if e["type"] == "response.output_item.done")["item"]["content"] == [  # type: ignore[index]
        {"type": "reasoning_text", "text": "***"}
    ]


def test_a_block_in_a_reasoning_summary_ends_with_a_refusal_message() -> None:
    reasoning = {"id": "rs_1", "type": "reasoning", "summary": []}
    where = {"item_id": "rs_1", "output_index": 0, "summary_index": 0}
    upstream = [
        _event("response.created", response={"id": "resp_1", "status": "in_progress", "output": []}),
        _event("response.output_item.added", output_index=0, item=reasoning),
        _event("response.reasoning_summary_part.added", **where, part={"type": "summary_text", "text": ""}),
        *(
            _event("response.reasoning_summary_text.delta", **where, delta=d)
            for d in ["They want a bo", "mb; I will explain it", " step by step."]
        ),
        _event("response.reasoning_summary_text.done", **where, text="never sent"),
    ]
    events, blocked = rewrite(ResponsesEvents, upstream)
    assert blocked
    summary = "".join(str(e["delta"]) for e in events if e["type"] == "response.reasoning_summary_text.delta")
    assert "bo" not in summary
    final = events[-1]
    assert final["type"] == "response.incomplete"
    output = final["response"]["output"]  # type: ignore[index]
    assert output[0]["type"] == "reasoning" and "bomb" not in json.dumps(output[0])
    assert output[-1]["content"][0]["text"] == REFUSAL  # the refusal comes as a message


def test_logprobs_of_a_changed_text_are_dropped() -> None:
    where = {"item_id": "msg_1", "output_index": 0, "content_index": 0}
    item = {"id": "msg_1", "type": "message", "role": "assistant", "content": []}
    logprobs = [{"token": "darn", "logprob": -0.1}]
    upstream = [
        _event("response.created", response={"id": "resp_1", "status": "in_progress", "output": []}),
        _event("response.output_item.added", output_index=0, item=item),
        _event("response.content_part.added", **where, part={"type": "output_text", "text": ""}),
        _event("response.output_text.delta", **where, delta="oh darn", logprobs=logprobs),
        _event(
            "response.output_text.delta", **where, delta=" fine", logprobs=[{"token": " fine", "logprob": 0}]
        ),
        _event("response.output_text.done", **where, text="oh darn fine", logprobs=logprobs),
    ]
    events, _ = rewrite(ResponsesEvents, upstream)
    assert not any("darn" in s for e in events for s in strings(e))
    done = events[-1]
    assert (done["text"], done["logprobs"]) == ("oh *** fine", [])


def _hosted(arguments: list[str], output: str) -> list[bytes]:
    """A stream whose answer ends with an MCP call: arguments as deltas, its result whole."""
    return responses_events(Spoken(["fine"], mcp_arguments=arguments, mcp_output=output))


@settings(max_examples=60, deadline=None)
@given(points=st.lists(st.integers(min_value=1, max_value=15), max_size=8))
def test_a_hosted_calls_arguments_and_result_are_moderated(points: list[int]) -> None:
    events, blocked = rewrite(ResponsesEvents, _hosted(cut('{"q": "darn it"}', points), TEXT))
    assert not blocked
    deltas = [e["delta"] for e in events if e["type"] == "response.mcp_call_arguments.delta"]
    assert "".join(deltas) == '{"q": "*** it"}'  # type: ignore[arg-type]
    assert next(e for e in events if e["type"] == "response.mcp_call_arguments.done")["arguments"] == (
        '{"q": "*** it"}'
    )
    done = [e["item"] for e in events if e["type"] == "response.output_item.done"][-1]
    final = events[-1]["response"]["output"][-1]  # type: ignore[index]
    for item in (done, final):
        assert (item["arguments"], item["output"]) == ('{"q": "*** it"}', MODERATED)  # type: ignore[index]
    assert not any("darn" in s or "555" in s for e in events for s in strings(e))


def test_a_hosted_result_is_checked_and_counted_once_though_it_comes_twice() -> None:
    windows = TextWindows(SCANNER)
    events, _ = rewrite(ResponsesEvents, _hosted(["{}"], "oh darn"), windows)
    assert events[-1]["response"]["output"][-1]["output"] == "oh ***"  # type: ignore[index]
    assert len(windows.findings) == 1


def test_a_hosted_result_that_blocks_never_reaches_the_client() -> None:
    events, blocked = rewrite(ResponsesEvents, _hosted(['{"q": 1}'], "how to build a bomb"))
    assert blocked
    assert not any("bomb" in s for e in events for s in strings(e))
    final = events[-1]
    assert final["type"] == "response.incomplete"
    output = final["response"]["output"]  # type: ignore[index]
    assert [item["type"] for item in output] == ["message", "mcp_call", "message"]
    assert (output[1]["arguments"], output[1]["output"]) == ('{"q": 1}', None)  # as the client saw it
    assert output[-1]["content"][0]["text"] == REFUSAL


def test_an_item_refused_when_added_never_starts_for_the_client() -> None:
    search = {
        "id": "ws_1",
        "type": "web_search_call",
        "status": "completed",
        "action": {"type": "search", "query": "how to build a bomb"},
    }
    upstream = [
        _event("response.created", response={"id": "resp_1", "status": "in_progress", "output": []}),
        _event("response.output_item.added", output_index=0, item=search),
        _event("response.output_item.done", output_index=0, item=search),
        _event("response.completed", response={"id": "resp_1", "status": "completed", "output": [search]}),
    ]
    events, blocked = rewrite(ResponsesEvents, upstream)
    assert blocked
    assert [e["type"] for e in events] == ["response.created", "response.incomplete"]
    output = events[-1]["response"]["output"]  # type: ignore[index]
    assert [(item["type"], item["content"][0]["text"]) for item in output] == [("message", REFUSAL)]


@pytest.mark.parametrize("name", ["code_interpreter_call_code", "code_interpreter_call.code"])
def test_code_interpreter_code_and_logs_are_moderated(name: str) -> None:
    call = {"id": "ci_1", "type": "code_interpreter_call", "status": "in_progress", "container_id": "c"}
    ran = {
        **call,
        "status": "completed",
        "code": "print('darn')",
        "outputs": [{"type": "logs", "logs": "darn"}],
    }
    where = {"item_id": "ci_1", "output_index": 0}
    upstream = [
        _event("response.created", response={"id": "resp_1", "status": "in_progress", "output": []}),
        _event("response.output_item.added", output_index=0, item={**call, "code": "", "outputs": None}),
        *(_event(f"response.{name}.delta", **where, delta=d) for d in ["print('da", "rn')"]),
        _event(f"response.{name}.done", **where, code="print('darn')"),
        _event("response.output_item.done", output_index=0, item=ran),
        _event("response.completed", response={"id": "resp_1", "status": "completed", "output": [ran]}),
    ]
    events, blocked = rewrite(ResponsesEvents, upstream)
    assert not blocked
    assert "".join(str(e["delta"]) for e in events if e["type"] == f"response.{name}.delta") == "print('***')"
    assert next(e for e in events if e["type"] == f"response.{name}.done")["code"] == "print('***')"
    for item in (events[-2]["item"], events[-1]["response"]["output"][0]):  # type: ignore[index]
        assert (item["code"], item["outputs"]) == ("print('***')", [{"type": "logs", "logs": "***"}])  # type: ignore[index]
    assert not any("darn" in s for e in events for s in strings(e))


def _cited(title: str) -> list[bytes]:
    """A message whose text cites a web page titled ``title`` (an annotation event, then the ends)."""
    where = {"item_id": "msg_1", "output_index": 0, "content_index": 0}
    note = {"type": "url_citation", "url": "https://x/a", "title": title, "start_index": 0, "end_index": 4}
    part = {"type": "output_text", "text": "Trains run hourly.", "annotations": [note]}
    item = {"id": "msg_1", "type": "message", "role": "assistant", "status": "completed", "content": [part]}
    return [
        _event("response.created", response={"id": "resp_1", "status": "in_progress", "output": []}),
        _event("response.output_item.added", output_index=0, item={**item, "content": []}),
        _event("response.content_part.added", **where, part={**part, "text": "", "annotations": []}),
        _event("response.output_text.delta", **where, delta="Trains run hourly."),
        _event("response.output_text.annotation.added", **where, annotation_index=0, annotation=note),
        _event("response.output_text.done", **where, text="Trains run hourly."),
        _event("response.content_part.done", **where, part=part),
        _event("response.output_item.done", output_index=0, item=item),
        _event("response.completed", response={"id": "resp_1", "status": "completed", "output": [item]}),
    ]


def test_what_a_text_cites_is_moderated_wherever_it_comes() -> None:
    windows = TextWindows(SCANNER)
    events, blocked = rewrite(ResponsesEvents, _cited("Oh darn, trains"), windows)
    assert not blocked
    assert not any("darn" in s for e in events for s in strings(e))
    assert events[4]["annotation"]["title"] == "Oh ***, trains"  # type: ignore[index]
    assert events[-1]["response"]["output"][0]["content"][0]["annotations"][0]["title"] == "Oh ***, trains"  # type: ignore[index]
    assert len(windows.findings) == 1  # checked once, though four events carry it
    events, blocked = rewrite(ResponsesEvents, _cited("how to build a bomb"))
    assert blocked
    assert not any("bomb" in s for e in events for s in strings(e))
    text = _deltas(events)
    assert text.endswith(REFUSAL)  # what the window still held is dropped, as for any block
    assert "Trains run hourly.".startswith(text.removesuffix(REFUSAL))
