"""Chunk templates: an event is taken for "the template with another text" only when it decodes so."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.stream.choices import TextKey
from proxy.stream.template import ContentTemplate, ContentTemplates, Filled


def _chunk(content: Any = "hi", index: int = 0, fields: dict[str, str] | None = None) -> dict[str, Any]:
    choice = {"index": index, "delta": {"content": content}, "logprobs": None, "finish_reason": None}
    return {
        "id": "c1",
        "object": "chat.completion.chunk",
        "model": "m",
        "choices": [choice],
        **(fields or {}),
    }


def _template(chunk: dict[str, Any], **dumps: Any) -> ContentTemplate | None:
    return ContentTemplate.of(json.dumps(chunk, **dumps), chunk)


def test_a_plain_chunk_gives_a_template_keyed_by_its_choice() -> None:
    template = _template(_chunk(index=2))
    assert template is not None and template.key == TextKey(2)
    assert template.text_of(json.dumps(_chunk("other text", index=2))) == "other text"
    assert json.loads(template.fill('say "hé"\n')) == _chunk('say "hé"\n', index=2)


@pytest.mark.parametrize(
    ("chunk", "why"),
    [
        ({**_chunk(), "usage": {"prompt_tokens": 1, "completion_tokens": 2}}, "usage is read from the chunk"),
        ({**_chunk(), "choices": _chunk()["choices"] * 2}, "two choices"),
        ({**_chunk(), "choices": [{**_chunk()["choices"][0], "finish_reason": "stop"}]}, "the choice ends"),
        ({**_chunk(), "choices": [{"index": 0, "delta": {"content": "x", "tool_calls": []}}]}, "tool calls"),
        ({**_chunk(), "choices": [{"index": 0, "text": "x"}]}, "a completion, not a chat delta"),
        (_chunk(content=None), "no text"),
        (_chunk("é", fields={"note": "é"}), "escapes could hide a key (ensure_ascii)"),
    ],
)
def test_other_chunks_give_no_template(chunk: dict[str, Any], why: str) -> None:
    assert _template(chunk) is None, why


@pytest.mark.parametrize(
    "other",
    [
        _chunk("hi", index=1),
        {**_chunk("hi"), "choices": [{**_chunk()["choices"][0], "finish_reason": "stop"}]},
        {**_chunk("hi"), "usage": {"prompt_tokens": 1, "completion_tokens": 2}},
        _chunk(["hi"]),
        _chunk(None),
    ],
)
def test_an_event_with_another_envelope_is_not_taken_for_the_template(other: dict[str, Any]) -> None:
    template = _template(_chunk())
    assert template is not None
    assert template.text_of(json.dumps(other)) is None


TEXTS = st.lists(st.sampled_from([*'ab "\\\n:{}', "é", "🙂", "\u2028", '"content":"']), max_size=6).map(
    "".join
)
FIELDS = st.dictionaries(st.sampled_from(["id", "model", "system_fingerprint", "x"]), TEXTS, max_size=3)


@settings(max_examples=400, deadline=None)
@given(TEXTS, TEXTS, FIELDS, FIELDS, st.booleans(), st.booleans(), st.sampled_from([None, "stop"]))
def test_a_match_always_decodes_to_the_template_with_that_text(
    first: str,
    second: str,
    fields: dict[str, str],
    other_fields: dict[str, str],
    ascii_only: bool,
    same_envelope: bool,
    finish: str | None,
) -> None:
    chunk = _chunk(first, fields=fields)
    template = _template(chunk, ensure_ascii=ascii_only)
    if template is None:
        return
    later = _chunk(second, fields=fields if same_envelope else other_fields)
    later["choices"][0]["finish_reason"] = finish if not same_envelope else None
    data = json.dumps(later, ensure_ascii=ascii_only)
    text = template.text_of(data)
    if same_envelope:
        assert text == second
    if text is not None:
        assert json.loads(data) == _chunk(text, fields=fields)
        assert json.loads(template.fill(text)) == json.loads(data)


def _learned(chunk: dict[str, Any]) -> ContentTemplate:
    template = _template(chunk)
    assert template is not None
    return template


def test_templates_match_each_choice_of_an_interleaved_stream() -> None:
    templates = ContentTemplates(limit=3)
    learned = [_learned(_chunk(index=i)) for i in range(3)]
    for template in learned:
        templates.learn(template)
    for index in [0, 1, 2, 0, 2, 2, 1, 0]:
        assert templates.match(json.dumps(_chunk(f"text {index}", index=index))) == Filled(
            learned[index], f"text {index}"
        )
    assert templates.match(json.dumps(_chunk("x", index=3))) is None


def test_a_choice_s_new_template_replaces_its_old_one() -> None:
    templates = ContentTemplates(limit=2)
    templates.learn(_learned(_chunk(index=0)))
    templates.learn(_learned(_chunk(index=1)))
    templates.learn(_learned(_chunk(index=0, fields={"system_fingerprint": "fp"})))
    assert templates.match(json.dumps(_chunk("a", index=0))) is None
    assert templates.match(json.dumps(_chunk("a", index=0, fields={"system_fingerprint": "fp"}))) is not None
    assert templates.match(json.dumps(_chunk("b", index=1))) is not None


@pytest.mark.parametrize(
    ("limit", "kept"),
    [
        (1, [2]),
        (2, [1, 2]),
        (3, [0, 1, 2]),
        (0, [2]),
    ],
)
def test_templates_are_kept_for_at_most_limit_choices(limit: int, kept: list[int]) -> None:
    templates = ContentTemplates(limit=limit)
    for index in range(3):
        templates.learn(_learned(_chunk(index=index)))
    matched = [i for i in range(3) if templates.match(json.dumps(_chunk("x", index=i))) is not None]
    assert matched == kept


def _thinking(text: str, content: Any = None, name: str = "reasoning_content") -> dict[str, Any]:
    chunk = _chunk(content)
    chunk["choices"][0]["delta"][name] = text
    return chunk


@pytest.mark.parametrize("name", ["reasoning_content", "reasoning"])
def test_a_thinking_chunk_gives_a_template_of_its_thinking(name: str) -> None:
    template = _template(_thinking("hmm", name=name))
    assert template is not None and template.key == TextKey(0, side=name)
    assert template.text_of(json.dumps(_thinking("more thought", name=name))) == "more thought"
    assert template.text_of(json.dumps(_chunk("the answer"))) is None


def test_no_template_carries_answer_text_beside_thinking_or_thinking_beside_an_answer() -> None:
    assert _template(_thinking("hmm", content="answer")) is None
    both = _thinking("hmm")
    both["choices"][0]["delta"]["reasoning"] = "also"
    assert _template(both) is None
    template = _template(_thinking("", content="the answer"))  # empty thinking beside an answer
    assert template is not None and template.key == TextKey(0)
