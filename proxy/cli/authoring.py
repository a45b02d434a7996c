"""``modproxy test`` (tests as data), ``modproxy lint`` and ``modproxy eval`` (quality on labelled data)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from proxy.policy.decision import Action, Decision, Finding, Phase, RuleKind
from proxy.policy.engine import PolicySet
from proxy.policy.evaluation import (
    EvalDataError,
    EvalReport,
    LabelledItem,
    Rate,
    evaluate_items,
    parse_items,
)
from proxy.policy.lint import LintIssue, Severity
from proxy.policy.loader import PolicyLoadError, load_policy_set
from proxy.policy.refusal import refusal_report
from proxy.policy.source import lint_path
from proxy.policy.testing import CaseProblem, CaseResult, TestCase, discover, run_cases

DEFAULT_POLICIES = Path("policies")
REFUSAL_DATA = Path("data/eval/refusal.jsonl")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(subparsers: Any) -> None:
    test = subparsers.add_parser(
        "test",
        help="run the test cases kept next to the policies",
        description="Run every `tests:` case in the policy files (and NAME_test.yaml files) under PATH.",
    )
    test.add_argument("path", nargs="?", type=Path, default=DEFAULT_POLICIES, help="policy file or directory")
    test.add_argument("-q", "--quiet", action="store_true", help="print failures and the summary only")
    test.add_argument("--json", action="store_true", help="machine-readable results")
    test.set_defaults(func=run_test)

    lint = subparsers.add_parser(
        "lint",
        help="load the policies and report risky or dead rules",
        description="Catastrophic-backtracking regexes, shadowed, duplicate, empty and too-common keywords.",
    )
    lint.add_argument("path", nargs="?", type=Path, default=DEFAULT_POLICIES, help="policy file or directory")
    lint.add_argument("--strict", action="store_true", help="fail on warnings too")
    lint.set_defaults(func=run_lint)

    ev = subparsers.add_parser(
        "eval",
        help="measure policy quality on labelled JSON lines",
        description="Precision, recall, false positives and refusal rates of the policies on DATA.",
    )
    ev.add_argument(
        "data",
        type=Path,
        nargs="?",
        help=f"JSON lines: {{text, label, phase?, category?, lang?}} (default with --report refusal:"
        f" {REFUSAL_DATA})",
    )
    ev.add_argument("--policies", type=Path, default=DEFAULT_POLICIES, help="policy file or directory")
    ev.add_argument(
        "--threshold",
        choices=[a.label for a in Action if a is not Action.ALLOW],
        default="block",
        help="an item is positive when its label (and the verdict) reaches this action (default block)",
    )
    ev.add_argument("--include-shadow", action="store_true", help="count shadow policies as enforced")
    ev.add_argument(
        "--report",
        choices=["quality", "refusal"],
        default="quality",
        help="quality: precision and recall of the rules (default); refusal: the refusal test through"
        " the rules and the classifier policies, per category",
    )
    ev.add_argument("--top", type=int, default=10, help="how many of the worst misses to list")
    ev.add_argument("--json", action="store_true", help="machine-readable report")
    ev.set_defaults(func=run_eval)


def load_or_report(path: Path | str, err: TextIO) -> PolicySet | None:
    """The policy set at ``path``, or None after printing each problem as ``file:line: error: ...``."""
    try:
        return load_policy_set(path)
    except PolicyLoadError as exc:
        for problem in exc.problems:
            where = f"{problem.file}:{problem.line}" if problem.line else problem.file
            print(f"{where}: error: {problem.message}", file=err)
        return None
    except OSError as exc:
        print(f"{path}: error: {exc.strerror or exc}", file=err)
        return None


def print_lint(issues: list[LintIssue], out: TextIO, *, strict: bool = False) -> bool:
    """Print issues as ``file:line: severity: message``; True when they should fail the command."""
    for issue in issues:
        print(issue, file=out)
    errors = sum(i.severity is Severity.ERROR for i in issues)
    warnings = len(issues) - errors
    print(f"lint: {errors} error(s), {warnings} warning(s)", file=out)
    return errors > 0 or (strict and warnings > 0)


def run_lint(args: argparse.Namespace, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    policy_set = load_or_report(args.path, err)
    if policy_set is None:
        return EXIT_FAILED
    failed = print_lint(lint_path(args.path, policy_set), out, strict=args.strict)
    return EXIT_FAILED if failed else EXIT_OK


def run_test(args: argparse.Namespace, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    policy_set = load_or_report(args.path, err)
    if policy_set is None:
        return EXIT_FAILED
    found = discover(args.path)
    results = run_cases(found.cases, _decider(policy_set, found.cases), (p.id for p in policy_set.policies))
    failed = sum(not r.passed for r in results) + len(found.problems)
    if args.json:
        json.dump(
            {
                "passed": sum(r.passed for r in results),
                "failed": failed,
                "cases": [_case_json(r) for r in results],
                "problems": [{"file": p.file, "line": p.line, "message": p.message} for p in found.problems],
            },
            out,
            indent=2,
        )
        out.write("\n")
    else:
        for problem in found.problems:
            print(_problem_line(problem), file=out)
        for result in results:
            if not (args.quiet and result.passed):
                print(_case_line(result), file=out)
                diff = result.redaction_diff()
                if diff:
                    print("\n".join("    " + line for line in diff.splitlines()), file=out)
        print(_summary(len(results) + len(found.problems), failed), file=out)
    if not results and not found.problems:
        print(f"{args.path}: no test cases found", file=err)
        return EXIT_FAILED
    return EXIT_FAILED if failed else EXIT_OK


def _decider(policy_set: PolicySet, cases: Sequence[TestCase]) -> Callable[[str, Phase], Decision]:
    """Rules only, unless the set has classifier policies: then every case goes through them too."""
    if not policy_set.rule_counts.get(RuleKind.CLASSIFIER.value):
        return policy_set.evaluate
    from proxy.cli.refusal import decide_all  # numpy and the model: only when a policy needs them

    texts = list(dict.fromkeys((case.text, case.phase) for case in cases))
    decided = dict(zip(texts, decide_all(policy_set, texts), strict=True))
    return lambda text, phase: decided[(text, phase)]


def _summary(total: int, failed: int) -> str:
    return f"{total - failed} passed, {failed} failed" if failed else f"{total} passed"


def _problem_line(problem: CaseProblem) -> str:
    return f"FAIL {problem.file}:{problem.line}  unreadable case: {problem.message}"


def _case_line(result: CaseResult) -> str:
    case = result.case
    verdict = "PASS" if result.passed else "FAIL"
    got = result.actual.label
    if result.unknown_policy:
        outcome = f"no policy {case.policy!r}"
    elif result.actual is case.expect:
        outcome = got if result.passed else f"{got}, redaction differs"
    else:
        outcome = f"expected {case.expect.label}, got {got}"
    scope = f" [{case.policy}]" if case.policy else ""
    why = f"  <- {_finding_text(result.deciding)}" if result.deciding else ""
    return f"{verdict} {case.where}{scope} {case.phase.value}: {_clip(case.text)}  {outcome}{why}"


def _finding_text(finding: Finding) -> str:
    shadow = " (shadow)" if finding.shadow else ""
    return f"{finding.policy_id}/{finding.category} {finding.kind.value} {finding.matched!r}{shadow}"


def _clip(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return json.dumps(flat if len(flat) <= width else flat[: width - 1] + "…", ensure_ascii=False)


def _case_json(result: CaseResult) -> dict[str, Any]:
    case = result.case
    return {
        "file": case.file,
        "line": case.line,
        "passed": result.passed,
        "expect": case.expect.label,
        "actual": result.actual.label,
        "policy": case.policy,
        "finding": result.deciding.to_json() if result.deciding else None,
        "redacted": result.redacted,
        "expected_redacted": case.redacted,
    }


def run_eval(args: argparse.Namespace, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    if args.data is None and args.report != "refusal":
        print("modproxy eval: DATA is required (it defaults only with --report refusal)", file=err)
        return EXIT_USAGE
    path: Path = args.data or REFUSAL_DATA
    try:
        with path.open(encoding="utf-8") as handle:
            items = parse_items(handle)
    except OSError as exc:
        print(f"{path}: error: {exc.strerror or exc}", file=err)
        return EXIT_USAGE
    except EvalDataError as exc:
        print(f"{path}:{exc.line}: error: {exc}", file=err)
        return EXIT_USAGE
    policy_set = load_or_report(args.policies, err)
    if policy_set is None:
        return EXIT_FAILED
    if args.report == "refusal":
        return _refusal(args, policy_set, items, out)
    report = evaluate_items(
        items,
        policy_set.evaluate,
        threshold=Action.from_label(args.threshold),
        include_shadow=args.include_shadow,
        top=args.top,
    )
    if args.json:
        data = report.to_json()
        data["revision"] = policy_set.revision
        json.dump(data, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(render_report(report, policy_set.revision))
    return EXIT_OK


def _refusal(
    args: argparse.Namespace, policy_set: PolicySet, items: tuple[LabelledItem, ...], out: TextIO
) -> int:
    from proxy.cli.refusal import moderate_items, render_refusal  # numpy and the model: only when asked

    outcomes = moderate_items(policy_set, items, include_shadow=args.include_shadow)
    report = refusal_report(outcomes, top=args.top)
    if args.json:
        json.dump({"revision": policy_set.revision, **report.to_json()}, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        render_refusal(report, policy_set.revision, out)
    return EXIT_OK


def _pct(rate: Rate) -> str:
    return "-" if rate.value is None else f"{rate.value:.3f}"


def render_report(report: EvalReport, revision: str) -> str:
    lines = [
        f"{report.overall.support} items, positive = label >= {report.threshold.label}, revision {revision}",
        "",
        f"{'category':<20} {'n':>5} {'tp':>5} {'fp':>5} {'fn':>5} {'tn':>5} "
        f"{'precision':>9} {'recall':>7} {'fpr':>6}",
    ]
    for name, c in [*report.categories, ("overall", report.overall)]:
        lines.append(
            f"{name[:20]:<20} {c.support:>5} {c.tp:>5} {c.fp:>5} {c.fn:>5} {c.tn:>5} "
            f"{_pct(c.precision):>9} {_pct(c.recall):>7} {_pct(c.false_positive_rate):>6}"
        )
    refuse, answer, exact = report.should_refuse_refused, report.should_answer_refused, report.exact_accuracy
    lines += [
        "",
        f"should-refuse items refused:        {refuse.count}/{refuse.total}  {_pct(refuse)}",
        f"should-answer items wrongly refused: {answer.count}/{answer.total}  {_pct(answer)}",
        f"exact action match:                 {exact.count}/{exact.total}  {_pct(exact)}",
    ]
    if report.misses:
        lines += ["", "worst misses:"]
        for miss in report.misses:
            why = f"  <- {_finding_text(miss.deciding)}" if miss.deciding else ""
            lines.append(
                f"  line {miss.item.line}: label {miss.item.label.label}, got {miss.predicted.label}"
                f"  {_clip(miss.item.text)}{why}"
            )
    return "\n".join(lines) + "\n"
