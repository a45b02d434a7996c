"""``modproxy eval --report refusal`` (and ``modproxy test`` of classifier policies): texts through
the policy engine and its classifiers.

Each item is moderated as the proxy moderates a request: keyword and regex rules, then the
policy set's classifier policies on the built-in model (or a policy's own model file), with
the same thresholds, actions and error rules. Remote classifier backends are not reachable
from here; a policy that names one follows its ``on_error``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TextIO

from proxy.cache.decisions import CacheConfig, DecisionCache
from proxy.classifiers.builtin import BuiltinClassifier
from proxy.classifiers.builtin_model import load_default_model
from proxy.classifiers.registry import BUILTIN, ClassifierSet
from proxy.moderation.moderator import FixedPolicies, PolicyModerator, RequestContext
from proxy.policy.decision import Decision, Phase
from proxy.policy.engine import PolicySet
from proxy.policy.evaluation import LabelledItem, predicted_action
from proxy.policy.refusal import (
    ANSWER_TARGET,
    REFUSE_TARGET,
    RefusalOutcome,
    RefusalReport,
    RefusalRow,
    Tally,
)


def moderate_items(
    policy_set: PolicySet, items: Sequence[LabelledItem], *, include_shadow: bool = False
) -> list[RefusalOutcome]:
    decisions = decide_all(policy_set, [(item.text, item.phase) for item in items])
    return [
        RefusalOutcome(item, *predicted_action(decision, include_shadow))
        for item, decision in zip(items, decisions, strict=True)
    ]


def decide_all(policy_set: PolicySet, texts: Sequence[tuple[str, Phase]]) -> list[Decision]:
    """Each text's decision as the proxy reaches it: rules, then classifier policies."""
    return asyncio.run(_decide_all(policy_set, texts))


async def _decide_all(policy_set: PolicySet, texts: Sequence[tuple[str, Phase]]) -> list[Decision]:
    classifiers = ClassifierSet({BUILTIN: BuiltinClassifier(load_default_model())}, None, None)
    ctx = RequestContext("cli")
    decisions: list[Decision] = []
    async with DecisionCache(CacheConfig()) as cache:
        moderator = PolicyModerator(FixedPolicies(policy_set), cache, classifiers)
        for text, phase in texts:
            decisions.extend((await moderator.moderate([text], phase, ctx)).decisions)
    return decisions


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:5.1f}%"


def _cells(tally: Tally) -> str:
    return f"{tally.total:>5} {tally.caught:>6} {tally.blocked:>7} {_pct(tally.rate):>7}"


def _row(row: RefusalRow) -> str:
    marks = ("" if row.refuse_met else " <refuse") + ("" if row.answer_met else " <answer")
    return f"{row.name[:18]:<18} {_cells(row.refuse)}   {_cells(row.answer)}{marks}"


def render_refusal(report: RefusalReport, revision: str, out: TextIO) -> None:
    overall = report.overall
    out.write(
        f"refusal test: {overall.refuse.total} should-refuse and {overall.answer.total} should-answer items,"
        f" revision {revision}\n"
        "caught = flagged, redacted or blocked; rate = caught / n\n\n"
        f"{'':<18} {'should refuse':^28}   {'should answer':^28}\n"
        f"{'category':<18} {'n':>5} {'caught':>6} {'blocked':>7} {'rate':>7}"
        f"   {'n':>5} {'caught':>6} {'blocked':>7} {'rate':>7}\n"
    )
    for row in report.categories:
        out.write(_row(row) + "\n")
    out.write("\n")
    for row in report.languages:
        out.write(_row(row) + "\n")
    out.write(_row(overall) + "\n\n")
    refuse_ok = "met" if overall.refuse_met else "NOT met"
    answer_ok = "met" if overall.answer_met else "NOT met"
    refuse, answer = _pct(overall.refuse.rate).strip(), _pct(overall.answer.rate).strip()
    out.write(
        f"should-refuse caught: {refuse} (target >= {REFUSE_TARGET:.0%}): {refuse_ok}\n"
        f"should-answer caught: {answer} (target <= {ANSWER_TARGET:.0%}): {answer_ok}\n"
    )
    if report.skipped:
        out.write(f"{report.skipped} item(s) labelled neither block nor allow were skipped\n")
    if report.misses:
        out.write("\nmisses:\n")
        for miss in report.misses:
            expected = "refuse" if miss.should_refuse else "answer"
            text = " ".join(miss.item.text.split())
            text = text if len(text) <= 70 else text[:69] + "…"
            why = f"  <- {miss.deciding.policy_id}/{miss.deciding.category}" if miss.deciding else ""
            out.write(
                f"  line {miss.item.line} [{miss.item.category}] should {expected}, got"
                f" {miss.predicted.label}: {text}{why}\n"
            )
