"""Reversible pseudonymization: one request's mapping from personal values to numbered placeholders.

A ``pseudonymize`` policy finds values (emails, phone numbers, ID and card numbers, IP
addresses) in the prompt; the engine reports their spans and the policy's ``replacement``,
and nothing else. This module, outside the pure engine, turns each distinct value into a
placeholder built from that replacement with a counter (``[EMAIL]`` → ``[EMAIL_1]``,
``[EMAIL_2]``), the same value getting the same placeholder in every text of the request,
and puts the values back into the answer before it reaches the client.

The mapping lives in one :class:`Pseudonyms` per request, in memory only: it is never logged,
cached or sent anywhere. Where a redaction and a pseudonymization overlap, the redaction wins
(the value is gone for good, as its policy asked). A placeholder the model writes that was
never issued is left as it is.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Hashable, Sequence

from proxy.moderation.moderator import Moderation
from proxy.policy.decision import Action, Finding

_CLOSERS = "])}>"


def placeholder(base: str, n: int) -> str:
    """``[EMAIL]`` → ``[EMAIL_3]``; a base without a closing bracket is bracketed: ``PII`` → ``[PII_3]``.

    Every placeholder ends in a closing bracket, so none is a prefix of another (``[E_1]``, ``[E_10]``)."""
    if len(base) >= 2 and base[-1] in _CLOSERS:
        return f"{base[:-1]}_{n}{base[-1]}"
    return f"[{base}_{n}]"


class Pseudonyms:
    def __init__(self) -> None:
        self._by_value: dict[tuple[str, str], str] = {}
        self._values: dict[str, str] = {}
        self._counters: dict[str, int] = {}
        self._pattern: re.Pattern[str] | None = None
        self._prefixes: frozenset[str] = frozenset()
        self._longest = 0

    def __bool__(self) -> bool:
        return bool(self._values)

    def __repr__(self) -> str:  # the values must never reach a log line, even by accident
        return f"<Pseudonyms: {len(self._values)} placeholders>"

    def issue(self, value: str, base: str) -> str:
        key = (base, value)
        token = self._by_value.get(key)
        if token is None:
            n = self._counters.get(base, 0) + 1
            self._counters[base] = n
            token = self._by_value[key] = placeholder(base, n)
            while token in self._values:  # a base that collides with another's numbering
                n += 1
                self._counters[base] = n
                token = self._by_value[key] = placeholder(base, n)
            self._values[token] = value
            self._pattern = None
        return token

    def forward(self, texts: Sequence[str], moderation: Moderation) -> Moderation:
        """The prompt verdict whose ``redacted`` texts are what the upstream gets: every enforced
        pseudonymize span replaced by its placeholder, every redact span by its replacement."""
        decisions = []
        for text, decision in zip(texts, moderation.decisions, strict=True):
            spans = [f for f in decision.findings if _rewrites(f)]
            if not any(f.action is Action.PSEUDONYMIZE for f in spans):
                decisions.append(decision)
                continue
            decisions.append(dataclasses.replace(decision, redacted=self._rewrite(text, spans)))
        return dataclasses.replace(moderation, decisions=tuple(decisions))

    def _rewrite(self, text: str, findings: list[Finding]) -> str:
        # Redactions sort first at the same start: where they overlap a pseudonym, the value is removed.
        spans = sorted(findings, key=lambda f: (f.start, f.action is not Action.REDACT, -f.end))
        out: list[str] = []
        pos = 0
        for f in spans:
            if f.start < pos:
                continue
            out.append(text[pos : f.start])
            if f.action is Action.REDACT:
                out.append(f.replacement or "")
            else:
                out.append(self.issue(text[f.start : f.end], f.replacement or "[PII]"))
            pos = f.end
        out.append(text[pos:])
        return "".join(out)

    def restore(self, text: str, *, json_string: bool = False) -> str:
        """``text`` with every issued placeholder back to its value (JSON-escaped inside a JSON string)."""
        if not self._values:
            return text
        pattern = self._compiled()
        if json_string:
            return pattern.sub(lambda m: json.dumps(self._values[m.group()], ensure_ascii=False)[1:-1], text)
        return pattern.sub(lambda m: self._values[m.group()], text)

    def restorer(self, *, json_string: bool = False) -> StreamRestorer:
        return StreamRestorer(self, json_string=json_string)

    def _compiled(self) -> re.Pattern[str]:
        if self._pattern is None:
            tokens = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(map(re.escape, tokens)))
            self._prefixes = frozenset(t[:i] for t in tokens for i in range(1, len(t)))
            self._longest = max(map(len, tokens))
        return self._pattern

    def held_from(self, text: str) -> int:
        """Where a possible placeholder begins at the end of ``text`` (``len(text)`` when none could)."""
        self._compiled()
        for i in range(max(0, len(text) - self._longest + 1), len(text)):
            if text[i:] in self._prefixes:
                return i
        return len(text)


class StreamRestorer:
    """One streamed text: placeholders put back even when split across deltas.

    The end of a delta that could still begin a placeholder is held back and released with the next
    delta, once it either completes one (restored) or can no longer be one (released as it was)."""

    def __init__(self, pseudonyms: Pseudonyms, *, json_string: bool = False) -> None:
        self._p = pseudonyms
        self._json = json_string
        self._held = ""

    def feed(self, delta: str) -> str:
        text = self._held + delta if self._held else delta
        cut = self._p.held_from(text)
        self._held = text[cut:]
        return self._p.restore(text[:cut], json_string=self._json)

    def flush(self) -> str:
        """The text ended: what is held was never a placeholder."""
        held, self._held = self._held, ""
        return held

    @property
    def holding(self) -> bool:
        return bool(self._held)


class StreamRestorers:
    """One :class:`StreamRestorer` per streamed text of an answer (keyed by the API's own indices)."""

    def __init__(self, pseudonyms: Pseudonyms | None) -> None:
        self._pseudonyms = pseudonyms
        self._by_key: dict[Hashable, StreamRestorer] = {}

    def feed(self, key: Hashable, text: str, *, json_string: bool = False) -> str:
        if not self._pseudonyms:
            return text
        restorer = self._by_key.get(key)
        if restorer is None:
            restorer = self._by_key[key] = self._pseudonyms.restorer(json_string=json_string)
        return restorer.feed(text)

    def flush(self, key: Hashable) -> str:
        restorer = self._by_key.get(key)
        return restorer.flush() if restorer is not None else ""

    def holding(self) -> list[Hashable]:
        return [key for key, r in self._by_key.items() if r.holding]


def _rewrites(finding: Finding) -> bool:
    return (
        finding.action in (Action.REDACT, Action.PSEUDONYMIZE)
        and not finding.shadow
        and finding.end > finding.start
    )
