"""Lint checks for policy authors: mistakes that load fine but make a policy wrong or dangerous.

Checks work on neutral entries (a keyword or pattern with its ``file:line``), so
they do not depend on how the loader stores compiled rules; ``entries_from_set``
style adapters live with the CLI.

* regex on the opt-in backtracking engine: the opt-in itself, and catastrophic backtracking
  risk (see :mod:`proxy.policy.regex_risk`);
* keyword normalizes to the empty string -> error (it would match everywhere or nowhere);
* keyword normalizes to a very common word -> warning (it fires on ordinary text);
* the same normalized keyword listed twice in one category (one policy, or two; a list file two
  policies share is not a duplicate) -> warning;
* keyword shadowed by an exception of its policy, so it can never fire -> warning.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from proxy.policy.regex_risk import backtracking_risks


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class LintIssue:
    file: str
    line: int | None
    severity: Severity
    message: str
    policy_id: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        scope = f" [{self.policy_id}]" if self.policy_id else ""
        return f"{where}: {self.severity.value}:{scope} {self.message}"


@dataclass(frozen=True, slots=True)
class KeywordEntry:
    policy_id: str
    term: str
    file: str
    line: int | None
    exception: bool = False
    category: str = ""


@dataclass(frozen=True, slots=True)
class RegexEntry:
    policy_id: str
    pattern: str
    file: str
    line: int | None
    flags: int = 0
    backtracking_ms: int = 0
    """The per-text time bound when the policy opted into the backtracking engine; 0 on RE2."""


# Words so frequent that a keyword equal to one of them flags ordinary text.
_COMMON_TEXT = """a an the and or but if of to in on at by for with from as is are was were be been
    being it its
    this that these those i you he she we they me him her us them my your his our their not no yes do
    does did have has had will would can could should may might must shall so than then there here
    what which who whom whose when where why how all any some one two up down out over under about
    into just also very more most other such only own same too get got go make like time
    的 是 了 我 你 他 她 在 有 和 不 这 那 就 也 都 人 一 个 上 中 吗 呢 吧"""
COMMON_WORDS = frozenset(_COMMON_TEXT.split())

Normalize = Callable[[str], str]
Shadows = Callable[[str, str], bool]
"""``shadows(keyword, exception)`` on normalized terms: does the exception suppress every match?"""


def exception_equals_keyword(keyword: str, exception: str) -> bool:
    """An exception suppresses a keyword match lying inside one of its own matches, so a keyword
    is suppressed everywhere exactly when an exception normalizes to the same text."""
    return keyword == exception


def lint_keywords(
    entries: Iterable[KeywordEntry],
    normalize: Normalize,
    *,
    shadows: Shadows = exception_equals_keyword,
    common_words: frozenset[str] = COMMON_WORDS,
) -> list[LintIssue]:
    issues: list[LintIssue] = []
    first_seen: dict[str, KeywordEntry] = {}
    exceptions: dict[str, list[tuple[str, KeywordEntry]]] = {}
    keywords: list[tuple[str, KeywordEntry]] = []
    for entry in entries:
        norm = normalize(entry.term).strip()
        if not norm:
            issues.append(_issue(entry, Severity.ERROR, f"{entry.term!r} normalizes to the empty string"))
            continue
        if entry.exception:
            exceptions.setdefault(entry.policy_id, []).append((norm, entry))
            continue
        keywords.append((norm, entry))
        if norm in common_words:
            issues.append(
                _issue(
                    entry,
                    Severity.WARNING,
                    f"{entry.term!r} is a very common word; it will fire on ordinary text",
                )
            )
        earlier = first_seen.get(norm)
        if earlier is None:
            first_seen[norm] = entry
        elif (earlier.file, earlier.line) == (entry.file, entry.line) or earlier.category != entry.category:
            continue  # a shared list, or one term classified twice (a default category and a taxonomy risk)
        elif earlier.policy_id == entry.policy_id:
            issues.append(_issue(entry, Severity.WARNING, f"{entry.term!r} duplicates {_where(earlier)}"))
        else:
            issues.append(
                _issue(
                    entry,
                    Severity.WARNING,
                    f"{entry.term!r} is also listed in policy {earlier.policy_id!r} ({_where(earlier)})",
                )
            )
    for norm, entry in keywords:
        for exc_norm, exc in exceptions.get(entry.policy_id, ()):
            if shadows(norm, exc_norm):
                issues.append(
                    _issue(
                        entry,
                        Severity.WARNING,
                        f"{entry.term!r} can never fire: exception {exc.term!r} ({_where(exc)}) covers it",
                    )
                )
                break
    return issues


def lint_regexes(entries: Iterable[RegexEntry]) -> list[LintIssue]:
    """Patterns on RE2 cannot backtrack, so only opted-in backtracking ones are judged: each is a
    warning (its cost is bounded per text, and a timeout applies the policy's action)."""
    issues: list[LintIssue] = []
    for entry in entries:
        if not entry.backtracking_ms:
            continue
        issues.append(
            LintIssue(
                entry.file,
                entry.line,
                Severity.WARNING,
                f"pattern {entry.pattern!r} runs on the backtracking engine (regex_engine: backtracking): "
                f"each text gets {entry.backtracking_ms} ms, then the policy's action applies to all of it",
                entry.policy_id,
            )
        )
        for risk in backtracking_risks(entry.pattern, entry.flags):
            issues.append(
                LintIssue(
                    entry.file,
                    entry.line,
                    Severity.WARNING,
                    f"pattern {entry.pattern!r}: {risk.message} (catastrophic backtracking risk: "
                    "expect timeouts)",
                    entry.policy_id,
                )
            )
    return issues


def has_errors(issues: Sequence[LintIssue]) -> bool:
    return any(i.severity is Severity.ERROR for i in issues)


def sort_issues(issues: Iterable[LintIssue]) -> list[LintIssue]:
    return sorted(issues, key=lambda i: (i.file, i.line or 0, i.severity != Severity.ERROR, i.message))


def _issue(entry: KeywordEntry, severity: Severity, message: str) -> LintIssue:
    return LintIssue(entry.file, entry.line, severity, message, entry.policy_id)


def _where(entry: KeywordEntry) -> str:
    return f"{entry.file}:{entry.line}" if entry.line is not None else entry.file
