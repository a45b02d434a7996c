import json
import logging

import pytest

from proxy.audit import AuditingModerator
from proxy.moderation import Moderation, RequestContext, Screening
from proxy.policy.decision import Action, Decision, Finding, Phase, RuleKind

CTX = RequestContext("req-1", "public", "web")
FOUND = Finding("weapons", "violence", Action.BLOCK, Phase.PROMPT, RuleKind.KEYWORD, 4, 8, "bomb")


class Fixed:
    def __init__(self, *decisions: Decision) -> None:
        self.decisions = decisions

    async def moderate(self, texts: object, phase: Phase, ctx: RequestContext) -> Moderation:
        return Moderation(self.decisions, "rev1")

    async def screen(self, texts: object, phase: Phase, ctx: RequestContext) -> Screening:
        return Screening(await self.moderate(texts, phase, ctx))


def _records(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "modproxy.audit"]


@pytest.mark.parametrize("include_text", [False, True])
async def test_a_decision_with_findings_is_recorded_and_text_only_when_asked(
    caplog: pytest.LogCaptureFixture, include_text: bool
) -> None:
    caplog.set_level(logging.INFO, logger="modproxy.audit")
    moderator = AuditingModerator(
        Fixed(Decision(Action.ALLOW, (), "rev1"), Decision(Action.BLOCK, (FOUND,), "rev1")),
        include_text=include_text,
    )
    await moderator.moderate(["hello", "a bomb"], Phase.PROMPT, CTX)
    [record] = _records(caplog)
    assert record["request_id"] == "req-1" and record["route"] == "public" and record["tenant"] == "web"
    assert record["action"] == "block" and record["revision"] == "rev1"
    assert record["findings"] == [{"text_index": 1, **FOUND.to_json()}]
    assert ("texts" in record) is include_text
    assert ("a bomb" in caplog.text) is include_text


async def test_a_clean_decision_is_not_recorded(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="modproxy.audit")
    await AuditingModerator(Fixed(Decision(Action.ALLOW, (), "rev1"))).moderate(["hi"], Phase.PROMPT, CTX)
    assert _records(caplog) == []
