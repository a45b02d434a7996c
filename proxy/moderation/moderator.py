"""The seam between the request story and the policy engine.

``handlers`` asks a :class:`Moderator` for a verdict on the texts of one phase of
one request; it never knows whether the answer came from the local cache, Redis,
the keyword automaton or a classifier.

:meth:`Moderator.screen` splits a verdict in two: what can block or rewrite the texts, now,
and the rest — classifier policies that can only flag, on a backend no blocking policy uses —
still running, so a request can be forwarded while a slow flag-only classifier scores it. Each
part is cached per text under its own stage of the cache key.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Protocol

from proxy.cache.decisions import CacheObserver, CacheTier, DecisionCache, NullCacheObserver, restore
from proxy.classifiers.classification import ClassifierPolicyView, classify
from proxy.policy.classifier import Classifier
from proxy.policy.decision import Action, Decision, Finding, Phase
from proxy.policy.decision import sealed as seal
from proxy.policy.engine import decide


@dataclass(frozen=True, slots=True)
class RequestContext:
    request_id: str
    route: str = "default"
    tenant: str | None = None
    endpoint: str = ""
    """The API (``chat_completions``, ``responses``...), as the request metrics name it."""


@dataclass(frozen=True, slots=True)
class Moderation:
    """Verdicts on the texts of one phase, in the order they were given."""

    decisions: tuple[Decision, ...]
    revision: str
    source: str = field(default="none", compare=False)
    """Where the verdicts came from, for the audit trail: ``local`` or ``redis`` (every text was in
    that cache tier or a nearer one), ``evaluated`` (at least one was decided now), or ``none``."""

    @property
    def action(self) -> Action:
        # read several times per request: a list and no ``default=`` keyword run at twice the speed
        return max([d.action for d in self.decisions]) if self.decisions else Action.ALLOW

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for d in self.decisions for f in d.findings)

    @property
    def blocked(self) -> bool:
        return self.action is Action.BLOCK

    def sealed(self, mask: Sequence[bool]) -> Moderation:
        """These verdicts with each text ``mask`` marks sealed: passed or refused, never rewritten."""
        decisions = tuple(seal(d) if m else d for d, m in zip(self.decisions, mask, strict=True))
        return Moderation(decisions, self.revision, self.source)


@dataclass(frozen=True, slots=True)
class Screening:
    """A verdict whose flag-only part may still be running.

    ``now`` holds every finding that can block or rewrite the texts, so ``now.blocked`` and
    ``now``'s redactions are final; ``settled()`` is the whole verdict (``now`` plus the flags)."""

    now: Moderation
    rest: asyncio.Future[Moderation] | None = None

    async def settled(self) -> Moderation:
        # shielded: a request that goes away does not cancel the verdict its records wait for
        return self.now if self.rest is None else await asyncio.shield(self.rest)

    def then(self, record: Callable[[Moderation], None]) -> Screening:
        """Call ``record`` with the whole verdict once it is known (now, or when the rest lands),
        whether or not anyone awaits ``settled()``."""
        if self.rest is None:
            record(self.now)
        else:
            self.rest.add_done_callback(lambda done: _record_result(done, record))
        return self


def _record_result(done: asyncio.Future[Moderation], record: Callable[[Moderation], None]) -> None:
    if not done.cancelled() and done.exception() is None:
        record(done.result())


class Moderator(Protocol):
    """``sealed``, when given, marks each text that must go out exactly as written (a signed thinking
    block, a reasoning item sent back): its verdict can pass or refuse it, never rewrite it
    (:func:`~proxy.policy.decision.sealed`)."""

    async def moderate(
        self, texts: Sequence[str], phase: Phase, ctx: RequestContext, *, sealed: Sequence[bool] = ()
    ) -> Moderation: ...

    async def screen(
        self, texts: Sequence[str], phase: Phase, ctx: RequestContext, *, sealed: Sequence[bool] = ()
    ) -> Screening:
        """The verdict as :meth:`moderate` gives it, its flag-only part possibly still running."""
        ...


class AllowAll:
    """The moderator of a proxy with no policies."""

    revision = "none"

    async def moderate(
        self, texts: Sequence[str], phase: Phase, ctx: RequestContext, *, sealed: Sequence[bool] = ()
    ) -> Moderation:
        return Moderation(tuple(Decision(Action.ALLOW, (), self.revision) for _ in texts), self.revision)

    async def screen(
        self, texts: Sequence[str], phase: Phase, ctx: RequestContext, *, sealed: Sequence[bool] = ()
    ) -> Screening:
        return Screening(await self.moderate(texts, phase, ctx))


class PolicySetView(Protocol):
    """What the moderator needs of a compiled, immutable policy set (``engine.PolicySet``)."""

    @property
    def revision(self) -> str: ...

    @property
    def policies(self) -> Sequence[object]: ...

    def evaluate(self, text: str, phase: Phase) -> Decision: ...

    def classifier_policies(self, phase: Phase) -> Sequence[ClassifierPolicyView]: ...


class PolicySource(Protocol):
    """Hands out the current policy set; a hot reload swaps what ``current`` returns."""

    @property
    def current(self) -> PolicySetView: ...


@dataclass(frozen=True, slots=True)
class FixedPolicies:
    """A policy source that never reloads (CLI, tests, benches)."""

    current: PolicySetView


@dataclass(frozen=True, slots=True)
class ModerationLimits:
    offload_chars: int = 16_384
    """Texts at least this long are evaluated in a worker thread."""
    share_rules_chars: int = 1_024
    """Rule-only decisions of texts at least this long go to Redis too. Shorter texts are scanned
    faster than a Redis round trip (bench/bench_cache.py measures both), so they stay local."""
    max_offloaded: int = 2
    """Worker threads busy with rule evaluation at once, per process."""


class CacheScope(enum.Enum):
    NONE = "none"
    LOCAL = "local"
    SHARED = "shared"


FLAGS_STAGE = "+flags"
"""The cache-key stage of flag-only verdicts, next to the stage-less verdict of everything else."""


@dataclass(frozen=True, slots=True)
class _Part:
    """The rules one pass over a text runs, and the cache-key stage its verdicts are kept under."""

    stage: str
    rules: tuple[ClassifierPolicyView, ...]
    scan: bool = True
    """Whether keyword and regex rules run in this pass."""


def can_only_flag(rule: ClassifierPolicyView) -> bool:
    """Neither its findings nor its failures can block or rewrite a text."""
    return rule.shadow or (rule.action is Action.FLAG and rule.on_error is Action.ALLOW)


def split_parts(rules: Sequence[ClassifierPolicyView]) -> tuple[_Part, _Part | None]:
    """Flag-only policies on a backend no other policy uses can run later; a flag-only policy on a
    backend that is called anyway rides along with it (one call scores every category)."""
    called = {(r.backend, r.model) for r in rules if not can_only_flag(r)}
    later = tuple(r for r in rules if can_only_flag(r) and (r.backend, r.model) not in called)
    if not later:
        return _Part("", tuple(rules)), None
    now = tuple(r for r in rules if not any(r is other for other in later))
    return _Part("", now), _Part(FLAGS_STAGE, later, scan=False)


def _merged(text: str, now: Decision, later: Decision) -> Decision:
    if not later.findings and not later.bypassed:
        return now
    return dataclasses.replace(
        decide(text, now.findings + later.findings, now.revision), bypassed=now.bypassed + later.bypassed
    )


def _retrieve(done: asyncio.Future[Moderation]) -> None:
    """Retrieve a failure nobody awaited (the request ended first), so it is not reported as lost."""
    if not done.cancelled():
        done.exception()


@dataclass(frozen=True, slots=True)
class _Outcome:
    decision: Decision
    scope: CacheScope


class PolicyModerator:
    """Moderates through the decision cache: only texts no tier knows are evaluated, each once per
    process however many requests carry it at the same time."""

    def __init__(
        self,
        policies: PolicySource,
        cache: DecisionCache,
        classifiers: Mapping[str, Classifier],
        *,
        executor: Executor | None = None,
        limits: ModerationLimits | None = None,
        observer: CacheObserver | None = None,
    ) -> None:
        self._policies = policies
        self._cache = cache
        self._classifiers = classifiers  # as given: a ClassifierSet also resolves policies' model files
        self._executor = executor
        self._limits = limits or ModerationLimits()
        self._observer = observer or NullCacheObserver()
        self._offload = asyncio.Semaphore(self._limits.max_offloaded)
        self._flights: dict[str, asyncio.Task[_Outcome]] = {}
        self._allow = Decision(Action.ALLOW, (), "")
        """The verdict of an empty policy set, kept for its revision (decisions are immutable)."""
        self._parts_revision = ""
        self._parts_by_phase: dict[Phase, tuple[_Part, _Part | None]] = {}

    async def moderate(
        self, texts: Sequence[str], phase: Phase, ctx: RequestContext, *, sealed: Sequence[bool] = ()
    ) -> Moderation:
        screening = await self.screen(texts, phase, ctx, sealed=sealed)
        return screening.now if screening.rest is None else await screening.rest

    async def screen(
        self, texts: Sequence[str], phase: Phase, ctx: RequestContext, *, sealed: Sequence[bool] = ()
    ) -> Screening:
        policy_set = self._policies.current  # one set for the whole request, even across a reload
        revision = policy_set.revision
        if not policy_set.policies:  # nothing to decide: no hashing, no cache round trip
            if self._allow.revision != revision:
                self._allow = Decision(Action.ALLOW, (), revision)
            return Screening(Moderation((self._allow,) * len(texts), revision))
        gate, flags = self._parts(policy_set, phase)
        now = await self._run(policy_set, gate, texts, phase)
        if any(sealed):  # after the cache: a text's cached verdict does not depend on where it sits
            now = now.sealed(sealed)
        if flags is None or now.blocked:  # a blocked text goes nowhere: its flags would change nothing
            return Screening(now)
        rest = asyncio.ensure_future(self._with_flags(policy_set, flags, texts, phase, now))
        rest.add_done_callback(_retrieve)
        return Screening(now, rest)

    def _parts(self, policy_set: PolicySetView, phase: Phase) -> tuple[_Part, _Part | None]:
        """The part that decides now and the flag-only part that may run later, per revision."""
        if self._parts_revision != policy_set.revision:
            self._parts_revision = policy_set.revision
            self._parts_by_phase = {}
        parts = self._parts_by_phase.get(phase)
        if parts is None:
            parts = self._parts_by_phase[phase] = split_parts(policy_set.classifier_policies(phase))
        return parts

    async def _with_flags(
        self, policy_set: PolicySetView, flags: _Part, texts: Sequence[str], phase: Phase, now: Moderation
    ) -> Moderation:
        later = await self._run(policy_set, flags, texts, phase)
        return Moderation(
            tuple(
                _merged(text, a, b) for text, a, b in zip(texts, now.decisions, later.decisions, strict=True)
            ),
            now.revision,
        )

    async def _run(
        self, policy_set: PolicySetView, part: _Part, texts: Sequence[str], phase: Phase
    ) -> Moderation:
        revision = policy_set.revision
        unique = list(dict.fromkeys(texts))
        keys = [self._cache.key(revision, phase, text, part.stage) for text in unique]
        rules_only = not part.rules
        short = all(len(text) < self._limits.share_rules_chars for text in unique)
        tiers: list[CacheTier] = []
        cached = await self._cache.get_many(keys, local_only=rules_only and short, tiers=tiers)

        decided: dict[str, Decision] = {}
        misses: list[tuple[str, str]] = []
        for text, key, hit in zip(unique, keys, cached, strict=True):
            if hit is None:
                misses.append((text, key))
            else:
                decided[text] = restore(hit, text)
        if misses:
            flights = [self._single_flight(policy_set, part, phase, t, k) for t, k in misses]
            # One new text (the usual case) is awaited directly: a gather would cost a task.
            outcomes = [await flights[0]] if len(flights) == 1 else await asyncio.gather(*flights)
            shared: dict[str, Decision] = {}
            local: dict[str, Decision] = {}
            for (text, key), (outcome, owner) in zip(misses, outcomes, strict=True):
                decided[text] = outcome.decision
                if owner and outcome.scope is CacheScope.SHARED:
                    shared[key] = outcome.decision
                elif owner and outcome.scope is CacheScope.LOCAL:
                    local[key] = outcome.decision
            await self._cache.put_many(local, shared=False)
            await self._cache.put_many(shared, shared=True)
        source = "evaluated" if misses else "redis" if CacheTier.REDIS in tiers else "local"
        return Moderation(tuple(decided[text] for text in texts), revision, source)

    async def _single_flight(
        self, policy_set: PolicySetView, part: _Part, phase: Phase, text: str, key: str
    ) -> tuple[_Outcome, bool]:
        """The outcome, and whether this caller computed it (and so is the one to cache it)."""
        flight = self._flights.get(key)
        owner = flight is None
        if owner and self._decides_inline(part, text):
            # Nothing to await: no other request can start on this text meanwhile, so the task,
            # shield and callbacks of a shared flight would be pure cost.
            base = policy_set.evaluate(text, phase)
            return _Outcome(base, self._rules_scope(text)), True
        if flight is None:
            flight = asyncio.ensure_future(self._decide(policy_set, part, phase, text))
            self._flights[key] = flight
            flight.add_done_callback(lambda done: self._land(key, done))
        # shielded: a caller that goes away does not cancel the others' computation
        return await asyncio.shield(flight), owner

    def _land(self, key: str, flight: asyncio.Task[_Outcome]) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
        if not flight.cancelled():
            flight.exception()  # retrieved, so a flight whose every caller left does not warn

    async def _decide(self, policy_set: PolicySetView, part: _Part, phase: Phase, text: str) -> _Outcome:
        base = await self._evaluate(policy_set, text, phase) if part.scan else self._nothing(policy_set)
        rules = part.rules
        if base.action is Action.BLOCK or not rules:
            return _Outcome(base, self._rules_scope(text))
        verdict = await classify(rules, self._classifiers, text, phase)
        for bypass in verdict.bypassed:
            self._observer.on_bypass(bypass.component, bypass.reason)
        decision = dataclasses.replace(
            decide(text, base.findings + verdict.findings, policy_set.revision),
            bypassed=tuple(b.component for b in verdict.bypassed),
        )
        # A verdict reached while a backend failed (open or closed) must not outlive the outage.
        return _Outcome(decision, CacheScope.NONE if verdict.failed else CacheScope.SHARED)

    def _decides_inline(self, part: _Part, text: str) -> bool:
        """Whether deciding ``text`` is one synchronous rule evaluation (no classifier, no thread)."""
        return part.scan and not part.rules and len(text) < self._limits.offload_chars

    def _rules_scope(self, text: str) -> CacheScope:
        """Rules decide a short text faster than Redis answers: such verdicts stay in this process."""
        return CacheScope.SHARED if len(text) >= self._limits.share_rules_chars else CacheScope.LOCAL

    def _nothing(self, policy_set: PolicySetView) -> Decision:
        if self._allow.revision != policy_set.revision:
            self._allow = Decision(Action.ALLOW, (), policy_set.revision)
        return self._allow

    async def _evaluate(self, policy_set: PolicySetView, text: str, phase: Phase) -> Decision:
        if len(text) < self._limits.offload_chars:
            return policy_set.evaluate(text, phase)
        async with self._offload:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, policy_set.evaluate, text, phase)
