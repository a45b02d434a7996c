"""The seam between the request story and the policy engine.

``handlers`` asks a :class:`Moderator` for a verdict on the texts of one phase of
one request; it never knows whether the answer came from the local cache, Redis,
the keyword automaton or a classifier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from proxy.policy.decision import Action, Decision, Finding, Phase


@dataclass(frozen=True, slots=True)
class RequestContext:
    request_id: str
    route: str = "default"
    tenant: str | None = None


@dataclass(frozen=True, slots=True)
class Moderation:
    """Verdicts on the texts of one phase, in the order they were given."""

    decisions: tuple[Decision, ...]
    revision: str

    @property
    def action(self) -> Action:
        return max((d.action for d in self.decisions), default=Action.ALLOW)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for d in self.decisions for f in d.findings)

    @property
    def blocked(self) -> bool:
        return self.action is Action.BLOCK


class Moderator(Protocol):
    async def moderate(self, texts: Sequence[str], phase: Phase, ctx: RequestContext) -> Moderation: ...


class AllowAll:
    """The moderator of a proxy with no policies."""

    revision = "none"

    async def moderate(self, texts: Sequence[str], phase: Phase, ctx: RequestContext) -> Moderation:
        return Moderation(tuple(Decision(Action.ALLOW, (), self.revision) for _ in texts), self.revision)
