"""JSON request bodies with bounded nesting and size: too deep or too big is a 400, never a 500.

The C decoder recurses once per nesting level, so a body of 100,000 ``[`` ends in a
``RecursionError``; that, and anything deeper or larger than :class:`JsonLimits`, is a
:class:`~proxy.errors.BadRequest`. Counting brackets and commas (in C) bounds both measures
from above, so an ordinary body is never walked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from proxy.errors import BadRequest


@dataclass(frozen=True, slots=True)
class JsonLimits:
    max_depth: int = 64
    """Arrays and objects nested in one another."""
    max_elements: int = 250_000
    """Values of any kind: scalars, arrays and objects (an object's keys are not counted)."""


DEFAULT_LIMITS = JsonLimits()


def loads(raw: bytes, limits: JsonLimits = DEFAULT_LIMITS) -> Any:
    """``json.loads`` within ``limits``; decode errors pass through as ``json.JSONDecodeError``."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise _too_deep(limits) from None
    opens = raw.count(b"[") + raw.count(b"{")
    if opens > limits.max_depth or opens + raw.count(b",") + 1 > limits.max_elements:
        check(value, limits)
    return value


def check(value: Any, limits: JsonLimits) -> None:
    """Walk ``value`` iteratively (never recursing), stopping at the first limit crossed."""
    elements = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        elements += 1
        if elements > limits.max_elements:
            raise BadRequest(
                f"The request body holds more than {limits.max_elements} JSON values.",
                code="json_too_large",
            )
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limits.max_depth:
            raise _too_deep(limits)
        stack.extend((child, depth + 1) for child in children)


def _too_deep(limits: JsonLimits) -> BadRequest:
    return BadRequest(
        f"The request body nests JSON deeper than {limits.max_depth} levels.", code="json_too_deep"
    )
