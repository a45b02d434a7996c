"""Fuzzing every wire format's request story and answer rewriting, and the Responses and Messages
stream rewriters, with the shipped policies: whatever a client or an upstream sends, only a
``BadRequest`` (400) may escape, what is forwarded or answered is JSON, and a stream's events are
well-formed."""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from proxy.apis import FORMATS
from proxy.apis.base import ApiFormat, sealed_mask
from proxy.apis.json_limits import JsonLimits
from proxy.apis.openai_inputs import form_fields
from proxy.errors import BadRequest
from proxy.moderation.moderator import Moderation
from proxy.policy.decision import Phase
from proxy.policy.loader import load_policy_set
from proxy.stream.events import RewriterFactory, TextWindows
from proxy.stream.sse import SSEEvent, SSEParser
from tests.fuzz.corpus import FUZZ
from tests.fuzz.strategies import EVENTS, LISTS, TEXTS, VALUES

POLICIES = load_policy_set(Path(__file__).resolve().parents[2] / "policies")
LIMITS = JsonLimits(max_depth=32, max_elements=10_000)
BODIES = st.fixed_dictionaries(
    {},
    optional={
        "model": TEXTS | VALUES,
        "stream": st.booleans() | VALUES,
        "max_tokens": st.integers(0, 5) | VALUES,
        "instructions": TEXTS | VALUES,
        "system": LISTS,
        "input": LISTS,
        "prompt": LISTS,
        "messages": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "role": st.sampled_from(["user", "assistant", "system"]) | VALUES,
                    "content": LISTS,
                },
            )
            | VALUES,
            max_size=3,
        )
        | VALUES,
        "tools": st.lists(
            st.fixed_dictionaries(
                {}, optional={"description": TEXTS | VALUES, "parameters": VALUES, "input_schema": VALUES}
            )
            | VALUES,
            max_size=2,
        )
        | VALUES,
        "output": LISTS,
        "content": LISTS,
        "choices": VALUES,
        "data": VALUES,
    },
)


def moderated(texts: list[str], phase: Phase, mask: tuple[bool, ...] = ()) -> Moderation:
    verdict = Moderation(tuple(POLICIES.evaluate(text, phase) for text in texts), POLICIES.revision)
    return verdict.sealed(mask) if mask else verdict


def request_story(fmt: ApiFormat, raw: bytes, content_type: str) -> bytes | None:
    """A request's story as the handlers tell it: what goes upstream (``None``: a local reply)."""
    try:
        parsed = fmt.parse(fmt.decode(raw, content_type, LIMITS))
    except BadRequest:
        return None
    prompt = moderated(parsed.texts, Phase.PROMPT, parsed.sealed)
    if prompt.blocked:
        json.dumps(fmt.prompt_blocked(prompt, parsed.texts).body)
        return None
    return fmt.encode(raw, content_type, parsed, prompt)


def story(fmt: ApiFormat, body: dict[str, Any]) -> None:
    """A request's story, then the same body read as the upstream's answer."""
    forwarded = request_story(fmt, json.dumps(body).encode(), "application/json")
    if forwarded is not None:
        json.loads(forwarded)
    if fmt.response_slots is None:
        return
    reply = copy.deepcopy(body)
    slots = fmt.response_slots(reply)
    verdict = moderated([slot.text for slot in slots], Phase.RESPONSE, sealed_mask(slots))
    fmt.apply_response(reply, slots, verdict, "refused", ())
    json.dumps(reply)
    if fmt.usage is not None:
        fmt.usage(reply)


@FUZZ
@pytest.mark.parametrize("path", list(FORMATS))
@given(body=BODIES)
@example(body={"model": "m", "system": [{"type": []}], "content": [{"type": {}}]})  # an unhashable kind
@example(body={"output": [{"type": "x", "arguments": "mail a@b.co", "logprobs": [["a@b.co"]]}]})
def test_any_body_through_every_format(path: str, body: dict[str, Any]) -> None:
    story(FORMATS[path], body)


BOUNDARY = "b0undary"
FORM_PARTS = st.lists(
    st.tuples(
        st.sampled_from(["prompt", "model", "image", "n", ""]) | st.text(max_size=8),
        st.booleans(),  # a file part
        TEXTS.map(str.encode) | st.binary(max_size=20),
    ),
    max_size=4,
)


def form(parts: list[tuple[str, bool, bytes]], cut: int | None) -> bytes:
    raw = b""
    for name, is_file, value in parts:
        filename = '; filename="a.png"' if is_file else ""
        head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"{filename}\r\n\r\n'
        raw += head.encode() + value + b"\r\n"
    raw += f"--{BOUNDARY}--\r\n".encode()
    return raw if cut is None else raw[:cut]


@FUZZ
@given(parts=FORM_PARTS, cut=st.none() | st.integers(0, 200), boundary=st.sampled_from([BOUNDARY, "", '"q"']))
@example(parts=[("prompt", False, b"mail a@b.co")], cut=None, boundary=BOUNDARY)
def test_any_multipart_form(parts: list[tuple[str, bool, bytes]], cut: int | None, boundary: str) -> None:
    raw, content_type = form(parts, cut), f"multipart/form-data; boundary={boundary}"
    forwarded = request_story(FORMATS["/v1/images/edits"], raw, content_type)
    if forwarded is not None and forwarded != raw:  # only the prompt was rewritten (redacted)
        prompt = form_fields(raw, content_type)["prompt"]
        assert forwarded[: prompt.start] == raw[: prompt.start]
        assert forwarded.endswith(raw[prompt.end :])


REWRITERS = {path: fmt.stream for path, fmt in FORMATS.items() if fmt.stream is not None}


def relay(factory: RewriterFactory, events: list[dict[str, Any]]) -> bytes:
    async def run() -> bytes:
        rewriter = factory(TextWindows(POLICIES), "refused")
        out = bytearray()
        raw = b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)
        for item in SSEParser().feed(raw):
            assert isinstance(item, SSEEvent)
            block = await rewriter.event(item, json.loads(item.data), out)
            if block is not None:
                rewriter.refuse(block, out)
                return bytes(out)
        block = await rewriter.end(out)
        if block is not None:
            rewriter.refuse(block, out)
        return bytes(out)

    return asyncio.run(run())


@FUZZ
@pytest.mark.parametrize("path", list(REWRITERS))
@given(events=EVENTS)
@example(events=[{"type": "response.function_call_arguments.done"}])  # the whole text missing
@example(events=[{"type": "response.output_text.done", "text": ["no", "string"]}])
@example(events=[{"type": "content_block_start", "index": 0, "content_block": {"type": []}}])
def test_any_events_through_every_stream_rewriter(path: str, events: list[dict[str, Any]]) -> None:
    out = relay(REWRITERS[path], events)
    for item in SSEParser().feed(out):
        assert isinstance(item, SSEEvent)
        json.loads(item.data)
