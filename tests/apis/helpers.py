"""What the API tests share: the policies they run (a small real scanner) and a proxy in front of ``apis``."""

from __future__ import annotations

from typing import Any

from proxy.policy.decision import Action
from tests.fixtures.api_upstream import ApiUpstream
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
