"""Add members to an upstream's JSON answer by writing them into its bytes, not by re-encoding it.

An allowed chat answer only gains its annotations (``prompt_filter_results`` at the top,
``content_filter_results`` in each choice). :func:`with_members` writes them right after the
opening brace of the answer and of its choice, and keeps every other byte the upstream sent.
It needs the answer already decoded (``value``, from ``json.loads``) and answers ``None`` when
it cannot prove where the members go; the caller then encodes the whole value as before.

Why the check is enough (the reasoning of :mod:`proxy.stream.json_splice`). In UTF-8 no byte of a
multi-byte character is ASCII, and inside a JSON string every ``"`` is escaped, so a ``"`` not
preceded by a backslash is a real delimiter and the text ``"choices"`` found there is a string
token; followed by ``:`` it is a key. A key can be spelled differently only with a ``\\u``
escape, which the text must not contain. So when ``"choices"`` occurs once, at a real delimiter,
with no ``\\u`` anywhere, that occurrence is the top-level key the decoded value has.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

_SPACE = b" \t\n\r"
_OPEN_ARRAY = re.compile(rb"[ \t\n\r]*:[ \t\n\r]*\[[ \t\n\r]*(\{)?")
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def with_members(
    data: bytes,
    value: dict[str, Any],
    top: tuple[str, Any],
    list_key: str,
    per_item: Sequence[tuple[str, Any]],
) -> bytes | None:
    """``data`` with ``top`` added to the object and ``per_item[i]`` to the i-th ``list_key`` object.

    ``value`` is ``data`` decoded. ``None`` unless there is at most one such object and every
    insertion point is proven, or when a member of that name is already there.
    """
    items = value.get(list_key)
    if top[0] in value or not isinstance(items, list) or len(items) != len(per_item) or len(items) > 1:
        return None
    if json.detect_encoding(data) != "utf-8":  # json.loads also reads UTF-16 and UTF-32
        return None
    opens_at = len(data) - len(data.lstrip(_SPACE))
    if data[opens_at : opens_at + 1] != b"{":
        return None
    head = _member(top, more=True)  # value has list_key, so more members follow
    if not items:
        return data[: opens_at + 1] + head + data[opens_at + 1 :]
    item, member = items[0], per_item[0]
    if not isinstance(item, dict) or member[0] in item or b"\\u" in data:
        return None
    quoted = f'"{list_key}"'.encode()
    at = data.find(quoted)
    if at <= 0 or data[at - 1] == 0x5C or data.find(quoted, at + len(quoted)) >= 0:  # 0x5C: backslash
        return None
    opened = _OPEN_ARRAY.match(data, at + len(quoted))
    if opened is None or opened[1] is None:
        return None
    brace = opened.start(1) + 1
    return b"".join(
        (
            data[: opens_at + 1],
            head,
            data[opens_at + 1 : brace],
            _member(member, more=bool(item)),
            data[brace:],
        )
    )


def _member(member: tuple[str, Any], *, more: bool) -> bytes:
    name, value = member
    return f"{_ENCODE(name)}:{_ENCODE(value)}{',' if more else ''}".encode()
