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

from proxy.classifiers.registry import ClassifierConfigError, ClassifierSet
from proxy.classifiers.segment import score_segments
from proxy.policy.classifier import Classifier, ClassifierError
from proxy.policy.decision import Action, Finding, Phase, RuleKind
from proxy.policy.engine import PolicySet
from proxy.policy.segments import Segment, SegmentCheck
from proxy.policy.stream import Scanner


class ClassifierPolicyView(Protocol):
    """What the moderator needs of one compiled classifier policy (``schema.ClassifierPolicy``)."""

    @property
    def policy_id(self) -> str: ...
    @property
    def backend(self) -> str: ...
    @property
    def action(self) -> Action: ...
    @property
    def on_error(self) -> Action: ...
    @property
    def timeout_ms(self) -> int: ...
    @property
    def shadow(self) -> bool: ...
    @property
    def model(self) -> str | None: ...

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


async def classify(
    rules: Sequence[ClassifierPolicyView], classifiers: Mapping[str, Classifier], text: str, phase: Phase
) -> ClassifierVerdict:
    by_backend: dict[tuple[str, str | None], list[ClassifierPolicyView]] = {}
    for rule in rules:
        by_backend.setdefault((rule.backend, rule.model), []).append(rule)
    calls = [
        _one_backend(backend, group, _lookup(classifiers, backend, model), text, phase)
        for (backend, model), group in by_backend.items()
    ]
    # One backend (the usual case) is awaited directly: a gather would cost a task and a loop turn.
    verdicts = [await calls[0]] if len(calls) == 1 else await asyncio.gather(*calls)
    if len(verdicts) == 1:
        return verdicts[0]
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
        scored = await score_segments(classifier, text, phase, timeout_s=timeout)
    except ClassifierError as exc:
        return _on_error(name, exc.reason, rules, text, phase)
    findings = tuple(
        f
        for span, scores in scored
        for rule in rules
        for f in rule.findings(scores, phase, span.start, span.stop)
    )
    return ClassifierVerdict(findings)


def _lookup(classifiers: Mapping[str, Classifier], backend: str, model: str | None) -> Classifier | None:
    """A configured backend, or the built-in one over a policy's own model file."""
    if isinstance(classifiers, ClassifierSet):
        try:
            return classifiers.resolve(backend, model)
        except ClassifierConfigError:
            return None
    return classifiers.get(backend) if model is None else None


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


class StreamClassifiers:
    """Classifier policies over the segments of a streamed answer (window mode).

    The window moderator settles keyword and regex matches; these checks hold each released
    segment until the policy set's response-phase classifiers have cleared it."""

    def __init__(self, classifiers: Mapping[str, Classifier], observer: BypassObserver) -> None:
        self._classifiers = classifiers
        self._observer = observer

    def for_scanner(self, scanner: Scanner) -> SegmentCheck | None:
        rules = scanner.classifier_policies(Phase.RESPONSE) if isinstance(scanner, PolicySet) else ()
        if not rules:
            return None

        async def check(segment: Segment, phase: Phase) -> tuple[Finding, ...]:
            verdict = await classify(rules, self._classifiers, segment.scored, phase)
            for bypass in verdict.bypassed:
                self._observer.on_bypass(bypass.component, bypass.reason)
            return verdict.findings

        return check


class BypassObserver(Protocol):
    def on_bypass(self, component: str, reason: str) -> None: ...
