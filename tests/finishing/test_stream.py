"""Finishing streamed answers: for any answer and any split of it into deltas, in every format, the
client assembles exactly the plain answer (plus the label), whatever the placeholders' split."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.finishing.labels import Finish, Label
from proxy.finishing.pseudonyms import Pseudonyms
from proxy.finishing.stream import finisher_for
from proxy.stream.sse import SSEEvent, SSEParser
from tests.fixtures.api_upstream import Spoken, messages_events, responses_events
from tests.fixtures.echo_model import completion_chunks
from tests.fixtures.upstream import chat_chunks

VALUES = ("jane@example.com", "138 1234 5678", "11010519491231002X")
BASES = ("[EMAIL]", "[PHONE]", "[ID]")
LABEL = Label("(AI-generated content)", False, "acme", "req-1")


def _events(raw: bytes) -> list[SSEEvent]:
    return [e for e in SSEParser().feed(raw) if isinstance(e, SSEEvent)]


def _chat_text(events: list[SSEEvent]) -> str:
    out = []
    for event in events:
        if event.data.startswith("{"):
            for choice in json.loads(event.data)["choices"]:
                out.append(choice["delta"].get("content") or "" if "delta" in choice else choice["text"])
    return "".join(out)


def _responses_text(events: list[SSEEvent]) -> str:
    deltas, done, completed = [], None, None
    for event in events:
        data = json.loads(event.data)
        if data["type"] == "response.output_text.delta":
            deltas.append(data["delta"])
        elif data["type"] == "response.output_text.done":
            done = data["text"]
        elif data["type"] == "response.completed":
            completed = data["response"]["output"][0]["content"][0]["text"]
    assert done == completed == "".join(deltas)
    return done


def _messages_text(events: list[SSEEvent]) -> str:
    out = []
    stopped = False
    for event in events:
        data = json.loads(event.data)
        if data["type"] == "content_block_delta":
            assert not stopped, "no text after the block stopped"
            out.append(data["delta"]["text"])
        stopped = stopped or data["type"] == "content_block_stop"
    return "".join(out)


def _chat(deltas: list[str]) -> list[bytes]:
    return chat_chunks(*deltas)


def _responses(deltas: list[str]) -> list[bytes]:
    return responses_events(Spoken(deltas))


def _messages(deltas: list[str]) -> list[bytes]:
    return messages_events(Spoken(deltas))


FORMATS: dict[str, tuple[Callable[[list[str]], list[bytes]], Callable[[list[SSEEvent]], str]]] = {
    "chat_completions": (_chat, _chat_text),
    "completions": (completion_chunks, _chat_text),
    "responses": (_responses, _responses_text),
    "messages": (_messages, _messages_text),
}

FILLER = st.text(st.sampled_from("ab [_EMAIL1PHONE\n中"), max_size=10)
PIECES = st.lists(st.one_of(FILLER, st.integers(0, len(VALUES) - 1)), max_size=10)


def finished(endpoint: str, finish: Finish, deltas: list[str]) -> str:
    build, read = FORMATS[endpoint]
    finisher = finisher_for(endpoint, finish)
    assert finisher is not None
    out = bytearray()
    for raw in build(deltas):
        for event in _events(raw):
            finisher.event(event, out)
    finisher.end(out)
    return read(_events(bytes(out)))


@pytest.mark.parametrize("endpoint", FORMATS)
@settings(max_examples=60, deadline=None)
@given(pieces=PIECES, cuts=st.lists(st.integers(0, 300), max_size=20), labelled=st.booleans())
def test_any_split_of_the_streamed_answer_reads_as_the_plain_answer(
    endpoint: str, pieces: list[Any], cuts: list[int], labelled: bool
) -> None:
    pseudonyms = Pseudonyms()
    tokens = [pseudonyms.issue(v, b) for v, b in zip(VALUES, BASES, strict=True)]
    plain = "".join(VALUES[p] if isinstance(p, int) else p for p in pieces)
    sent = "".join(tokens[p] if isinstance(p, int) else p for p in pieces)
    points = sorted({c for c in cuts if 0 < c < len(sent)})
    deltas = [sent[a:b] for a, b in zip([0, *points], [*points, len(sent)], strict=True)] or [""]
    finish = Finish(LABEL if labelled else None, pseudonyms)
    assert finished(endpoint, finish, deltas) == plain + (LABEL.text if labelled else "")


@pytest.mark.parametrize("endpoint", FORMATS)
def test_a_prepended_label_opens_the_stream(endpoint: str) -> None:
    label = Label("[AI] ", True, "acme", "req-1")
    assert finished(endpoint, Finish(label, None), ["Hel", "lo"]) == "[AI] Hello"


def test_tool_arguments_get_values_back_json_escaped_across_deltas() -> None:
    pseudonyms = Pseudonyms()
    token = pseudonyms.issue('a"b@x.io', "[EMAIL]")
    arguments = json.dumps({"to": token})
    finisher = finisher_for("responses", Finish(None, pseudonyms))
    assert finisher is not None
    out = bytearray()
    for raw in responses_events(Spoken(["hi"], tool_args=[arguments[:9], arguments[9:]])):
        for event in _events(raw):
            finisher.event(event, out)
    events = [json.loads(e.data) for e in _events(bytes(out))]
    streamed = "".join(e["delta"] for e in events if e["type"] == "response.function_call_arguments.delta")
    done = next(e["arguments"] for e in events if e["type"] == "response.function_call_arguments.done")
    assert json.loads(streamed) == json.loads(done) == {"to": 'a"b@x.io'}
