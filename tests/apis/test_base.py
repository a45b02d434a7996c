"""What every wire format shares: token-id detection, strings inside tool inputs, tool descriptions."""

from __future__ import annotations

from typing import Any

import pytest

from proxy.apis.base import is_token_array, string_leaves, tool_description_slots


@pytest.mark.parametrize(
    ("value", "tokens"),
    [
        ([1, 2, 3], True),
        ([[1, 2], [3]], True),
        ("text", False),
        (["a", "b"], False),
        ([], False),
        ([True, False], False),
        ([[1], "a"], False),
        ([1, "a"], False),
    ],
)
def test_token_arrays(value: Any, tokens: bool) -> None:
    assert is_token_array(value) is tokens


def test_string_leaves_walk_objects_and_lists() -> None:
    value = {"q": "a", "n": 1, "more": [{"x": "b"}, "c", None]}
    assert list(string_leaves(value, ("input",))) == [
        (("input", "q"), "a"),
        (("input", "more", 0, "x"), "b"),
        (("input", "more", 1), "c"),
    ]


@pytest.mark.parametrize(
    ("tools", "function_key", "paths"),
    [
        ([{"type": "function", "function": {"name": "f", "description": "d"}}], "function",
         [("tools", 0, "function", "description")]),
        ([{"type": "function", "name": "f", "description": "d"}, {"type": "web_search"}], None,
         [("tools", 0, "description")]),
        ("not a list", None, []),
    ],
)  # fmt: skip
def test_tool_descriptions_are_prompt_text(tools: Any, function_key: str | None, paths: list[Any]) -> None:
    assert [s.path for s in tool_description_slots(tools, "tools", function_key=function_key)] == paths


def test_string_leaves_of_deep_nesting_do_not_recurse() -> None:
    value: Any = "deep"
    for _ in range(5000):
        value = [value]
    ((path, text),) = string_leaves(value, ())
    assert (len(path), text) == (5000, "deep")
