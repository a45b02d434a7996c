from hypothesis import given
from hypothesis import strategies as st

from proxy.policy.offsets import EditMap, MaskMap, RunMap


@given(st.lists(st.booleans(), max_size=200))
def test_mask_map_finds_each_kept_character_and_the_gaps_before_it(removed: list[bool]) -> None:
    kept = [i for i, r in enumerate(removed) if not r]
    mask = MaskMap(bytes(removed))
    assert [mask.src(i) for i in range(len(kept))] == kept
    for i in range(1, len(kept)):
        assert mask.gap_before(i) == removed[kept[i] - 1]


def test_gap_before_of_edit_and_run_maps() -> None:
    # "a..b c" with both runs removed: RunMap from the piece lengths, EditMap from the edits.
    for offsets in (RunMap([1, 2, 1, 1, 1]), EditMap([(1, 2, 0), (4, 1, 0)])):
        assert [offsets.src(i) for i in range(3)] == [0, 3, 5]
        assert [offsets.gap_before(i) for i in (1, 2)] == [True, True]
    assert RunMap([2, 0, 1]).gap_before(1) is False
