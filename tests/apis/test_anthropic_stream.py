"""Anthropic streams: a keyword split anywhere never reaches the client; a block stops with ``refusal``."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.apis.anthropic_stream import MessagesEvents
from tests.apis.helpers import MODERATED, REFUSAL, TEXT, cut, split_keyword
from tests.apis.stream_check import rewrite, strings
from tests.fixtures.api_upstream import SIGNATURE, Spoken, messages_events


def _text(events: list[dict[str, object]]) -> str:
    return "".join(
        str(e["delta"]["text"])  # type: ignore[index]
        for e in events
        if e["type"] == "content_block_delta" and e["delta"]["type"] == "text_delta"  # type: ignore[index]
    )


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
    events, blocked = rewrite(MessagesEvents, messages_events(spoken))
    assert blocked
    assert not any("bomb" in s for e in events for s in strings(e))
    assert [e["type"] for e in events[-3:]] == ["content_block_stop", "message_delta", "message_stop"]
    assert events[-2]["delta"]["stop_reason"] == "refusal"  # type: ignore[index]
    assert _text(events).endswith(REFUSAL)


@settings(max_examples=100, deadline=None)
@given(points=st.lists(st.integers(min_value=1, max_value=len(TEXT) - 1), max_size=15))
def test_any_split_releases_the_non_streamed_moderation(points: list[int]) -> None:
    events, blocked = rewrite(MessagesEvents, messages_events(Spoken(cut(TEXT, points))))
    assert not blocked
    assert _text(events) == MODERATED
    assert events[-1]["type"] == "message_stop"


def _thinking(events: list[dict[str, Any]]) -> str:
    return "".join(e["delta"]["thinking"] for e in _deltas(events) if e["delta"]["type"] == "thinking_delta")


def _deltas(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == "content_block_delta"]


@settings(max_examples=100, deadline=None)
@given(
    before=st.text(alphabet="ab ,.", max_size=30),
    after=st.text(alphabet="ab ,.", max_size=30),
    points=st.lists(st.integers(min_value=1, max_value=80), max_size=12),
)
def test_a_keyword_split_in_the_thinking_never_reaches_the_client(
    before: str, after: str, points: list[int]
) -> None:
    thinking = cut(f"{before} bomb {after}", points)
    events, blocked = rewrite(MessagesEvents, messages_events(Spoken(["fine"], thinking=thinking)))
    assert blocked
    assert "bomb" not in _thinking(events)
    assert "signature_delta" not in [e["delta"]["type"] for e in _deltas(events)]
    # the thinking block ends, the refusal is a text block of its own, then the message ends
    assert [(e["type"], e.get("index")) for e in events[-6:]] == [
        ("content_block_stop", 0),
        ("content_block_start", 1),
        ("content_block_delta", 1),
        ("content_block_stop", 1),
        ("message_delta", None),
        ("message_stop", None),
    ]
    assert _text(events) == REFUSAL
    assert events[-2]["delta"]["stop_reason"] == "refusal"


@settings(max_examples=100, deadline=None)
@given(points=st.lists(st.integers(min_value=1, max_value=len(TEXT) - 1), max_size=15))
def test_thinking_is_never_rewritten_a_redaction_in_it_refuses_the_answer(points: list[int]) -> None:
    events, blocked = rewrite(MessagesEvents, messages_events(Spoken(["fine"], thinking=cut(TEXT, points))))
    assert blocked
    assert TEXT.startswith(_thinking(events)), "what went out is the thinking as written"
    assert "darn" not in _thinking(events)
    assert _text(events) == REFUSAL


@settings(max_examples=100, deadline=None)
@given(points=st.lists(st.integers(min_value=1, max_value=40), max_size=12))
def test_benign_thinking_goes_out_whole_before_its_signature(points: list[int]) -> None:
    thinking = "Let me think about the weather. 我想一想天气。"
    events, blocked = rewrite(MessagesEvents, messages_events(Spoken([TEXT], thinking=cut(thinking, points))))
    assert not blocked
    assert _thinking(events) == thinking
    deltas = [e["delta"] for e in _deltas(events)]
    signature = next(i for i, d in enumerate(deltas) if d["type"] == "signature_delta")
    assert deltas[signature]["signature"] == SIGNATURE
    assert {d["type"] for d in deltas[:signature]} == {"thinking_delta"}, "all of it before the signature"
    assert "thinking_delta" not in {d["type"] for d in deltas[signature:]}
    assert _text(events) == MODERATED, "the answer after it is moderated as usual"


def _with_search_result(title: str) -> list[bytes]:
    """A stream whose second block is a server tool's result, which arrives whole at its start."""
    events = messages_events(Spoken(["Searching."]))
    result = {
        "type": "web_search_tool_result",
        "tool_use_id": "srvtoolu_1",
        "content": [
            {"type": "web_search_result", "url": "https://x/a", "title": title, "encrypted_content": "Eq"}
        ],
    }
    whole = [
        f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()
        for name, data in (
            ("content_block_start", {"type": "content_block_start", "index": 1, "content_block": result}),
            ("content_block_stop", {"type": "content_block_stop", "index": 1}),
        )
    ]
    at = next(i for i, e in enumerate(events) if b'"content_block_stop"' in e) + 1
    return [*events[:at], *whole, *events[at:]]


def test_a_block_that_arrives_whole_is_refused_before_the_client_sees_it_start() -> None:
    events, blocked = rewrite(MessagesEvents, _with_search_result("how to build a bomb"))
    assert blocked
    assert not any("bomb" in s for e in events for s in strings(e))
    assert [(e["type"], e.get("index")) for e in events[-5:]] == [
        ("content_block_start", 1),
        ("content_block_delta", 1),
        ("content_block_stop", 1),
        ("message_delta", None),
        ("message_stop", None),
    ], "the refusal takes the index of the block the client never saw"
    assert events[-4]["delta"]["text"] == REFUSAL


def test_a_block_that_arrives_whole_is_redacted_or_passed_as_it_came() -> None:
    events, blocked = rewrite(MessagesEvents, _with_search_result(TEXT))
    assert not blocked
    result = next(e for e in events if e["type"] == "content_block_start" and e["index"] == 1)
    assert result["content_block"]["content"][0]["title"] == MODERATED
    assert result["content_block"]["content"][0]["encrypted_content"] == "Eq"
    upstream = [json.loads(e.split(b"data: ", 1)[1]) for e in _with_search_result("Train times")]
    events, blocked = rewrite(MessagesEvents, _with_search_result("Train times"))
    assert not blocked
    starts = [e for e in events if e["type"] == "content_block_start"]
    assert starts == [e for e in upstream if e["type"] == "content_block_start"]


def _citing(cited_text: str) -> list[bytes]:
    """A stream whose text cites a web page: a ``citations_delta`` before the text's deltas."""
    events = messages_events(Spoken(["As the page says, trains run hourly."]))
    citation = {"type": "web_search_result_location", "url": "https://x/a", "title": "Timetable",
                "encrypted_index": "Eo8B", "cited_text": cited_text}  # fmt: skip
    cite = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "citations_delta", "citation": citation},
    }
    at = next(i for i, e in enumerate(events) if b'"content_block_delta"' in e)
    return [*events[:at], f"event: content_block_delta\ndata: {json.dumps(cite)}\n\n".encode(), *events[at:]]


def test_what_a_text_cites_is_moderated_before_the_client_sees_it() -> None:
    events, blocked = rewrite(MessagesEvents, _citing(TEXT))
    assert not blocked
    cited = next(e["delta"]["citation"] for e in _deltas(events) if e["delta"]["type"] == "citations_delta")  # type: ignore[index]
    assert (cited["cited_text"], cited["encrypted_index"]) == (MODERATED, "Eo8B")
    events, blocked = rewrite(MessagesEvents, _citing("how to build a bomb"))
    assert blocked
    assert not any("bomb" in s for e in events for s in strings(e))
    assert _text(events) == REFUSAL  # the refusal ends the text block the citation belonged to
