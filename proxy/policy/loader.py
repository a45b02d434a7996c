"""Rule files → a compiled :class:`PolicySet`, or every problem found, each with ``file:line``."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from proxy.policy.decision import Action, Phase, PolicyMessage
from proxy.policy.engine import DEFAULT_MAX_REGEX_MATCH, PolicySet
from proxy.policy.fields import Fields
from proxy.policy.files import rule_files
from proxy.policy.normalize import KEYWORD_DEFAULTS, MAX_SEPARATOR_RUN, RAW, REGEX_DEFAULTS, NormalizeOptions
from proxy.policy.normalize import normalizer as get_normalizer
from proxy.policy.policy_rules import block_only_problems, parse_message
from proxy.policy.regex import check_pattern, linear_problem
from proxy.policy.regex_backtracking import DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS
from proxy.policy.schema import ALL_PHASES, ClassifierPolicy, Mode, Policy, RegexEngine
from proxy.policy.validators import VALIDATORS
from proxy.policy.yamlsource import DuplicateKeyError, LineDict, LineList, line_of, parse_yaml

_TOP_KEYS = {"policies", "tests", "mode", "include"}
_POLICY_KEYS = {
    "id", "description", "category", "phases", "action", "mode", "keywords", "keyword_files",
    "exceptions", "regex", "replacement", "validator", "normalize", "whole_word", "case_sensitive",
    "classifier", "message", "regex_engine", "regex_timeout_ms",
}  # fmt: skip
_NORMALIZE_KEYS = {"width", "case", "format", "chinese", "homoglyphs", "leet", "separators"}
_CLASSIFIER_KEYS = {"backend", "thresholds", "on_error", "timeout_ms", "model"}
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_CATEGORY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


class PolicyLoadError(Exception):
    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def load_policy_set(path: str | Path, *, max_regex_match: int = DEFAULT_MAX_REGEX_MATCH) -> PolicySet:
    root = Path(path)
    if not root.exists():
        raise PolicyLoadError((Problem(str(root), None, "no such file or directory"),))
    digest = hashlib.sha256()
    problems: list[Problem] = []
    policies: list[Policy] = []
    seen: dict[str, str] = {}
    base = root if root.is_dir() else root.parent
    for file in rule_files(root):
        parser = _FileParser(file, digest, base)
        for policy in parser.parse():
            if policy.id in seen:
                parser.problem(
                    policy.source, f"duplicate policy id {policy.id!r} (first defined at {seen[policy.id]})"
                )
                continue
            seen[policy.id] = policy.source
            policies.append(policy)
        problems.extend(parser.problems)
    if problems:
        raise PolicyLoadError(tuple(problems))
    return PolicySet(tuple(policies), digest.hexdigest()[:12], max_regex_match=max_regex_match)


class _FileParser:
    def __init__(self, file: Path, digest: Any, base: Path) -> None:
        self.file = file
        self.name = str(file)
        self.digest = digest
        self.base = base
        self.problems: list[Problem] = []

    def problem(self, where: str | int | None, message: str) -> None:
        line = int(where.rsplit(":", 1)[1]) if isinstance(where, str) else where
        self.problems.append(Problem(self.name, line, message))

    def _hash(self, file: Path, data: bytes) -> None:
        # Paths relative to the policy root: the revision names the content, wherever it is mounted,
        # so replicas with other mount points share cached verdicts.
        name = os.path.relpath(file, self.base)
        self.digest.update(f"{Path(name).as_posix()}\0{len(data)}\0".encode())
        self.digest.update(data)

    def parse(self) -> list[Policy]:
        try:
            data = self.file.read_bytes()
            self._hash(self.file, data)
            doc = parse_yaml(data.decode("utf-8"))
        except (OSError, UnicodeDecodeError) as e:
            self.problem(None, f"cannot read: {e}")
            return []
        except DuplicateKeyError as e:
            self.problem(e.line, str(e))
            return []
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            self.problem(mark.line + 1 if mark else None, f"invalid YAML: {getattr(e, 'problem', e)}")
            return []
        if not isinstance(doc, LineDict):
            self.problem(1, "expected a mapping with a 'policies' list")
            return []
        for key in doc.keys() - _TOP_KEYS:
            self.problem(line_of(doc, key), f"unknown key {key!r} (expected policies, tests, mode, include)")
        file_mode = doc.get("mode", Mode.ENFORCE.value)
        if file_mode not in {m.value for m in Mode}:
            self.problem(line_of(doc, "mode"), f"mode must be enforce or shadow (got {file_mode!r})")
        self._check_includes(doc)
        items = doc.get("policies")
        if items is None and "include" in doc:
            return []  # a file that only includes packs
        if not isinstance(items, LineList):
            self.problem(line_of(doc, "policies") or 1, "'policies' must be a list")
            return []
        policies = []
        for item in items:
            policy = self._policy(item, line_of(items))
            if policy is None:
                continue
            if file_mode == Mode.SHADOW.value:
                policy = _shadowed(policy)
            if self._weakens_block_only(policy, item, line_of(doc, "mode")):
                continue
            policies.append(policy)
        return policies

    def _check_includes(self, doc: LineDict) -> None:
        value = doc.get("include")
        if value is None:
            return
        if not isinstance(value, LineList):
            self.problem(line_of(doc, "include"), "include must be a list of directories")
            return
        for rel, line in zip(value, value.item_lines, strict=True):
            if not isinstance(rel, str) or not rel or not (self.file.parent / rel).is_dir():
                self.problem(line, f"include: {rel!r} is not a directory (relative to this file)")

    def _weakens_block_only(self, policy: Policy, item: LineDict, file_mode_line: int | None) -> bool:
        found = block_only_problems(policy, item, file_mode_line)
        for line, message in found:
            self.problem(line, message)
        return bool(found)

    def _policy(self, item: object, fallback_line: int | None) -> Policy | None:
        if not isinstance(item, LineDict):
            self.problem(fallback_line, "each policy must be a mapping")
            return None
        before = len(self.problems)
        for key in sorted(item.keys() - _POLICY_KEYS, key=str):
            self.problem(line_of(item, key), f"unknown key {key!r}")
        get = Fields(self.problem, item)
        pid = get.text("id", required=True, pattern=_ID)
        category = get.text("category", required=True, pattern=_CATEGORY)
        action = get.choice("action", Action.from_label, required=True)
        mode = get.choice("mode", Mode, default=Mode.ENFORCE)
        phases = frozenset(get.strings("phases", Phase)) if "phases" in item else ALL_PHASES
        keywords = get.strings("keywords", str)
        keyword_files = get.strings_with_lines("keyword_files")
        for rel, line in keyword_files:
            keywords.extend(self._keyword_file(rel, line))
        exceptions = get.strings("exceptions", str)
        patterns = get.strings("regex", str)
        replacement = get.text("replacement")
        validator = get.choice("validator", _validator_name)
        whole_word = get.flag("whole_word", True)
        case_sensitive = get.flag("case_sensitive", False)
        engine = get.choice("regex_engine", RegexEngine, default=RegexEngine.LINEAR) or RegexEngine.LINEAR
        timeout_ms = self._regex_timeout(item, engine)
        keyword_opts, regex_opts = self._normalize(item, case_sensitive)
        message = self._message(item)
        classifier = self._classifier(item, pid or "", action or Action.FLAG, phases, mode, message)
        if not phases:
            self.problem(line_of(item, "phases"), "phases must not be empty")
        # A keyword file may be empty: a list a deployer fills later (``modproxy check`` reports it).
        if not (keywords or keyword_files or patterns or classifier):
            self.problem(item.line, "a policy needs keywords, keyword_files, regex or classifier")
        if replacement is not None and action not in (Action.REDACT, Action.PSEUDONYMIZE):
            self.problem(
                line_of(item, "replacement"), "replacement only applies to action: redact or pseudonymize"
            )
        if action is Action.PSEUDONYMIZE and (keywords or not patterns):
            self.problem(
                line_of(item, "action"), "pseudonymize needs regex (with an optional validator), not keywords"
            )
        if validator and not patterns:
            self.problem(line_of(item, "validator"), "validator needs regex")
        for label, terms in (("keyword", keywords), ("exception", exceptions)):
            for term, folded in zip(terms, get_normalizer(keyword_opts).terms(terms), strict=True):
                if not folded:
                    self.problem(
                        line_of(item, label + "s") or item.line, f"{label} {term!r} normalizes to nothing"
                    )
        if engine is not RegexEngine.LINEAR and not patterns:
            self.problem(line_of(item, "regex_engine"), "regex_engine needs regex")
        for pattern, line in zip(patterns, _item_lines(item.get("regex"), item), strict=False):
            try:
                check_pattern(pattern, case_sensitive)
            except ValueError as e:
                self.problem(line, str(e))
                continue
            if engine is RegexEngine.LINEAR and (reason := linear_problem(pattern, case_sensitive)):
                self.problem(line, f"regex {pattern!r} cannot run on the linear engine: {reason}")
        if len(self.problems) > before or pid is None or category is None or action is None:
            return None
        return Policy(
            id=pid, category=category, action=action, phases=phases,
            description=get.text("description") or "", mode=mode or Mode.ENFORCE,
            keywords=tuple(keywords), exceptions=tuple(exceptions), regexes=tuple(patterns),
            replacement=replacement, validator=validator, keyword_normalize=keyword_opts,
            regex_normalize=regex_opts, whole_word=whole_word, case_sensitive=case_sensitive,
            regex_engine=engine, regex_timeout_ms=timeout_ms,
            classifier=classifier, message=message, source=f"{self.name}:{item.line}",
        )  # fmt: skip

    def _message(self, item: LineDict) -> PolicyMessage | None:
        message, found = parse_message(item)
        for line, problem in found:
            self.problem(line, problem)
        return message

    def _regex_timeout(self, item: LineDict, engine: RegexEngine) -> int:
        value = item.get("regex_timeout_ms")
        if value is None:
            return DEFAULT_TIMEOUT_MS
        line = line_of(item, "regex_timeout_ms")
        if engine is not RegexEngine.BACKTRACKING:
            self.problem(line, "regex_timeout_ms only applies to regex_engine: backtracking")
        elif isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_TIMEOUT_MS:
            self.problem(line, f"regex_timeout_ms must be an integer from 1 to {MAX_TIMEOUT_MS}")
        else:
            return value
        return DEFAULT_TIMEOUT_MS

    def _keyword_file(self, rel: str, line: int | None) -> list[str]:
        path = self.file.parent / rel
        try:
            data = path.read_bytes()
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as e:
            self.problem(line, f"keyword file {rel!r}: {getattr(e, 'strerror', None) or e}")
            return []
        self._hash(path, data)
        terms = (raw.strip() for raw in text.splitlines())
        return [t for t in terms if t and not t.startswith("#")]

    def _normalize(self, item: LineDict, case_sensitive: bool) -> tuple[NormalizeOptions, NormalizeOptions]:
        value = item.get("normalize", True)
        line = line_of(item, "normalize")
        keyword_opts, regex_opts = KEYWORD_DEFAULTS, REGEX_DEFAULTS
        if value is False:
            keyword_opts, regex_opts = RAW, RAW
        elif isinstance(value, LineDict):
            for key in sorted(value.keys() - _NORMALIZE_KEYS, key=str):
                self.problem(line_of(value, key), f"unknown normalize option {key!r}")
            changes: dict[str, Any] = {}
            for key in sorted(value.keys() & _NORMALIZE_KEYS):
                v = value[key]
                if key == "separators" and not isinstance(v, bool) and isinstance(v, int):
                    if not 0 <= v <= MAX_SEPARATOR_RUN:
                        self.problem(line_of(value, key), f"separators must be 0..{MAX_SEPARATOR_RUN}")
                        continue
                    changes[key] = v
                elif isinstance(v, bool):
                    changes[key] = (MAX_SEPARATOR_RUN if v else 0) if key == "separators" else v
                else:
                    self.problem(line_of(value, key), f"normalize.{key} must be true or false")
            keyword_opts = replace(KEYWORD_DEFAULTS, **changes)
            regex_opts = replace(
                REGEX_DEFAULTS, **{k: v for k, v in changes.items() if k in ("width", "format")}
            )
        elif value is not True:
            self.problem(line, "normalize must be true, false or a mapping of options")
        if case_sensitive:
            keyword_opts = replace(keyword_opts, case=False)
        return keyword_opts, regex_opts

    def _classifier(
        self,
        item: LineDict,
        pid: str,
        action: Action,
        phases: frozenset[Phase],
        mode: Mode | None,
        message: PolicyMessage | None,
    ) -> ClassifierPolicy | None:
        block = item.get("classifier")
        if block is None:
            return None
        if not isinstance(block, LineDict):
            self.problem(line_of(item, "classifier"), "classifier must be a mapping")
            return None
        for key in sorted(block.keys() - _CLASSIFIER_KEYS, key=str):
            self.problem(line_of(block, key), f"unknown classifier key {key!r}")
        get = Fields(self.problem, block)
        backend = get.text("backend", required=True)
        # Fail closed unless the author chose otherwise: an outage must not become "allowed".
        on_error = get.choice("on_error", _on_error, default=Action.BLOCK)
        model = self._model_file(block, get.text("model"))
        if action in (Action.REDACT, Action.PSEUDONYMIZE):
            self.problem(
                line_of(item, "action"), f"a classifier policy cannot {action.label} (it gives no spans)"
            )
        timeout = block.get("timeout_ms", 2000)
        if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0:
            self.problem(line_of(block, "timeout_ms"), "timeout_ms must be a positive integer")
            timeout = 2000
        thresholds: dict[str, float] = {}
        raw = block.get("thresholds")
        if not isinstance(raw, LineDict) or not raw:
            self.problem(line_of(block, "thresholds"), "thresholds must map categories to scores in [0, 1]")
        else:
            for category, score in raw.items():
                ok = isinstance(score, int | float) and not isinstance(score, bool) and 0 <= score <= 1
                if not isinstance(category, str) or not ok:
                    self.problem(line_of(raw, category), f"threshold {category!r} must be a number in [0, 1]")
                else:
                    thresholds[category] = float(score)
        if backend is None:
            return None
        return ClassifierPolicy(
            pid,
            backend,
            thresholds,
            action,
            phases,
            Action.BLOCK if on_error is None else on_error,  # ALLOW is 0, so never `or`
            timeout,
            mode is Mode.SHADOW,
            model,
            message,
        )

    def _model_file(self, block: LineDict, rel: str | None) -> str | None:
        """A policy's own model file, relative to the rule file; its bytes are part of the revision."""
        if rel is None:
            return None
        path = self.file.parent / rel
        try:
            self._hash(path, path.read_bytes())
        except OSError as exc:
            self.problem(line_of(block, "model"), f"model file {rel!r}: {exc.strerror or exc}")
            return None
        return str(path.resolve())


def _shadowed(policy: Policy) -> Policy:
    """A file-level ``mode: shadow`` overrides every policy in the file, so nothing in it enforces."""
    classifier = replace(policy.classifier, shadow=True) if policy.classifier else None
    return replace(policy, mode=Mode.SHADOW, classifier=classifier)


def _item_lines(value: object, item: LineDict) -> list[int | None]:
    if isinstance(value, LineList):
        return list(value.item_lines)
    return [line_of(item, "regex")]


def _validator_name(name: str) -> str:
    if name not in VALIDATORS:
        raise ValueError(f"unknown validator {name!r} (expected {', '.join(sorted(VALIDATORS))})")
    return name


def _on_error(label: str) -> Action:
    action = Action.from_label(label)
    if action not in (Action.BLOCK, Action.ALLOW):
        raise ValueError("on_error must be block or allow")
    return action
