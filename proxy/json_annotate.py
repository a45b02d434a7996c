"""Add members to an upstream's JSON answer without re-encoding the answer.

An allowed chat answer only gains its annotations (``prompt_filter_results`` at the top,
``content_filter_results`` in each choice); re-encoding the whole decoded body for that costs
as much as decoding it. :func:`read_object` decodes the top-level object member by member
with the C scanner ``json`` itself uses, noting where each element of ``choices`` starts;
:func:`with_members` then writes the new members right after the opening braces and keeps
every other byte of the upstream's text.

The decoded value is exactly what ``json.loads`` gives (same scanner, and a repeated key keeps
its last value). Adding a member is safe only where no member of that name exists: with a
duplicate the original, coming later, would win. :func:`with_members` refuses then, and the
caller encodes the whole body as before.
"""

from __future__ import annotations

import json
import re
from _json import scanstring  # the C scanner json.decoder uses; typeshed lists it only here
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@dataclass(frozen=True, slots=True)
class DecodedObject:
    text: str
    value: dict[str, Any]
    opens_at: int
    """Where the top-level object's ``{`` is."""
    items: list[Any]
    """The elements of the ``list_key`` array (empty without one)."""
    items_at: tuple[int, ...]
    """Where each of them starts (its ``{`` when it is an object)."""


class _NotLaidOut(Exception):
    """The text is not one JSON object with at most one ``list_key`` array: decode it whole."""


def read_object(text: str, list_key: str) -> DecodedObject | None:
    """``text`` decoded, if it is one JSON object; where ``list_key``'s elements start, if it is an array."""
    try:
        return _read_object(text, list_key)
    except (_NotLaidOut, ValueError, IndexError):
        return None


def with_members(
    decoded: DecodedObject, top: tuple[str, Any], per_item: Sequence[tuple[str, Any]]
) -> str | None:
    """The text with ``top`` added to the object and ``per_item[i]`` to the i-th ``list_key`` element.

    ``None`` when a member of that name is already there, or an element is not an object.
    """
    if top[0] in decoded.value or len(per_item) != len(decoded.items_at):
        return None
    text = decoded.text
    parts = [text[: decoded.opens_at + 1], _member(top, bool(decoded.value))]
    previous = decoded.opens_at + 1
    for at, element, member in zip(decoded.items_at, decoded.items, per_item, strict=True):
        if not isinstance(element, dict) or member[0] in element:
            return None
        parts += [text[previous : at + 1], _member(member, bool(element))]
        previous = at + 1
    parts.append(text[previous:])
    return "".join(parts)


def _member(member: tuple[str, Any], more: bool) -> str:
    name, value = member
    return f"{_ENCODE(name)}:{_ENCODE(value)}{',' if more else ''}"


def _skip(text: str, at: int) -> int:
    match = _WHITESPACE.match(text, at)
    assert match is not None  # the pattern matches the empty string
    return match.end()


def _read_object(text: str, list_key: str) -> DecodedObject:
    opens_at = _skip(text, 0)
    if text[opens_at] != "{":
        raise _NotLaidOut
    value: dict[str, Any] = {}
    items: list[Any] = []
    items_at: tuple[int, ...] = ()
    at = _skip(text, opens_at + 1)
    if text[at] != "}":
        while True:
            if text[at] != '"':
                raise _NotLaidOut
            key, at = scanstring(text, at + 1)
            at = _skip(text, at)
            if text[at] != ":":
                raise _NotLaidOut
            at = _skip(text, at + 1)
            if key == list_key:
                if key in value or text[at] != "[":
                    raise _NotLaidOut  # repeated, or not an array: nothing to annotate element by element
                items, items_at, at = _read_array(text, at)
                value[key] = items
            else:
                value[key], at = _DECODER.raw_decode(text, at)
            at = _skip(text, at)
            if text[at] == "}":
                break
            if text[at] != ",":
                raise _NotLaidOut
            at = _skip(text, at + 1)
    if _skip(text, at + 1) != len(text):
        raise _NotLaidOut
    return DecodedObject(text, value, opens_at, items, items_at)


def _read_array(text: str, at: int) -> tuple[list[Any], tuple[int, ...], int]:
    values: list[Any] = []
    starts: list[int] = []
    at = _skip(text, at + 1)
    if text[at] == "]":
        return values, (), at + 1
    while True:
        starts.append(at)
        item, at = _DECODER.raw_decode(text, at)
        values.append(item)
        at = _skip(text, at)
        if text[at] == "]":
            return values, tuple(starts), at + 1
        if text[at] != ",":
            raise _NotLaidOut
        at = _skip(text, at + 1)
