"""``modproxy check`` and ``modproxy scan``: validate rule files, try texts against them."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from proxy.cli.authoring import load_or_report, print_lint
from proxy.policy.coverage import coverage, has_taxonomy
from proxy.policy.coverage import render as render_coverage
from proxy.policy.decision import Action, Decision, Phase, RuleKind
from proxy.policy.engine import PolicySet
from proxy.policy.source import lint_path

DEFAULT_POLICIES = "policies"
_COLORS = {
    Action.BLOCK: "\033[1;31m",
    Action.REDACT: "\033[1;33m",
    Action.FLAG: "\033[1;36m",
    Action.PSEUDONYMIZE: "\033[1;35m",
}
_RESET = "\033[0m"


def register(subparsers: Any) -> None:
    check = subparsers.add_parser("check", help="validate and lint a policy directory or file")
    check.add_argument("path", nargs="?", default=DEFAULT_POLICIES)
    check.add_argument("--strict", action="store_true", help="lint warnings fail the check too")
    check.set_defaults(func=run_check)

    scan = subparsers.add_parser("scan", help="evaluate a text against the policies")
    scan.add_argument("text", nargs="?", help="text to scan (default: standard input)")
    scan.add_argument("--policies", default=DEFAULT_POLICIES, metavar="PATH")
    scan.add_argument("--phase", choices=[p.value for p in Phase], default=Phase.PROMPT.value)
    scan.add_argument("--json", action="store_true", help="print the decision as JSON")
    scan.set_defaults(func=run_scan)


def run_check(args: argparse.Namespace) -> int:
    """Load errors and lint errors fail; lint warnings are printed (and fail with ``--strict``)."""
    policies = load_or_report(args.path, sys.stderr)
    if policies is None:
        return 1
    failed = print_lint(lint_path(Path(args.path), policies), sys.stdout, strict=args.strict)
    if has_taxonomy(policies.policies):
        print(render_coverage(coverage(policies.policies)))
    counts = ", ".join(f"{n} {kind}" for kind, n in policies.rule_counts.items())
    status = "failed" if failed else "ok"
    print(f"{status}: revision {policies.revision}, {len(policies.policies)} policies ({counts})")
    return 1 if failed else 0


def run_scan(args: argparse.Namespace) -> int:
    policies = load_or_report(args.policies, sys.stderr)
    if policies is None:
        return 1
    text = args.text if args.text is not None else sys.stdin.read()
    decision = decide(policies, text, Phase(args.phase))
    if args.json:
        print(json.dumps(decision.to_json(), ensure_ascii=False))
    else:
        print(render(text, decision, color=sys.stdout.isatty()))
    return 0


def decide(policies: PolicySet, text: str, phase: Phase) -> Decision:
    """The decision the proxy reaches: the rules, then classifier policies when the set has any."""
    if not policies.rule_counts.get(RuleKind.CLASSIFIER.value):
        return policies.evaluate(text, phase)
    from proxy.cli.refusal import decide_all  # numpy and the model: only when a policy needs them

    (decision,) = decide_all(policies, [(text, phase)])
    return decision


def render(text: str, decision: Decision, *, color: bool) -> str:
    lines = [f"action: {decision.action.label}  (revision {decision.revision})"]
    for f in decision.findings:
        shadow = " [shadow]" if f.shadow else ""
        lines.append(
            f"  {f.action.label:<6} {f.policy_id} ({f.category}, {f.kind.value}) "
            f"{f.start}-{f.end} {text[f.start : f.end]!r} matched {f.matched!r}{shadow}"
        )
    if decision.findings:
        lines.append(highlight(text, decision, color=color))
    if decision.redacted is not None:
        lines.append(f"redacted: {decision.redacted}")
    return "\n".join(lines)


def highlight(text: str, decision: Decision, *, color: bool) -> str:
    """The text with every finding's span marked: ANSI colour on a terminal, ``[[...]]`` otherwise."""
    out: list[str] = []
    pos = 0
    for f in sorted(decision.findings, key=lambda f: (f.start, -f.end)):
        if f.start < pos:
            continue
        start_mark, end_mark = (_COLORS.get(f.action, ""), _RESET) if color else ("[[", "]]")
        out += [text[pos : f.start], start_mark, text[f.start : f.end], end_mark]
        pos = f.end
    out.append(text[pos:])
    return "".join(out)
