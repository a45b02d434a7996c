"""Members written into a JSON answer's bytes: the result parses as if the value had been re-encoded."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy.apis.json_annotate import with_members

TOP = ("prompt_filter_results", [{"prompt_index": 0, "content_filter_results": {}}])
MEMBER = ("content_filter_results", {"pii": {"filtered": False, "detected": True}})


def annotate(data: bytes) -> bytes | None:
    value = json.loads(data)
    return with_members(data, value, TOP, "choices", [MEMBER] * len(value.get("choices", [])))


def expected(data: bytes) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(data)
    value[TOP[0]] = TOP[1]
    for choice in value["choices"]:
        choice[MEMBER[0]] = MEMBER[1]
    return value


@pytest.mark.parametrize(
    "text",
    [
        '{"id":"a","choices":[{"index":0,"message":{"content":"你好 \\"q\\""}}],"usage":{"total_tokens":3}}',
        ' \n{ "choices" : [ { } ] , "x" : null } \n',
        '{"choices":[],"object":"chat.completion"}',
        '{"id":"first","id":"second","choices":[{"index":0}]}',
    ],
)
def test_the_result_is_the_value_with_the_members_added(text: str) -> None:
    data = text.encode()
    out = annotate(data)
    assert out is not None
    assert json.loads(out) == expected(data)


def test_the_upstreams_own_bytes_are_kept() -> None:
    data = '{"choices" :[ {"message":{"content":"中文"}}],  "usage" : {"total_tokens": 3}}'.encode()
    assert (
        annotate(data)
        == (
            '{"prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}],"choices" :[ '
            '{"content_filter_results":{"pii":{"filtered":false,"detected":true}},"message":{"content":"中文"}}],'
            '  "usage" : {"total_tokens": 3}}'
        ).encode()
    )


@pytest.mark.parametrize(
    "text",
    [
        '{"choices": [{"message": {"content": "\\u4e2d"}}]}',  # a key could hide behind an escape
        '{"choices": [{"content_filter_results": {}}]}',  # already there: the original would win
        '{"prompt_filter_results": [], "choices": [{}]}',
        '{"choices": [{}, {}]}',  # several choices: encoded whole
        '{"choices": ["text"]}',
        '{"choices": {"index": 0}}',
        '{"choices": [{"meta": {"choices": 1}}]}',  # "choices" twice in the text
        '{"object": "chat.completion"}',
    ],
)
def test_what_cannot_be_proven_is_left_to_the_encoder(text: str) -> None:
    data = text.encode()
    value = json.loads(data)
    count = len(value["choices"]) if isinstance(value.get("choices"), list) else 0
    assert with_members(data, value, TOP, "choices", [MEMBER] * count) is None


texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
scalars = st.none() | st.booleans() | st.integers() | texts
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)


@given(
    rest=st.dictionaries(texts, values, max_size=4),
    choice=st.dictionaries(texts, values, max_size=3),
    ascii_only=st.booleans(),
    indent=st.none() | st.integers(0, 2),
)
def test_whenever_it_answers_the_answer_is_right(
    rest: dict[str, Any], choice: dict[str, Any], ascii_only: bool, indent: int | None
) -> None:
    data = json.dumps({**rest, "choices": [choice]}, ensure_ascii=ascii_only, indent=indent).encode()
    out = annotate(data)
    if out is not None:
        assert json.loads(out) == expected(data)
    elif b"\\u" not in data and TOP[0] not in rest and MEMBER[0] not in choice:
        assert b'"choices"' in data.replace(b'"choices"', b"", 1)  # refused only for a second "choices"


def test_only_utf8_is_written_into() -> None:
    data = '{"choices": [], "id": "中"}'.encode("utf-16")
    assert with_members(data, json.loads(data), TOP, "choices", []) is None
