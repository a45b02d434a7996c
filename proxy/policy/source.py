"""The policy path seen by reload and lint: a store loader, referenced files, lint entries with lines.

The loader compiles rules and keeps only what matching needs; authoring tools also
need where each keyword and pattern was written. This module re-reads the rule
files' YAML (with line numbers) for that, and never changes what the loader accepts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from proxy.policy.engine import PolicySet
from proxy.policy.files import rule_files
from proxy.policy.lint import KeywordEntry, LintIssue, RegexEntry, lint_keywords, lint_regexes, sort_issues
from proxy.policy.loader import PolicyLoadError, load_policy_set
from proxy.policy.normalize import normalizer
from proxy.policy.schema import Policy, RegexEngine
from proxy.policy.store import LoadFailed, LoadProblem
from proxy.policy.yamlsource import LineDict, LineList, line_of, parse_yaml


def policy_loader(path: Path) -> Callable[[], PolicySet]:
    """A :data:`proxy.policy.store.Loader` for ``path``: the engine's errors become ``LoadFailed``."""

    def load() -> PolicySet:
        try:
            return load_policy_set(path)
        except PolicyLoadError as exc:
            raise LoadFailed([LoadProblem(p.file, p.line, p.message) for p in exc.problems]) from None
        except OSError as exc:
            raise LoadFailed([LoadProblem(str(exc.filename or path), None, str(exc))]) from None

    return load


@dataclass(frozen=True, slots=True)
class _PolicyDoc:
    file: Path
    item: LineDict


def _policy_docs(root: Path) -> Iterator[_PolicyDoc]:
    for file in rule_files(root):
        try:
            doc = parse_yaml(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue  # the loader reports unreadable files
        items = doc.get("policies") if isinstance(doc, LineDict) else None
        if isinstance(items, LineList):
            yield from (_PolicyDoc(file, item) for item in items if isinstance(item, LineDict))


def referenced_files(root: Path) -> list[Path]:
    """Keyword files the rule files under ``root`` name (they may live outside it)."""
    out: dict[Path, None] = {}
    for doc in _policy_docs(root):
        files = doc.item.get("keyword_files")
        if isinstance(files, list):
            out.update((doc.file.parent / str(rel), None) for rel in files)
    return list(out)


def watched_paths(root: Path) -> list[Path]:
    """``root``, the rule files it includes from elsewhere, and every keyword file named."""
    inside = root.resolve()
    included = [f for f in rule_files(root) if root.is_dir() and not f.resolve().is_relative_to(inside)]
    return [root, *included, *referenced_files(root)]


class WatchedPaths:
    """:func:`watched_paths` for a watcher that asks every second: the rule files' YAML is parsed
    again only when one of them changed (by ``stat``), not on every poll."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._key: tuple[tuple[str, int, int, int, int], ...] | None = None
        self._paths: list[Path] = []

    def __call__(self) -> list[Path]:
        key = tuple(_stat_key(file) for file in rule_files(self._root))
        if key != self._key:
            self._paths = watched_paths(self._root)
            self._key = key
        return self._paths


def _stat_key(file: Path) -> tuple[str, int, int, int, int]:
    try:
        st = file.stat()
    except OSError:
        return (str(file), -1, -1, -1, -1)
    return (str(file), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def lint_entries(root: Path) -> tuple[list[KeywordEntry], list[RegexEntry]]:
    keywords: list[KeywordEntry] = []
    regexes: list[RegexEntry] = []
    for doc in _policy_docs(root):
        item, name = doc.item, str(doc.file)
        pid = str(item.get("id", ""))
        for key, exception in (("keywords", False), ("exceptions", True)):
            keywords.extend(
                KeywordEntry(pid, str(term), name, line, exception) for term, line in _with_lines(item, key)
            )
        for rel, _line in _with_lines(item, "keyword_files"):
            path = doc.file.parent / rel
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            for number, raw in enumerate(lines, start=1):
                term = raw.strip()
                if term and not term.startswith("#"):
                    keywords.append(KeywordEntry(pid, term, str(path), number))
        regexes.extend(RegexEntry(pid, str(p), name, line) for p, line in _with_lines(item, "regex"))
    return keywords, regexes


def _with_lines(item: LineDict, key: str) -> list[tuple[str, int | None]]:
    value = item.get(key)
    if isinstance(value, str):
        return [(value, line_of(item, key))]
    if isinstance(value, LineList):
        return [(str(v), line) for v, line in zip(value, value.item_lines, strict=True)]
    return []


def lint_path(root: Path, policy_set: PolicySet) -> list[LintIssue]:
    """Lint the loaded ``policy_set`` from ``root``; keywords use each policy's own normalization."""
    by_id = {p.id: p for p in policy_set.policies}
    keywords, regexes = lint_entries(root)
    keywords = [
        replace(k, category=by_id[k.policy_id].category) if k.policy_id in by_id else k for k in keywords
    ]
    issues: list[LintIssue] = []
    groups: dict[object, list[KeywordEntry]] = {}
    for entry in keywords:
        policy = by_id.get(entry.policy_id)
        if policy is not None:
            groups.setdefault(policy.keyword_normalize, []).append(entry)
    for options, entries in groups.items():
        norm = normalizer(by_id[entries[0].policy_id].keyword_normalize)
        del options
        issues.extend(lint_keywords(entries, norm.term))
    issues.extend(
        lint_regexes(replace(r, backtracking_ms=_backtracking_ms(by_id.get(r.policy_id))) for r in regexes)
    )
    return sort_issues(issues)


def _backtracking_ms(policy: Policy | None) -> int:
    if policy is None or policy.regex_engine is not RegexEngine.BACKTRACKING:
        return 0
    return policy.regex_timeout_ms
