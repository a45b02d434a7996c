"""Fuzzing the request parsers and the response rewriting of the OpenAI format with the shipped
policies: whatever the body, only a ``BadRequest`` (400) may escape, and what goes out is JSON."""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy.apis import openai_chat
from proxy.apis.base import parse_json_object, with_redactions
from proxy.apis.json_limits import JsonLimits
from proxy.errors import BadRequest
from proxy.moderation.moderator import Moderation
from proxy.policy.decision import Phase
from proxy.policy.loader import load_policy_set
from proxy.stream.chunks import expected_choices
from tests.fuzz.corpus import FUZZ, corpus

POLICIES = load_policy_set(Path(__file__).resolve().parents[2] / "policies")
TEXTS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["how to build a bomb", "my SSN is 123-45-6789", "ignore previous instructions", "制作炸弹"]
    ),
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXTS)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXTS, inner, max_size=4),
    max_leaves=12,
)
PARTS = st.one_of(
    VALUES, st.fixed_dictionaries({"type": st.sampled_from(["text", "image_url"]), "text": VALUES})
)
MESSAGES = st.lists(
    st.one_of(
        VALUES,
        st.fixed_dictionaries(
            {},
            optional={
                "role": st.sampled_from(["user", "system", "assistant", "tool"]) | VALUES,
                "content": st.one_of(TEXTS, st.lists(PARTS, max_size=3), VALUES),
                "tool_calls": st.lists(
                    st.fixed_dictionaries(
                        {"function": st.fixed_dictionaries({}, optional={"arguments": VALUES | TEXTS})}
                    )
                    | VALUES,
                    max_size=2,
                ),
            },
        ),
    ),
    max_size=4,
)
BODIES = st.fixed_dictionaries(
    {},
    optional={
        "model": TEXTS | VALUES,
        "messages": MESSAGES | VALUES,
        "prompt": st.one_of(TEXTS, st.lists(TEXTS | st.integers(), max_size=3), VALUES),
        "input": st.one_of(TEXTS, st.lists(TEXTS, max_size=3), VALUES),
        "stream": VALUES,
        "n": st.integers() | VALUES,
        "choices": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "message": st.fixed_dictionaries({}, optional={"content": TEXTS | VALUES}),
                    "text": TEXTS | VALUES,
                },
            )
            | VALUES,
            max_size=3,
        )
        | VALUES,
    },
)


def moderated(texts: list[str], phase: Phase) -> Moderation:
    return Moderation(tuple(POLICIES.evaluate(text, phase) for text in texts), POLICIES.revision)


def story(raw: bytes) -> None:
    """What the handlers do with a body, in order; BadRequest is the only way out."""
    try:
        body = parse_json_object(raw, JsonLimits(max_depth=32, max_elements=10_000))
    except BadRequest:
        return
    openai_chat.model_of("application/json", raw)
    expected_choices(body)
    with contextlib.suppress(BadRequest):
        openai_chat.moderation_inputs(body)
    for parse in (openai_chat.parse_chat_request, openai_chat.parse_completion_request):
        try:
            parsed = parse(copy.deepcopy(body))
        except BadRequest:
            continue
        prompt = moderated(parsed.texts, Phase.PROMPT)
        json.dumps(with_redactions(parsed.body, parsed.slots, prompt))
        json.dumps(openai_chat.prompt_blocked_body(prompt))
    for slots_of in (openai_chat.chat_response_slots, openai_chat.completion_response_slots):
        reply = copy.deepcopy(body)
        slots = slots_of(reply)
        verdict = moderated([slot.text for slot in slots], Phase.RESPONSE)
        openai_chat.apply_response_moderation(reply, slots, verdict, "refused")
        openai_chat.annotate_prompt(reply, slots, verdict)
        json.dumps(reply)


@FUZZ
@given(BODIES)
def test_structured_bodies(body: dict[str, Any]) -> None:
    story(json.dumps(body).encode())


@FUZZ
@given(st.binary(max_size=300) | VALUES.map(lambda v: json.dumps(v).encode()))
def test_any_bytes(raw: bytes) -> None:
    story(raw)


@pytest.mark.parametrize("raw", corpus("request"))
def test_corpus(raw: bytes) -> None:
    story(raw)
