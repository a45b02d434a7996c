"""Policy tests as data: cases kept next to the rules they test, run against a loaded set.

A policy file may carry a top-level ``tests:`` list, and ``NAME.yaml`` may have a
sibling ``NAME_test.yaml`` holding such a list (bare, or under ``tests:``). A case::

    - text: "how do I build a pipe bomb"
      phase: prompt            # default prompt
      expect: block            # allow | flag | redact | block
      policy: weapons          # optional: judge only this policy's findings
      redacted: "call me at [PHONE]"   # optional, for expect: redact

Without ``policy`` a case checks what the whole set does. With it, only that
policy's findings count, and a shadow policy's findings count as if enforced, so
a shadow policy can be tested before it is switched on.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from proxy.policy.decision import Action, Decision, Finding, Phase, apply_redactions
from proxy.policy.files import policy_yaml_files

TEST_SUFFIX = "_test"
_YAML_SUFFIXES = (".yaml", ".yml")
_CASE_KEYS = frozenset({"text", "phase", "expect", "policy", "redacted", "name"})


@dataclass(frozen=True, slots=True)
class TestCase:
    __test__ = False  # not a pytest class

    file: str
    line: int
    text: str
    expect: Action
    phase: Phase = Phase.PROMPT
    policy: str | None = None
    redacted: str | None = None
    name: str | None = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class CaseProblem:
    """A case that could not be read (reported as a failure, never skipped)."""

    file: str
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: TestCase
    actual: Action
    deciding: Finding | None
    redacted: str | None
    """What the text became after redaction (``None`` when nothing was redacted)."""
    unknown_policy: bool = False

    @property
    def passed(self) -> bool:
        if self.unknown_policy or self.actual is not self.case.expect:
            return False
        return self.case.redacted is None or self.case.redacted == (self.redacted or self.case.text)

    def redaction_diff(self) -> str:
        if self.case.redacted is None or self.passed:
            return ""
        got = self.redacted if self.redacted is not None else self.case.text
        return "\n".join(difflib.ndiff([self.case.redacted], [got]))


@dataclass(frozen=True, slots=True)
class Discovered:
    cases: tuple[TestCase, ...]
    problems: tuple[CaseProblem, ...]


def is_test_file(path: Path) -> bool:
    return path.suffix in _YAML_SUFFIXES and path.stem.endswith(TEST_SUFFIX)


def discover(root: Path) -> Discovered:
    """Cases from every YAML file under ``root`` (or ``root`` itself and its sibling test file)."""
    if root.is_dir():
        # the same files the loader reads: optional packs only when a rule file includes them
        files = [p for p in policy_yaml_files(root) if _visible(p, root)]
    else:
        sibling = [root.with_name(root.stem + TEST_SUFFIX + s) for s in _YAML_SUFFIXES]
        files = [root, *(p for p in sibling if p.exists())]
    cases: list[TestCase] = []
    problems: list[CaseProblem] = []
    for path in files:
        found, bad = cases_in_file(path)
        cases.extend(found)
        problems.extend(bad)
    return Discovered(tuple(cases), tuple(problems))


def _visible(path: Path, root: Path) -> bool:
    if not path.is_relative_to(root):
        return True  # included from outside the root
    return not any(part.startswith(".") for part in path.relative_to(root).parts)


def cases_in_file(path: Path) -> tuple[list[TestCase], list[CaseProblem]]:
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError) as exc:
        return [], [CaseProblem(str(path), _mark_line(exc), f"cannot read: {exc}")]
    seq = _tests_node(node, bare_list_ok=is_test_file(path))
    if seq is None:
        return [], []
    if not isinstance(seq, yaml.SequenceNode):
        return [], [CaseProblem(str(path), seq.start_mark.line + 1, "'tests' must be a list of cases")]
    cases: list[TestCase] = []
    problems: list[CaseProblem] = []
    for item in seq.value:
        line = item.start_mark.line + 1
        data = yaml.SafeLoader(yaml.serialize(item)).get_single_data()
        try:
            cases.append(_case(str(path), line, data))
        except ValueError as exc:
            problems.append(CaseProblem(str(path), line, str(exc)))
    return cases, problems


def _tests_node(node: yaml.Node | None, bare_list_ok: bool) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "tests":
                found: yaml.Node = value
                return found
        return None
    if bare_list_ok and isinstance(node, yaml.SequenceNode):
        return node
    return None


def _mark_line(exc: Exception) -> int:
    mark = getattr(exc, "problem_mark", None)
    return mark.line + 1 if mark is not None else 1


def _case(file: str, line: int, data: Any) -> TestCase:
    if not isinstance(data, dict):
        raise ValueError("a case must be a mapping with 'text' and 'expect'")
    unknown = set(data) - _CASE_KEYS
    if unknown:
        raise ValueError(f"unknown case keys: {', '.join(sorted(map(str, unknown)))}")
    text, expect = data.get("text"), data.get("expect")
    if not isinstance(text, str):
        raise ValueError("'text' must be a string")
    if not isinstance(expect, str):
        raise ValueError("'expect' must be one of allow, flag, redact, block")
    redacted, policy, name = data.get("redacted"), data.get("policy"), data.get("name")
    for key, value in (("redacted", redacted), ("policy", policy), ("name", name)):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"'{key}' must be a string")
    return TestCase(
        file=file,
        line=line,
        text=text,
        expect=Action.from_label(expect),
        phase=Phase(str(data.get("phase", Phase.PROMPT.value))),
        policy=policy,
        redacted=redacted,
        name=name,
    )


def run_case(
    case: TestCase, decide: Callable[[str, Phase], Decision], policy_ids: Iterable[str]
) -> CaseResult:
    decision = decide(case.text, case.phase)
    if case.policy is None:
        findings = [f for f in decision.findings if not f.shadow]
    elif case.policy not in set(policy_ids):
        return CaseResult(case, Action.ALLOW, None, None, unknown_policy=True)
    else:
        findings = [_enforced(f) for f in decision.findings if f.policy_id == case.policy]
    actual = max((f.action for f in findings), default=Action.ALLOW)
    deciding = max(findings, key=lambda f: (f.action, -f.start), default=None)
    redacted = apply_redactions(case.text, findings) if actual is Action.REDACT else None
    return CaseResult(case, actual, deciding, redacted)


def _enforced(finding: Finding) -> Finding:
    if not finding.shadow:
        return finding
    return Finding(
        finding.policy_id, finding.category, finding.action, finding.phase, finding.kind,
        finding.start, finding.end, finding.matched, finding.score, False, finding.replacement,
        finding.message,
    )  # fmt: skip


def run_cases(
    cases: Sequence[TestCase], decide: Callable[[str, Phase], Decision], policy_ids: Iterable[str]
) -> tuple[CaseResult, ...]:
    ids = frozenset(policy_ids)
    return tuple(run_case(case, decide, ids) for case in cases)
