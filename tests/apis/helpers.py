"""What the API tests share: the policies they run (a small real scanner) and a proxy in front of ``apis``."""

from __future__ import annotations

from typing import Any

from proxy.policy.decision import Action
from tests.fixtures.api_upstream import ApiUpstream, Spoken
from tests.fixtures.pattern_scanner import PatternScanner, Rule, ScannerModerator
from tests.fixtures.upstream import RunningProxy, StartProxy

SCANNER = PatternScanner([Rule("bomb", Action.BLOCK), Rule("darn", Action.REDACT)])
REFUSAL = "The response was filtered by the content policy."
TEXT = "Well darn, call 555-1234 later, darn it."
MODERATED = "Well ***, call [PHONE] later, *** it."


async def moderated_proxy(start_proxy: StartProxy, apis: ApiUpstream, **settings: Any) -> RunningProxy:
    return await start_proxy(
        upstream_url=apis.url, scanner=SCANNER, moderator=ScannerModerator(SCANNER), settings=settings
    )


def cut(text: str, points: list[int]) -> list[str]:
    points = sorted({p for p in points if 0 < p < len(text)})
    return [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]


SPLITS = {
    "whole": [TEXT],
    "every character": list(TEXT),
    "inside every keyword": cut(TEXT, [7, 8, 18, 20, 33, 34]),
}
"""``TEXT`` as the upstream may stream it: ways to cut it, by name."""


def split_keyword(before: str, after: str, points: list[int], *, in_tool: bool) -> Spoken:
    """An answer saying "bomb" between ``before`` and ``after``, cut at ``points``, in its text or in a
    tool call's arguments."""
    text = f"{before} bomb {after}"
    pieces = cut(f'{{"q": "{text}"}}' if in_tool else text, points)
    return Spoken(["fine"], tool_args=pieces) if in_tool else Spoken(pieces)
