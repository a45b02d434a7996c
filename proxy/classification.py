"""Calling classifier backends for a policy set's classifier policies, with their error rules.

Each backend is called once per text segment however many policies use it, all backends at once,
each under the longest ``timeout_ms`` of its policies. A text longer than a backend's ``max_chars``
is scored segment by segment, and findings cover the segment that scored.

On a failure (``ClassifierError`` or timeout) each policy follows its ``on_error``: ``block`` adds a
BLOCK finding of category ``classifier_error`` over the whole text, ``allow`` fails open and the
backend is reported as bypassed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from proxy.policy.classifier import Classifier, ClassifierError
from proxy.policy.decision import Action, Finding, Phase, RuleKind


class ClassifierPolicyView(Protocol):
    """What the moderator needs of one compiled classifier policy (``schema.ClassifierPolicy``)."""

    @property
    def policy_id(self) -> str: ...
    @property
    def backend(self) -> str: ...
    @property
    def on_error(self) -> Action: ...
    @property
    def timeout_ms(self) -> int: ...
    @property
    def shadow(self) -> bool: ...

    def findings(
        self, scores: Mapping[str, float], phase: Phase, start: int = 0, end: int = 0
    ) -> tuple[Finding, ...]: ...


ERROR_CATEGORY = "classifier_error"


@dataclass(frozen=True, slots=True)
class Bypass:
    component: str
    reason: str


@dataclass(frozen=True, slots=True)
class ClassifierVerdict:
    findings: tuple[Finding, ...] = ()
    bypassed: tuple[Bypass, ...] = ()
    failed: bool = False
    """A backend failed while deciding (whether its policies failed open or closed)."""


@dataclass(frozen=True, slots=True)
class Segment:
    start: int
    end: int


def segments(length: int, max_chars: int) -> list[Segment]:
    if max_chars <= 0 or length <= max_chars:
        return [Segment(0, length)]
    return [Segment(s, min(s + max_chars, length)) for s in range(0, length, max_chars)]


async def classify(
    rules: Sequence[ClassifierPolicyView], classifiers: Mapping[str, Classifier], text: str, phase: Phase
) -> ClassifierVerdict:
    by_backend: dict[str, list[ClassifierPolicyView]] = {}
    for rule in rules:
        by_backend.setdefault(rule.backend, []).append(rule)
    verdicts = await asyncio.gather(
        *(_one_backend(name, group, classifiers.get(name), text, phase) for name, group in by_backend.items())
    )
    return ClassifierVerdict(
        findings=tuple(f for v in verdicts for f in v.findings),
        bypassed=tuple(b for v in verdicts for b in v.bypassed),
        failed=any(v.failed for v in verdicts),
    )


async def _one_backend(
    name: str, rules: Sequence[ClassifierPolicyView], classifier: Classifier | None, text: str, phase: Phase
) -> ClassifierVerdict:
    timeout = max(rule.timeout_ms for rule in rules) / 1000
    try:
        if classifier is None:
            raise ClassifierError(name, "unavailable", f"classifier {name!r} is not configured")
        parts = segments(len(text), classifier.max_chars)
        async with asyncio.timeout(timeout):
            scores = await asyncio.gather(*(classifier.score(text[p.start : p.end], phase) for p in parts))
    except ClassifierError as exc:
        return _on_error(name, exc.reason, rules, text, phase)
    except TimeoutError:
        return _on_error(name, "timeout", rules, text, phase)
    findings = tuple(
        f
        for part, s in zip(parts, scores, strict=True)
        for rule in rules
        for f in rule.findings(s, phase, part.start, part.end)
    )
    return ClassifierVerdict(findings)


def _on_error(
    name: str, reason: str, rules: Sequence[ClassifierPolicyView], text: str, phase: Phase
) -> ClassifierVerdict:
    component = f"classifier:{name}"
    closed = [rule for rule in rules if rule.on_error is Action.BLOCK]
    blocking = tuple(
        Finding(
            rule.policy_id, ERROR_CATEGORY, Action.BLOCK, phase, RuleKind.CLASSIFIER,
            0, len(text), f"{component}:{reason}", shadow=rule.shadow,
        )
        for rule in closed
    )  # fmt: skip
    fails_open = len(closed) < len(rules)
    return ClassifierVerdict(blocking, (Bypass(component, reason),) if fails_open else (), failed=True)
