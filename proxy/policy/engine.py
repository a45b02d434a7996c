"""A compiled, immutable policy set: text in, findings and decisions out.

Build once (``loader.load_policy_set``), then share between threads: evaluation
allocates per call and never mutates the set.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from proxy.policy.decision import (
    Action,
    Decision,
    Finding,
    Phase,
    RuleKind,
    apply_redactions,
    enforced_action,
)
from proxy.policy.keywords import KeywordMatcher, KeywordTerm
from proxy.policy.normalize import NormalizeOptions, Normalizer, normalizer, text_bytes
from proxy.policy.regex import RegexMatcher, RegexRule, compile_rule
from proxy.policy.schema import ClassifierPolicy, Policy
from proxy.policy.validators import VALIDATORS

DEFAULT_MAX_REGEX_MATCH = 256
"""Regex matches are assumed no longer than this for ``horizon``; longer ones are still reported
by ``scan``/``evaluate`` but a sliding window of ``horizon`` characters may cut them."""


TIMED_OUT = "(timed out)"
"""Appended to the pattern of a finding made by a backtracking scan that ran out of time."""


@dataclass(frozen=True, slots=True)
class _Profile:
    normalizer: Normalizer
    keywords: KeywordMatcher | None
    regexes: RegexMatcher | None


class PolicySet:
    def __init__(
        self, policies: tuple[Policy, ...], revision: str, *, max_regex_match: int = DEFAULT_MAX_REGEX_MATCH
    ) -> None:
        self.policies = policies
        self.revision = revision
        self.max_regex_match = max_regex_match
        keyword_groups: dict[NormalizeOptions, list[KeywordTerm]] = {}
        regex_groups: dict[NormalizeOptions, list[RegexRule]] = {}
        for i, p in enumerate(policies):
            terms = keyword_groups.setdefault(p.keyword_normalize, []) if p.keywords else None
            if terms is not None:
                terms.extend(KeywordTerm(i, k, whole_word=p.whole_word) for k in p.keywords)
                terms.extend(KeywordTerm(i, e, exception=True, whole_word=False) for e in p.exceptions)
            validator = VALIDATORS[p.validator] if p.validator else None
            for pattern in p.regexes:
                rule = compile_rule(
                    i, pattern, p.case_sensitive, engine=p.regex_engine,
                    timeout_ms=p.regex_timeout_ms, validator=validator,
                )  # fmt: skip
                regex_groups.setdefault(p.regex_normalize, []).append(rule)
        self._keywords = tuple(KeywordMatcher(o, t) for o, t in keyword_groups.items())
        self._regexes = tuple(RegexMatcher(o, r) for o, r in regex_groups.items())
        # One normalization per profile and text, shared by the keyword and regex matchers.
        by_keywords = {m.options: m for m in self._keywords}
        by_regexes = {m.options: m for m in self._regexes}
        self._profiles = tuple(
            _Profile(normalizer(o), by_keywords.get(o), by_regexes.get(o))
            for o in dict.fromkeys([*by_keywords, *by_regexes])
        )
        self._by_phase = {
            phase: frozenset(i for i, p in enumerate(policies) if phase in p.phases) for phase in Phase
        }
        self._classifiers = {
            phase: tuple(p.classifier for p in policies if p.classifier and phase in p.classifier.phases)
            for phase in Phase
        }
        keyword_horizon = max((m.horizon for m in self._keywords), default=0)
        self.horizon = max(keyword_horizon, max_regex_match if self._regexes else 0)
        self.rule_counts: Mapping[str, int] = MappingProxyType(
            {
                RuleKind.KEYWORD.value: sum(len(p.keywords) for p in policies),
                RuleKind.REGEX.value: sum(len(p.regexes) for p in policies),
                RuleKind.CLASSIFIER.value: sum(1 for p in policies if p.classifier),
            }
        )

    def __repr__(self) -> str:
        return f"PolicySet(revision={self.revision!r}, policies={len(self.policies)})"

    def scan(self, text: str, phase: Phase) -> tuple[Finding, ...]:
        """Keyword and regex findings, ordered by span; spans index ``text``."""
        wanted = self._by_phase[phase]
        if not wanted or not text:
            return ()
        findings: list[Finding] = []
        policies = self.policies
        parts = text_bytes(text) if len(self._profiles) > 1 else None
        for profile in self._profiles:
            norm = profile.normalizer.normalize(text, parts)
            if profile.keywords is not None:
                for k in profile.keywords.scan_normalized(norm, wanted):
                    findings.append(
                        policies[k.policy].finding(phase, RuleKind.KEYWORD, k.start, k.end, k.term)
                    )
            if profile.regexes is not None:
                for r in profile.regexes.scan_normalized(norm, wanted):
                    matched = f"{r.pattern} {TIMED_OUT}" if r.timed_out else r.pattern
                    findings.append(
                        policies[r.policy].finding(phase, RuleKind.REGEX, r.start, r.end, matched)
                    )
        if len(findings) > 1:
            findings.sort(key=lambda f: (f.start, f.end, f.policy_id))
        return tuple(findings)

    def evaluate(self, text: str, phase: Phase) -> Decision:
        findings = self.scan(text, phase)
        return decide(text, findings, self.revision)

    def classifier_policies(self, phase: Phase) -> tuple[ClassifierPolicy, ...]:
        return self._classifiers[phase]


def decide(text: str, findings: tuple[Finding, ...], revision: str) -> Decision:
    """The decision for ``findings`` on ``text`` (also used after classifier findings are added)."""
    action = enforced_action(findings)
    redacted = apply_redactions(text, findings) if action is Action.REDACT else None
    return Decision(action, findings, revision, redacted)


def empty_policy_set() -> PolicySet:
    return PolicySet((), hashlib.sha256(b"").hexdigest()[:12])
