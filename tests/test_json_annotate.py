"""Members added to a JSON answer in its own text: the result parses as if the value had been re-encoded."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy.json_annotate import read_object, with_members

TOP = ("prompt_filter_results", [{"prompt_index": 0, "content_filter_results": {}}])


def member(value: Any) -> tuple[str, Any]:
    return ("content_filter_results", value)


@pytest.mark.parametrize(
    "text",
    [
        '{"id":"a","choices":[{"index":0,"message":{"content":"hi"}}],"usage":{"total_tokens":3}}',
        ' \n{ "choices" : [ { } , {"index" : 1} ] , "x" : null } \n',
        '{"choices":[],"object":"chat.completion"}',
        '{"object":"chat.completion"}',
        '{"choices":[{"message":{"content":"\\u4e2d\\u6587 \\"q\\""}}],"id":"\\u0063"}',
        '{"id":"first","id":"second","choices":[{}]}',
        "{}",
    ],
)
def test_the_result_is_the_value_with_the_members_added(text: str) -> None:
    decoded = read_object(text, "choices")
    assert decoded is not None
    assert decoded.value == json.loads(text)
    per_item = [member({"n": i}) for i in range(len(decoded.items))]
    out = with_members(decoded, TOP, per_item)
    assert out is not None
    expected = json.loads(text)
    expected[TOP[0]] = TOP[1]
    for i, choice in enumerate(expected.get("choices", [])):
        choice["content_filter_results"] = {"n": i}
    assert json.loads(out) == expected


def test_the_upstreams_own_text_is_kept_byte_for_byte() -> None:
    text = '{"choices":[{"message":{"content":"\\u4e2d\\u6587"}}],  "usage" : {"total_tokens": 3}}'
    decoded = read_object(text, "choices")
    assert decoded is not None
    out = with_members(decoded, TOP, [member({})])
    assert out == (
        '{"prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}],"choices":'
        '[{"content_filter_results":{},"message":{"content":"\\u4e2d\\u6587"}}],  "usage" : {"total_tokens": 3}}'
    )


@pytest.mark.parametrize(
    "text",
    [
        "[1, 2]",
        '"choices"',
        '{"choices": {"index": 0}}',
        '{"choices": [{}], "choices": [{}]}',
        '{"choices": [{}]} trailing',
        '{"choices": [{}],}',
        '{"choices": [{}]',
        "",
        "{'choices': []}",
    ],
)
def test_anything_but_one_object_with_at_most_one_array_is_left_to_json_loads(text: str) -> None:
    assert read_object(text, "choices") is None


@pytest.mark.parametrize(
    "text",
    [
        '{"prompt_filter_results": [], "choices": [{}]}',
        '{"choices": [{"content_filter_results": {"hate": {}}}]}',
        '{"choices": [{}, "not an object"]}',
    ],
)
def test_a_member_already_there_or_an_element_not_an_object_is_refused(text: str) -> None:
    decoded = read_object(text, "choices")
    assert decoded is not None
    assert with_members(decoded, TOP, [member({}) for _ in decoded.items]) is None


def test_one_member_per_element_or_none() -> None:
    decoded = read_object('{"choices": [{}, {}]}', "choices")
    assert decoded is not None
    assert with_members(decoded, TOP, [member({})]) is None


scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)
choices = st.lists(st.dictionaries(st.text(max_size=5), values, max_size=3), max_size=3)


@given(
    rest=st.dictionaries(st.text(max_size=6).filter(lambda k: k != "choices"), values, max_size=4),
    items=choices,
    ascii_only=st.booleans(),
    indent=st.none() | st.integers(0, 2),
)
def test_any_object_decodes_as_json_loads_and_annotates_the_same(
    rest: dict[str, Any], items: list[dict[str, Any]], ascii_only: bool, indent: int | None
) -> None:
    value = {**rest, "choices": items}
    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent)
    decoded = read_object(text, "choices")
    assert decoded is not None
    assert decoded.value == json.loads(text)
    out = with_members(decoded, TOP, [member({"i": i}) for i in range(len(items))])
    clashes = TOP[0] in rest or any("content_filter_results" in item for item in items)
    if clashes:
        assert out is None
        return
    assert out is not None
    expected = json.loads(text)
    expected[TOP[0]] = TOP[1]
    for i, item in enumerate(expected["choices"]):
        item["content_filter_results"] = {"i": i}
    assert json.loads(out) == expected
