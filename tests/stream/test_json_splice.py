"""Splicing one string into a JSON text: the result always parses to the same edit, or is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.stream.json_splice import splice_string

CHUNK = '{"id":"c","choices":[{"index":0,"delta":{"content":"lazy t"},"finish_reason":null}]}'


@pytest.mark.parametrize(
    ("data", "name", "old", "new", "expected"),
    [
        (CHUNK, "content", "lazy t", "la", CHUNK.replace('"lazy t"', '"la"')),
        ('{"a": 1, "text" :  "x"}', "text", "x", 'q"\n', '{"a": 1, "text" :  "q\\"\\n"}'),
        ('{"d":{"content":"é 🙂"}}', "content", "é 🙂", "é", '{"d":{"content":"é"}}'),
        ('{"arguments":"{\\"q\\": 1}"}', "arguments", '{"q": 1}', '{"q"', '{"arguments":"{\\"q\\""}'),
    ],
)
def test_splices_the_only_value_of_the_key(data: str, name: str, old: str, new: str, expected: str) -> None:
    assert splice_string(data, name, old, new) == expected


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ('{"a":{"content":"x"},"b":{"content":"x"}}', "the key occurs twice"),
        ('{"d":{"cont\\u0065nt":"x"},"n":{"content":"x"}}', "a key may be spelled with escapes"),
        ('{"n":"a\\"content","m":{"content":"x"}}', "the key text occurs inside a string"),
        ('{"content":"y"}', "the value is not the one that was decoded"),
        ('{"content":["x"]}', "the value is not a string"),
        ('{"contents":"x"}', "no such key"),
        ('{"content":"x', "the string never ends"),
    ],
)
def test_refuses_when_the_key_is_not_provably_the_one(data: str, why: str) -> None:
    assert splice_string(data, "content", "x", "z") is None, why


def _set_first(value: Any, name: str, new: str) -> bool:
    if isinstance(value, dict):
        if isinstance(value.get(name), str):
            value[name] = new
            return True
        return any(_set_first(v, name, new) for v in value.values())
    if isinstance(value, list):
        return any(_set_first(v, name, new) for v in value)
    return False


def _find_first(value: Any, name: str) -> str | None:
    if isinstance(value, dict):
        if isinstance(value.get(name), str):
            found: str = value[name]
            return found
        for v in value.values():
            if (inner := _find_first(v, name)) is not None:
                return inner
    if isinstance(value, list):
        for v in value:
            if (inner := _find_first(v, name)) is not None:
                return inner
    return None


KEYS = st.sampled_from(["content", "text", "a", 'x"content', "content\\", "cont"])
TEXTS = st.lists(
    st.sampled_from([*'ab "\\\n\t:', "é", "🙂", "\u2028", "\x00", "content", '"content"']), max_size=6
).map("".join)
JSON = st.recursive(
    st.none() | st.integers() | TEXTS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=500, deadline=None)
@given(JSON, TEXTS, st.booleans(), st.booleans())
def test_a_splice_parses_to_the_decoded_value_with_that_text_replaced(
    value: Any, new: str, ascii_only: bool, spaced: bool
) -> None:
    separators = (", ", ": ") if spaced else (",", ":")
    data = json.dumps(value, ensure_ascii=ascii_only, separators=separators)
    old = _find_first(value, "content")
    if old is None:
        assert splice_string(data, "content", "", new) is None
        assert splice_string(data, "content", "ab", new) is None
        return
    spliced = splice_string(data, "content", old, new)
    if spliced is None:
        return
    _set_first(value, "content", new)
    assert json.loads(spliced) == value
