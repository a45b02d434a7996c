import pytest

from proxy.cache.local import LocalTier, estimated_size
from proxy.policy.decision import Action, Decision, Finding, Phase, RuleKind

ALLOW = Decision(Action.ALLOW, (), "r1")
FLAG = Decision(
    Action.FLAG, (Finding("p", "c", Action.FLAG, Phase.PROMPT, RuleKind.KEYWORD, 0, 3, "abc"),), "r1"
)


def test_evicts_the_least_recently_used_entry_beyond_max_entries() -> None:
    tier = LocalTier(max_entries=2, max_bytes=1 << 20)
    tier.put("a", ALLOW)
    tier.put("b", ALLOW)
    assert tier.get("a") is ALLOW  # now "b" is the least recently used
    tier.put("c", FLAG)
    assert tier.get_many(["a", "b", "c"]) == [ALLOW, None, FLAG]


def test_evicts_until_the_byte_bound_holds() -> None:
    size = estimated_size("k0", ALLOW)
    tier = LocalTier(max_entries=100, max_bytes=size * 3)
    for i in range(5):
        tier.put(f"k{i}", ALLOW)
    assert len(tier) == 3
    assert tier.bytes <= size * 3
    assert tier.get("k0") is None and tier.get("k4") is ALLOW


def test_replacing_a_key_does_not_count_it_twice() -> None:
    tier = LocalTier(max_entries=10, max_bytes=1 << 20)
    tier.put("a", FLAG)
    tier.put("a", FLAG)
    assert (len(tier), tier.bytes) == (1, estimated_size("a", FLAG))


@pytest.mark.parametrize(("entries", "max_bytes"), [(0, 1 << 20), (10, 10)])
def test_a_tier_too_small_for_an_entry_keeps_nothing(entries: int, max_bytes: int) -> None:
    tier = LocalTier(max_entries=entries, max_bytes=max_bytes)
    tier.put("a", ALLOW)
    assert (len(tier), tier.bytes, tier.get("a")) == (0, 0, None)


def test_drop_prefix_removes_only_matching_keys() -> None:
    tier = LocalTier(max_entries=10, max_bytes=1 << 20)
    for key in ("m:decision:r1:prompt:x", "m:decision:r1:response:y", "m:decision:r2:prompt:x"):
        tier.put(key, ALLOW)
    assert tier.drop_prefix("m:decision:r1:") == 2
    assert tier.get_many(["m:decision:r1:prompt:x", "m:decision:r2:prompt:x"]) == [None, ALLOW]
    assert tier.bytes == estimated_size("m:decision:r2:prompt:x", ALLOW)
