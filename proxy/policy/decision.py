"""The named values every part of modproxy speaks: phases, actions, findings, decisions."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any


class Phase(enum.StrEnum):
    PROMPT = "prompt"
    RESPONSE = "response"


class Action(enum.IntEnum):
    """Ordered by severity, so ``max()`` over actions picks the one that wins."""

    ALLOW = 0
    FLAG = 1
    PSEUDONYMIZE = 2
    """Prompt values replaced by numbered placeholders, put back in the answer (docs/compliance.md)."""
    REDACT = 3
    BLOCK = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> Action:
        try:
            return cls[label.upper()]
        except KeyError:
            raise ValueError(
                f"unknown action {label!r} (expected allow, flag, pseudonymize, redact or block)"
            ) from None


class RuleKind(enum.StrEnum):
    KEYWORD = "keyword"
    REGEX = "regex"
    CLASSIFIER = "classifier"


@dataclass(frozen=True, slots=True)
class PolicyMessage:
    """What the client is told when a policy decides: a refusal (block) or a notice (flag), e.g. help
    resources. ``zh`` is used when the prompt is mostly Chinese, ``text`` otherwise."""

    text: str
    zh: str | None = None

    def for_language(self, chinese: bool) -> str:
        return self.zh if chinese and self.zh else self.text

    def to_json(self) -> dict[str, str]:
        return {"text": self.text, "zh": self.zh} if self.zh else {"text": self.text}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PolicyMessage:
        zh = data.get("zh")
        return cls(str(data["text"]), None if zh is None else str(zh))


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule that matched one text.

    ``start``/``end`` index the *original* text (not its normalized form), so a
    redaction replaces exactly what the user wrote. Classifier findings cover the
    whole text (or segment) they scored and carry ``score``. ``matched`` is the rule
    term or pattern that fired, never a copy of the user's text.
    """

    policy_id: str
    category: str
    action: Action
    phase: Phase
    kind: RuleKind
    start: int
    end: int
    matched: str
    score: float | None = None
    shadow: bool = False
    replacement: str | None = None
    """For redact findings: what replaces the span (so a cached decision can be re-applied); for
    pseudonymize findings: the base of the numbered placeholder (``[EMAIL]`` → ``[EMAIL_1]``)."""
    message: PolicyMessage | None = None
    """The policy's own refusal or notice, carried so a cached decision tells the client the same."""

    def shifted(self, offset: int) -> Finding:
        if offset == 0:
            return self
        return Finding(
            self.policy_id,
            self.category,
            self.action,
            self.phase,
            self.kind,
            self.start + offset,
            self.end + offset,
            self.matched,
            self.score,
            self.shadow,
            self.replacement,
            self.message,
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "policy": self.policy_id,
            "category": self.category,
            "action": self.action.label,
            "phase": self.phase.value,
            "kind": self.kind.value,
            "start": self.start,
            "end": self.end,
            "matched": self.matched,
        }
        if self.score is not None:
            data["score"] = self.score
        if self.shadow:
            data["shadow"] = True
        if self.replacement is not None:
            data["replacement"] = self.replacement
        if self.message is not None:
            data["message"] = self.message.to_json()
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            policy_id=str(data["policy"]),
            category=str(data["category"]),
            action=Action.from_label(str(data["action"])),
            phase=Phase(str(data["phase"])),
            kind=RuleKind(str(data["kind"])),
            start=int(data["start"]),
            end=int(data["end"]),
            matched=str(data["matched"]),
            score=None if data.get("score") is None else float(data["score"]),
            shadow=bool(data.get("shadow", False)),
            replacement=None if data.get("replacement") is None else str(data["replacement"]),
            message=PolicyMessage.from_json(data["message"]) if data.get("message") else None,
        )


def enforced_action(findings: Iterable[Finding]) -> Action:
    """The action that applies: the most severe non-shadow finding, else allow."""
    return max((f.action for f in findings if not f.shadow), default=Action.ALLOW)


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict on one text under one policy-set revision.

    ``redacted`` is the text with every redact finding replaced, present only when
    the action is ``REDACT`` (a block supersedes redaction).
    """

    action: Action
    findings: tuple[Finding, ...] = ()
    revision: str = ""
    redacted: str | None = None
    bypassed: tuple[str, ...] = field(default=())
    """Components that failed open while deciding (e.g. a classifier backend down)."""

    @property
    def shadow_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.shadow)

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(sorted({f.category for f in self.findings if not f.shadow}))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "action": self.action.label,
            "revision": self.revision,
            "findings": [f.to_json() for f in self.findings],
        }
        if self.redacted is not None:
            data["redacted"] = self.redacted
        if self.bypassed:
            data["bypassed"] = list(self.bypassed)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Decision:
        return cls(
            action=Action.from_label(str(data["action"])),
            findings=tuple(Finding.from_json(f) for f in data.get("findings", ())),
            revision=str(data.get("revision", "")),
            redacted=data.get("redacted"),
            bypassed=tuple(data.get("bypassed", ())),
        )


REWRITES = frozenset({Action.REDACT, Action.PSEUDONYMIZE})
"""Actions that change the text they apply to."""


def sealed_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """``findings`` in a text that must reach its reader exactly as written (a signed thinking block,
    whose signature a changed character would break): each enforced rewrite blocks instead."""
    return tuple(
        replace(f, action=Action.BLOCK) if f.action in REWRITES and not f.shadow else f for f in findings
    )


def sealed(decision: Decision) -> Decision:
    """The verdict on a sealed text: it can be passed or refused, never rewritten, so a redaction
    refuses it (:func:`sealed_findings`)."""
    if decision.action not in REWRITES:
        return decision
    findings = sealed_findings(decision.findings)
    return Decision(Action.BLOCK, findings, decision.revision, None, decision.bypassed)


def apply_redactions(text: str, findings: Iterable[Finding]) -> str:
    """Replace every enforced redact span; overlapping spans merge and take the first replacement."""
    spans = sorted(
        (f.start, f.end, f.replacement or "")
        for f in findings
        if f.action is Action.REDACT and not f.shadow and f.end > f.start
    )
    out: list[str] = []
    pos = 0
    for start, end, replacement in spans:
        if end <= pos:
            continue
        if start < pos:
            start = pos
        else:
            out.append(text[pos:start])
            out.append(replacement)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def policy_message(findings: Iterable[Finding], action: Action) -> PolicyMessage | None:
    """The message of the first enforced finding with this action that carries one."""
    for finding in findings:
        if finding.message is not None and finding.action is action and not finding.shadow:
            return finding.message
    return None


def allow(revision: str = "") -> Decision:
    return Decision(Action.ALLOW, (), revision)
