"""Rules of a policy beyond its field types: a policy's own message, and the block-only categories.

Each returns the problems it found as ``(line, message)``; the loader reports them with the file.
"""

from __future__ import annotations

from proxy.policy.decision import Action, PolicyMessage
from proxy.policy.schema import BLOCK_ONLY_CATEGORIES, Mode, Policy
from proxy.policy.yamlsource import LineDict, line_of

Found = list[tuple[int | None, str]]
_MESSAGE_KEYS = {"en", "zh"}


def parse_message(item: LineDict) -> tuple[PolicyMessage | None, Found]:
    """``message: text`` or ``message: {en: text, zh: text}``."""
    value = item.get("message")
    if value is None:
        return None, []
    if isinstance(value, str) and value.strip():
        return PolicyMessage(value), []
    found: Found = []
    if isinstance(value, LineDict) and value:
        for key in sorted(value.keys() - _MESSAGE_KEYS, key=str):
            found.append((line_of(value, key), f"unknown message language {key!r} (expected en, zh)"))
        texts = {k: v for k, v in value.items() if k in _MESSAGE_KEYS}
        if texts and all(isinstance(v, str) and v.strip() for v in texts.values()) and not found:
            return PolicyMessage(texts.get("en") or texts["zh"], texts.get("zh")), []
    if not found:
        shape = "message must be a non-empty string or a mapping of en/zh to non-empty strings"
        found.append((line_of(item, "message"), shape))
    return None, found


def block_only_problems(policy: Policy, item: LineDict, file_mode_line: int | None) -> Found:
    """Child sexual abuse material is blocked everywhere: no file may flag it, shadow it or let a
    classifier outage wave it through."""
    categories = {policy.category}
    if policy.classifier is not None:
        categories |= set(policy.classifier.thresholds)
    locked = sorted(categories & BLOCK_ONLY_CATEGORIES)
    if not locked:
        return []
    what = f"category {locked[0]!r} can only be blocked"
    found: Found = []
    if policy.action is not Action.BLOCK:
        found.append((line_of(item, "action"), f"{what}: action must be block (got {policy.action.label})"))
    if policy.shadow:
        line = line_of(item, "mode") if item.get("mode") == Mode.SHADOW.value else file_mode_line
        found.append((line or item.line, f"{what}: it cannot run in shadow mode"))
    if policy.classifier is not None and policy.classifier.on_error is not Action.BLOCK:
        block = item.get("classifier")
        line = line_of(block, "on_error") if isinstance(block, LineDict) else None
        found.append((line or item.line, f"{what}: its classifier must fail closed (on_error: block)"))
    return found
