"""The decision record: what it holds, and which verdicts make one."""

from __future__ import annotations

import pytest

from proxy.audit.record import AuditingModerator, AuditingStreamObserver, AuditRecord, digest
from proxy.moderation.moderator import Moderation, RequestContext, Screening
from proxy.policy.decision import Action, Decision, Finding, Phase, RuleKind
from proxy.stream.relay import NullObserver, RelayOutcome, StreamMode, StreamReport

CTX = RequestContext("req-1", "public", "web", "chat_completions")
FOUND = Finding("weapons", "violence", Action.BLOCK, Phase.PROMPT, RuleKind.KEYWORD, 4, 8, "bomb")
FLAGGED = Finding("rude", "tone", Action.FLAG, Phase.RESPONSE, RuleKind.REGEX, 0, 4, "darn")


class Fixed:
    def __init__(self, *decisions: Decision, source: str = "evaluated") -> None:
        self.decisions = decisions
        self.source = source

    async def moderate(
        self, texts: object, phase: Phase, ctx: RequestContext, *, sealed: object = ()
    ) -> Moderation:
        return Moderation(self.decisions, "rev1", self.source)

    async def screen(
        self, texts: object, phase: Phase, ctx: RequestContext, *, sealed: object = ()
    ) -> Screening:
        return Screening(await self.moderate(texts, phase, ctx))


class Kept:
    """An audit recorder that keeps what it is given."""

    def __init__(self) -> None:
        self.records: list[AuditRecord] = []

    def record(self, record: AuditRecord) -> None:
        self.records.append(record)


@pytest.mark.parametrize("include_text", [False, True])
async def test_a_decision_with_findings_is_recorded_and_text_only_when_asked(include_text: bool) -> None:
    kept = Kept()
    moderator = AuditingModerator(
        Fixed(Decision(Action.ALLOW, (), "rev1"), Decision(Action.BLOCK, (FOUND,), "rev1"), source="redis"),
        kept,
        include_text=include_text,
    )
    await moderator.moderate(["hello", "a bomb"], Phase.PROMPT, CTX)
    [record] = kept.records
    data = record.to_json()
    assert data["request_id"] == "req-1" and data["route"] == "public" and data["tenant"] == "web"
    assert data["endpoint"] == "chat_completions" and data["phase"] == "prompt"
    assert data["action"] == "block" and data["revision"] == "rev1" and data["cache"] == "redis"
    assert data["policies"] == ["weapons"] and data["categories"] == ["violence"]
    assert data["findings"] == [{"text_index": 1, **FOUND.to_json()}]
    assert data["digest"] == digest(["hello", "a bomb"]) != digest(["hellob", "omb"])
    assert data["time"].endswith("Z") and data["latency_ms"] >= 0
    assert ("texts" in data) is include_text
    assert ("a bomb" in str(data)) is include_text


@pytest.mark.parametrize(
    ("action", "findings"),
    [(Action.FLAG, (FLAGGED,)), (Action.REDACT, ()), (Action.PSEUDONYMIZE, ()), (Action.BLOCK, (FOUND,))],
)
async def test_every_action_but_a_plain_allow_is_recorded(
    action: Action, findings: tuple[Finding, ...]
) -> None:
    kept = Kept()
    await AuditingModerator(Fixed(Decision(action, findings, "rev1")), kept).moderate(
        ["t"], Phase.PROMPT, CTX
    )
    assert [r.action for r in kept.records] == [action]


@pytest.mark.parametrize("all_decisions", [False, True])
async def test_a_plain_allow_is_recorded_only_with_all_decisions(all_decisions: bool) -> None:
    kept = Kept()
    moderator = AuditingModerator(
        Fixed(Decision(Action.ALLOW, (), "rev1")), kept, all_decisions=all_decisions
    )
    await moderator.moderate(["hi"], Phase.PROMPT, CTX)
    assert len(kept.records) == int(all_decisions)


async def test_an_allow_with_shadow_findings_is_recorded() -> None:
    shadow = Finding("new", "tone", Action.BLOCK, Phase.PROMPT, RuleKind.KEYWORD, 0, 2, "hi", shadow=True)
    kept = Kept()
    await AuditingModerator(Fixed(Decision(Action.ALLOW, (shadow,), "rev1")), kept).moderate(
        ["hi"], Phase.PROMPT, CTX
    )
    [record] = kept.records
    assert record.to_json()["findings"][0]["shadow"] is True


@pytest.mark.parametrize(
    ("mode", "findings", "recorded"),
    [
        (StreamMode.WINDOW, (FLAGGED,), True),
        (StreamMode.AUDIT, (FOUND,), True),
        (StreamMode.WINDOW, (), False),
        (StreamMode.BUFFER, (FOUND,), False),  # a buffered answer went through the moderator
    ],
)
def test_a_streamed_answer_is_recorded_once_by_the_stream_observer(
    mode: StreamMode, findings: tuple[Finding, ...], recorded: bool
) -> None:
    kept = Kept()
    observer = AuditingStreamObserver(NullObserver(), kept, CTX, revision="rev1", started=0.0)
    observer.stream_finished(StreamReport(mode, RelayOutcome.COMPLETED, findings))
    assert len(kept.records) == int(recorded)
    if recorded:
        data = kept.records[0].to_json()
        assert data["phase"] == "response" and data["cache"] == "stream" and data["stream_mode"] == mode.value
        assert data["action"] == max(f.action for f in findings).label
