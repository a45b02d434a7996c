"""PolicyModerator: the cache in front of the policy engine and classifiers, with a real Redis."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from proxy.breaker import BreakerState
from proxy.cache.decisions import CacheConfig, DecisionCache
from proxy.moderation.moderator import FixedPolicies, ModerationLimits, PolicyModerator, RequestContext
from proxy.policy.classifier import ClassifierError
from proxy.policy.decision import Action, Phase, RuleKind
from proxy.policy.engine import PolicySet
from proxy.policy.loader import load_policy_set
from tests.fixtures.observers import RecordingObserver
from tests.fixtures.redis_server import RedisServers, command_calls

CTX = RequestContext("req-1")


RULES = """
policies:
  - id: forbidden
    category: words
    action: block
    keywords: [forbidden]
  - id: secret
    category: words
    action: redact
    keywords: [secret]
    replacement: "***"
"""


def classifier_policy(threshold: float = 0.5, on_error: str = "allow", timeout_ms: int = 500) -> str:
    return f"""
  - id: toxicity
    category: toxic
    action: block
    classifier:
      backend: counting
      thresholds: {{toxic: {threshold}}}
      on_error: {on_error}
      timeout_ms: {timeout_ms}
"""


def load(directory: Path, yaml_text: str) -> PolicySet:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "rules.yaml").write_text(yaml_text)
    return load_policy_set(directory)


@dataclass
class CountingClassifier:
    """Scores "hate" as toxic; counts calls; can be held at a gate, fail, or never answer."""

    name: str = "counting"
    max_chars: int = 10_000
    calls: list[str] = field(default_factory=list)
    gate: asyncio.Event | None = None
    started: asyncio.Event = field(default_factory=asyncio.Event)
    error: ClassifierError | None = None

    async def score(self, text: str, phase: Phase) -> Mapping[str, float]:
        self.calls.append(text)
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.error is not None:
            raise self.error
        return {"toxic": 0.9 if "hate" in text else 0.1}


@pytest.fixture
def with_classifier(tmp_path: Path) -> PolicySet:
    return load(tmp_path / "with_classifier", RULES + classifier_policy())


@pytest.fixture
async def embedded_cache() -> AsyncIterator[DecisionCache]:
    async with DecisionCache(CacheConfig()) as cache:
        yield cache


def moderator(
    policies: PolicySet, cache: DecisionCache, classifier: CountingClassifier, **kw: object
) -> PolicyModerator:
    return PolicyModerator(FixedPolicies(policies), cache, {classifier.name: classifier}, **kw)  # type: ignore[arg-type]


async def test_a_second_identical_request_does_not_call_the_classifier(
    embedded_cache: DecisionCache, with_classifier: PolicySet
) -> None:
    classifier = CountingClassifier()
    mod = moderator(with_classifier, embedded_cache, classifier)
    first = await mod.moderate(["I hate mondays"], Phase.PROMPT, CTX)
    second = await mod.moderate(["I hate mondays"], Phase.PROMPT, CTX)
    assert first == second and first.blocked
    assert first.findings[0].kind is RuleKind.CLASSIFIER
    assert classifier.calls == ["I hate mondays"]


async def test_a_20_turn_conversation_classifies_each_message_once_in_one_round_trip_per_turn(
    redis_servers: RedisServers, with_classifier: PolicySet
) -> None:
    server = redis_servers.start()
    classifier = CountingClassifier()
    async with DecisionCache(CacheConfig(redis_url=server.url)) as cache:
        mod = moderator(with_classifier, cache, classifier)
        conversation: list[str] = []
        for turn in range(20):
            conversation.append(f"turn {turn}: tell me more")
            result = await mod.moderate(conversation, Phase.PROMPT, CTX)
            assert len(result.decisions) == turn + 1
    assert sorted(classifier.calls) == sorted(conversation)
    assert command_calls(server.url, "mget") == 20
    assert command_calls(server.url, "get") == 0


async def test_another_replica_reuses_the_classifier_verdict_through_redis(
    redis_url: str, redis_prefix: str, with_classifier: PolicySet
) -> None:
    config = CacheConfig(redis_url=redis_url, prefix=redis_prefix)
    first, second = CountingClassifier(), CountingClassifier()
    async with DecisionCache(config) as cache_a, DecisionCache(config) as cache_b:
        a = await moderator(with_classifier, cache_a, first).moderate(["I hate it"], Phase.PROMPT, CTX)
        b = await moderator(with_classifier, cache_b, second).moderate(["I hate it"], Phase.PROMPT, CTX)
    assert a == b and b.blocked
    assert (len(first.calls), len(second.calls)) == (1, 0)


async def test_a_policy_change_misses_the_cache(
    embedded_cache: DecisionCache, with_classifier: PolicySet, tmp_path: Path
) -> None:
    classifier = CountingClassifier()
    stricter = load(tmp_path / "stricter", RULES + classifier_policy(threshold=0.05))
    before = await moderator(with_classifier, embedded_cache, classifier).moderate(
        ["fine"], Phase.PROMPT, CTX
    )
    after = await moderator(stricter, embedded_cache, classifier).moderate(["fine"], Phase.PROMPT, CTX)
    assert (before.action, after.action) == (Action.ALLOW, Action.BLOCK)
    assert after.revision == stricter.revision != before.revision
    assert classifier.calls == ["fine", "fine"]


@pytest.mark.parametrize(
    ("text", "action", "classified"),
    [
        ("hello", Action.ALLOW, True),
        ("I hate this", Action.BLOCK, True),
        ("this is forbidden", Action.BLOCK, False),  # a rule already blocks: no classifier call
        ("my secret plan", Action.REDACT, True),
    ],
)
async def test_rules_first_then_classifiers(
    embedded_cache: DecisionCache, text: str, action: Action, classified: bool, with_classifier: PolicySet
) -> None:
    classifier = CountingClassifier()
    result = await moderator(with_classifier, embedded_cache, classifier).moderate([text], Phase.PROMPT, CTX)
    assert result.action is action
    assert bool(classifier.calls) is classified


async def test_a_cached_redaction_is_reapplied_to_the_text(
    redis_url: str, redis_prefix: str, with_classifier: PolicySet
) -> None:
    config = CacheConfig(redis_url=redis_url, prefix=redis_prefix)
    texts = ["my secret plan", "another secret"]
    async with DecisionCache(config) as cache_a, DecisionCache(config) as cache_b:
        fresh = await moderator(with_classifier, cache_a, CountingClassifier()).moderate(
            texts, Phase.PROMPT, CTX
        )
        replica = CountingClassifier()
        cached = await moderator(with_classifier, cache_b, replica).moderate(texts, Phase.PROMPT, CTX)
    assert [d.redacted for d in cached.decisions] == ["my *** plan", "another ***"]
    assert cached == fresh and replica.calls == []


async def test_a_sealed_text_is_refused_where_it_would_be_rewritten_and_its_twin_is_not(
    embedded_cache: DecisionCache, with_classifier: PolicySet
) -> None:
    mod = moderator(with_classifier, embedded_cache, CountingClassifier())
    texts = ["my secret plan", "my secret plan", "plain words"]
    verdict = await mod.moderate(texts, Phase.RESPONSE, CTX, sealed=[True, False, True])
    assert [d.action for d in verdict.decisions] == [Action.BLOCK, Action.REDACT, Action.ALLOW]
    assert [d.redacted for d in verdict.decisions] == [None, "my *** plan", None]
    again = await mod.moderate(texts[:1], Phase.RESPONSE, CTX)
    assert again.decisions[0].redacted == "my *** plan", "the cache keeps the verdict, not the seal"


async def test_duplicates_in_one_request_are_decided_once_and_answered_in_order(
    embedded_cache: DecisionCache, with_classifier: PolicySet
) -> None:
    classifier = CountingClassifier()
    texts = ["a", "I hate b", "a", "a"]
    result = await moderator(with_classifier, embedded_cache, classifier).moderate(texts, Phase.PROMPT, CTX)
    assert [d.action for d in result.decisions] == [Action.ALLOW, Action.BLOCK, Action.ALLOW, Action.ALLOW]
    assert sorted(classifier.calls) == ["I hate b", "a"]


async def test_concurrent_requests_for_the_same_text_share_one_computation(
    embedded_cache: DecisionCache, with_classifier: PolicySet
) -> None:
    classifier = CountingClassifier(gate=asyncio.Event())
    mod = moderator(with_classifier, embedded_cache, classifier)

    async def release_when_scoring_started() -> None:
        await classifier.started.wait()
        assert classifier.gate is not None
        classifier.gate.set()

    *results, _ = await asyncio.gather(
        *(mod.moderate(["I hate queues"], Phase.PROMPT, RequestContext(f"r{i}")) for i in range(10)),
        release_when_scoring_started(),
    )
    assert classifier.calls == ["I hate queues"]
    assert all(r.blocked for r in results)


@pytest.mark.parametrize(
    ("on_error", "action", "bypassed"),
    [("allow", Action.ALLOW, ("classifier:counting",)), ("block", Action.BLOCK, ())],
)
async def test_a_failing_classifier_follows_on_error_and_is_never_cached(
    embedded_cache: DecisionCache, on_error: str, action: Action, bypassed: tuple[str, ...], tmp_path: Path
) -> None:
    classifier = CountingClassifier(error=ClassifierError("counting", "unavailable"))
    observer = RecordingObserver()
    policies = load(tmp_path, "policies:" + classifier_policy(on_error=on_error))
    mod = moderator(policies, embedded_cache, classifier, observer=observer)
    for _ in range(2):
        [decision] = (await mod.moderate(["hello"], Phase.PROMPT, CTX)).decisions
        assert (decision.action, decision.bypassed) == (action, bypassed)
    assert len(classifier.calls) == 2
    assert observer.events["bypass:classifier:counting:unavailable"] == (2 if bypassed else 0)
    if action is Action.BLOCK:
        assert decision.findings[0].kind is RuleKind.CLASSIFIER


async def test_a_classifier_that_never_answers_costs_its_timeout(
    embedded_cache: DecisionCache, tmp_path: Path
) -> None:
    classifier = CountingClassifier(gate=asyncio.Event())
    observer = RecordingObserver()
    policies = load(tmp_path, "policies:" + classifier_policy(timeout_ms=50))
    mod = moderator(policies, embedded_cache, classifier, observer=observer)
    started = time.perf_counter()
    [decision] = (await mod.moderate(["hello"], Phase.PROMPT, CTX)).decisions
    assert time.perf_counter() - started < 0.5
    assert decision.bypassed == ("classifier:counting",)
    assert observer.events["bypass:classifier:counting:timeout"] == 1


async def test_long_texts_are_scored_per_segment_off_the_event_loop(
    embedded_cache: DecisionCache, with_classifier: PolicySet
) -> None:
    classifier = CountingClassifier(max_chars=100)
    text = "x" * 150 + "hate" + "y" * 96
    mod = moderator(with_classifier, embedded_cache, classifier, limits=ModerationLimits(offload_chars=64))
    [decision] = (await mod.moderate([text], Phase.PROMPT, CTX)).decisions
    # 100-char segments overlapping by 50, so a phrase cut by one boundary is whole in the next.
    assert len(classifier.calls) == 4
    assert [(f.start, f.end) for f in decision.findings] == [(100, 200), (150, 250)]


async def test_a_rules_only_policy_set_never_asks_redis(redis_servers: RedisServers, tmp_path: Path) -> None:
    server = redis_servers.start()
    async with DecisionCache(CacheConfig(redis_url=server.url)) as cache:
        mod = moderator(load(tmp_path, RULES), cache, CountingClassifier())
        for _ in range(3):
            assert (await mod.moderate(["hello", "forbidden"], Phase.PROMPT, CTX)).blocked
    assert command_calls(server.url, "mget") == 0
    assert command_calls(server.url, "set") == 0


async def test_killing_redis_mid_load_loses_no_request_and_it_recovers(
    redis_servers: RedisServers, with_classifier: PolicySet
) -> None:
    server = redis_servers.start()
    observer = RecordingObserver()
    config = CacheConfig(redis_url=server.url, breaker_failures=2, breaker_reset_seconds=0.05)
    classifier = CountingClassifier()
    answered = 0
    halfway = asyncio.Event()

    async def load(mod: PolicyModerator, tag: str, n: int) -> None:
        nonlocal answered
        for i in range(n):
            result = await mod.moderate([f"{tag} {i % 7}", f"{tag} hate {i}"], Phase.PROMPT, CTX)
            assert [d.action for d in result.decisions] == [Action.ALLOW, Action.BLOCK]
            answered += 1
            if answered == 100:
                halfway.set()

    async with DecisionCache(config, observer=observer) as cache:
        mod = moderator(with_classifier, cache, classifier)
        workers = [asyncio.create_task(load(mod, f"w{w}", 200)) for w in range(4)]
        await halfway.wait()
        server.kill()
        await asyncio.gather(*workers)
        assert observer.events["error:redis"] >= 1

        restarted = redis_servers.start(port=server.port)
        deadline = time.monotonic() + 10
        attempt = 0
        while command_calls(restarted.url, "mget") == 0:  # new texts each time: local hits never ask Redis
            assert time.monotonic() < deadline, "never went back to Redis"
            attempt += 1
            await load(mod, f"after{attempt}", 5)
        assert cache.breaker_state is BreakerState.CLOSED
    assert answered >= 800


async def test_rule_only_decisions_of_long_texts_are_shared(
    redis_servers: RedisServers, tmp_path: Path
) -> None:
    server = redis_servers.start()
    policies = load(tmp_path, RULES)
    limits = ModerationLimits(share_rules_chars=100)
    long_text, short_text = "forbidden " + "x" * 100, "forbidden"
    config = CacheConfig(redis_url=server.url)
    async with DecisionCache(config) as cache_a, DecisionCache(config) as cache_b:
        await moderator(policies, cache_a, CountingClassifier(), limits=limits).moderate(
            [long_text, short_text], Phase.PROMPT, CTX
        )
        replica = await moderator(policies, cache_b, CountingClassifier(), limits=limits).moderate(
            [long_text], Phase.PROMPT, CTX
        )
        assert replica.blocked
        assert len(cache_b.local) == 1, "the long text's decision came from Redis"
    assert command_calls(server.url, "set") == 1
