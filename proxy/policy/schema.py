"""What a loaded policy is: typed values, no parsing (see ``loader``) and no matching (see ``engine``)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from proxy.policy.decision import Action, Finding, Phase, PolicyMessage, RuleKind
from proxy.policy.normalize import KEYWORD_DEFAULTS, REGEX_DEFAULTS, NormalizeOptions

ALL_PHASES = frozenset(Phase)
DEFAULT_REPLACEMENT = "[REDACTED]"
BLOCK_ONLY_CATEGORIES = frozenset({"sexual-minors", "sexual/minors"})
"""Categories no configuration may weaken: their policies must block, enforced (never shadow), and
their classifiers fail closed. ``sexual/minors`` is the OpenAI moderation name of the same thing."""


class RegexEngine(enum.StrEnum):
    LINEAR = "linear"
    """RE2: time linear in the text; no look-arounds (but at the edges) or back-references."""
    BACKTRACKING = "backtracking"
    """The ``regex`` package, opted into per policy; every scan bounded by ``regex_timeout_ms``."""


DEFAULT_PLACEHOLDER = "[PII]"
"""The base of a pseudonymize policy's placeholders when it names no ``replacement``."""


class Mode(enum.StrEnum):
    ENFORCE = "enforce"
    SHADOW = "shadow"
    """Findings are reported (``shadow=True``) but never change the action."""


@dataclass(frozen=True, slots=True)
class ClassifierPolicy:
    """A classifier stage, run by the async moderator (the engine never calls classifiers)."""

    policy_id: str
    backend: str
    thresholds: Mapping[str, float]
    action: Action
    phases: frozenset[Phase] = ALL_PHASES
    on_error: Action = Action.BLOCK
    """``BLOCK`` fails closed when the backend errors; ``ALLOW`` fails open (counted as a bypass)."""
    timeout_ms: int = 2000
    shadow: bool = False
    model: str | None = None
    """A model file of the policy's own (absolute path), for the ``builtin`` backend."""
    message: PolicyMessage | None = None

    def findings(
        self, scores: Mapping[str, float], phase: Phase, start: int = 0, end: int = 0
    ) -> tuple[Finding, ...]:
        """Scores at or above their category's threshold become findings over ``[start, end)``."""
        return tuple(
            Finding(
                self.policy_id,
                category,
                self.action,
                phase,
                RuleKind.CLASSIFIER,
                start,
                end,
                f"{self.backend}:{category}",
                score=float(scores[category]),
                shadow=self.shadow,
                replacement=DEFAULT_REPLACEMENT if self.action is Action.REDACT else None,
                message=self.message,
            )
            for category, threshold in sorted(self.thresholds.items())
            if category in scores and scores[category] >= threshold
        )


@dataclass(frozen=True, slots=True)
class Policy:
    id: str
    category: str
    action: Action
    phases: frozenset[Phase] = ALL_PHASES
    description: str = ""
    mode: Mode = Mode.ENFORCE
    keywords: tuple[str, ...] = ()
    """Inline terms and the terms of ``keyword_files``, in file order."""
    exceptions: tuple[str, ...] = ()
    regexes: tuple[str, ...] = ()
    replacement: str | None = None
    validator: str | None = None
    keyword_normalize: NormalizeOptions = KEYWORD_DEFAULTS
    regex_normalize: NormalizeOptions = REGEX_DEFAULTS
    whole_word: bool = True
    case_sensitive: bool = False
    """For regexes; keywords follow ``keyword_normalize.case``."""
    regex_engine: RegexEngine = RegexEngine.LINEAR
    regex_timeout_ms: int = 0
    """Backtracking engine only: time one pattern may spend on one text (0: the default)."""
    classifier: ClassifierPolicy | None = None
    message: PolicyMessage | None = None
    """Told to the client when this policy decides: the refusal of a block, the notice of a flag."""
    source: str = field(default="", compare=False)
    """``file:line`` of the definition, for messages."""

    @property
    def shadow(self) -> bool:
        return self.mode is Mode.SHADOW

    def finding(self, phase: Phase, kind: RuleKind, start: int, end: int, matched: str) -> Finding:
        replacement = None
        if self.action is Action.REDACT:
            replacement = self.replacement if self.replacement is not None else DEFAULT_REPLACEMENT
        elif self.action is Action.PSEUDONYMIZE:
            replacement = self.replacement if self.replacement is not None else DEFAULT_PLACEHOLDER
        return Finding(
            self.id, self.category, self.action, phase, kind, start, end, matched,
            shadow=self.shadow, replacement=replacement, message=self.message,
        )  # fmt: skip
