"""The watcher against real files: edits, broken edits, referenced files and ConfigMap symlink swaps."""

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from proxy.moderation.policy_watch import PolicyReloader, PolicyWatcher, fingerprint
from proxy.policy.store import LoadFailed, LoadProblem, PolicyStore, ReloadOutcome, ReloadResult

INTERVAL = 0.02


@dataclass(frozen=True)
class FileSet:
    """A minimal rule set read from files: a line ``!...`` is a syntax error, ``include: P`` a reference."""

    revision: str
    referenced: tuple[Path, ...] = ()
    rule_counts: Mapping[str, int] = field(default_factory=dict)


def load_file_set(root: Path) -> FileSet:
    digest = hashlib.sha256()
    referenced: list[Path] = []
    files = sorted(p for p in root.rglob("*") if p.is_file() and not any(s.startswith(".") for s in p.parts))
    queue = list(files)
    while queue:
        path = queue.pop(0)
        try:
            text = path.read_text()
        except OSError as exc:
            raise LoadFailed([LoadProblem(str(path), None, str(exc))]) from None
        for number, line in enumerate(text.splitlines(), start=1):
            if line.startswith("!"):
                raise LoadFailed([LoadProblem(str(path), number, "syntax error")])
            if line.startswith("include: "):
                ref = Path(line.removeprefix("include: "))
                referenced.append(ref)
                queue.append(ref)
        digest.update(text.encode())
    return FileSet(digest.hexdigest()[:12], tuple(referenced), {"lines": len(files)})


class Recorder:
    """Observer that lets a test await the next reload instead of sleeping."""

    def __init__(self) -> None:
        self.results: list[ReloadResult] = []
        self._queue: asyncio.Queue[ReloadResult] = asyncio.Queue()

    def __call__(self, result: ReloadResult, revision: str, rule_counts: Mapping[str, Any]) -> None:
        self.results.append(result)
        self._queue.put_nowait(result)

    async def next(self, outcome: ReloadOutcome | None = None) -> ReloadResult:
        while True:
            result = await asyncio.wait_for(self._queue.get(), timeout=10)
            if outcome is None or result.outcome is outcome:
                return result


@dataclass
class Rig:
    root: Path
    store: PolicyStore[FileSet]
    reloader: PolicyReloader[FileSet]
    seen: Recorder


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    root = tmp_path / "policies"
    root.mkdir()
    (root / "rules.yaml").write_text("v1\n")
    store = PolicyStore(load_file_set(root))
    recorder = Recorder()
    reloader = PolicyReloader(store, lambda: load_file_set(root), observers=[recorder])
    watcher = PolicyWatcher(
        reloader, lambda: [root, *store.current.referenced], interval=INTERVAL, settle=INTERVAL
    )
    async with watcher.running():
        yield Rig(root, store, reloader, recorder)


async def test_an_edit_is_reloaded(rig: Rig) -> None:
    before = rig.store.current.revision
    (rig.root / "rules.yaml").write_text("v2\n")
    result = await rig.seen.next(ReloadOutcome.LOADED)
    assert result.previous_revision == before
    assert rig.store.current.revision == result.revision != before


async def test_a_new_file_is_reloaded(rig: Rig) -> None:
    (rig.root / "sub").mkdir()
    (rig.root / "sub" / "more.yaml").write_text("extra\n")
    await rig.seen.next(ReloadOutcome.LOADED)
    assert rig.store.status.rule_counts["lines"] == 2


async def test_a_broken_edit_keeps_the_last_good_set(rig: Rig) -> None:
    good = rig.store.current
    (rig.root / "rules.yaml").write_text("ok\n!oops\n")
    result = await rig.seen.next()
    assert result.outcome is ReloadOutcome.FAILED
    assert str(result.problems[0]).endswith("rules.yaml:2: syntax error")
    assert rig.store.current is good
    assert rig.store.status.last_error is not None
    # fixing the file recovers without a restart
    (rig.root / "rules.yaml").write_text("fixed\n")
    await rig.seen.next(ReloadOutcome.LOADED)
    assert rig.store.status.last_error is None


async def test_a_referenced_file_outside_the_path_is_watched(rig: Rig, tmp_path: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text("alpha\n")
    (rig.root / "rules.yaml").write_text(f"include: {words}\n")
    await rig.seen.next(ReloadOutcome.LOADED)
    # The first scan after a reload sees the new reference and confirms with one more reload.
    await rig.seen.next(ReloadOutcome.UNCHANGED)
    revision = rig.store.current.revision
    words.write_text("alpha\nbeta\n")
    result = await rig.seen.next(ReloadOutcome.LOADED)
    assert result.previous_revision == revision


async def test_requests_in_flight_finish_on_their_set(rig: Rig) -> None:
    started = asyncio.Event()
    may_finish = asyncio.Event()

    async def request() -> str:
        policy_set = rig.store.current  # taken once, at the start
        started.set()
        await may_finish.wait()
        return policy_set.revision

    old = rig.store.current.revision
    task = asyncio.create_task(request())
    await started.wait()
    (rig.root / "rules.yaml").write_text("v2\n")
    await rig.seen.next(ReloadOutcome.LOADED)
    may_finish.set()
    assert await task == old
    assert rig.store.current.revision != old


async def test_manual_reload_of_unchanged_files_is_unchanged(rig: Rig) -> None:
    result = await rig.reloader.reload("admin")
    assert result.outcome is ReloadOutcome.UNCHANGED
    assert rig.seen.results == [result]


def _configmap(root: Path, stamp: str, content: str) -> None:
    """Write the volume layout the kubelet uses: real files in ``..<stamp>/``, visible names as symlinks."""
    data = root / f"..{stamp}"
    data.mkdir()
    (data / "rules.yaml").write_text(content)
    link = root / "..data_tmp"
    link.symlink_to(data.name)
    os.rename(link, root / "..data")  # the atomic swap
    if not (root / "rules.yaml").is_symlink():
        (root / "rules.yaml").symlink_to("..data/rules.yaml")


async def test_configmap_symlink_swap_triggers_a_reload(tmp_path: Path) -> None:
    root = tmp_path / "configmap"
    root.mkdir()
    _configmap(root, "2026_01_01_00_00_00.1", "v1\n")
    store = PolicyStore(load_file_set(root))
    recorder = Recorder()
    reloader = PolicyReloader(store, lambda: load_file_set(root), observers=[recorder])
    watcher = PolicyWatcher(reloader, lambda: [root], interval=INTERVAL, settle=INTERVAL)
    first = store.current.revision
    async with watcher.running():
        # same size and, on coarse clocks, the same mtime: only the symlink target tells them apart
        _configmap(root, "2026_01_01_00_05_00.2", "v2\n")
        result = await recorder.next(ReloadOutcome.LOADED)
        assert result.previous_revision == first
        assert store.current.revision == load_file_set(root).revision != first
        assert recorder.results[0] is result  # the swap was seen once, as one change


def test_fingerprint_sees_symlink_retarget_even_with_identical_stats(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "rules.yaml").write_text("same\n")
        os.utime(tmp_path / name / "rules.yaml", ns=(1, 1))
    root = tmp_path / "root"
    root.mkdir()
    (root / "..data").symlink_to(tmp_path / "a")
    (root / "rules.yaml").symlink_to("..data/rules.yaml")
    before = fingerprint([root])
    tmp_link = root / "..tmp"
    tmp_link.symlink_to(tmp_path / "b")
    os.rename(tmp_link, root / "..data")
    assert fingerprint([root]) != before


def test_fingerprint_of_a_missing_path_is_stable_and_changes_when_it_appears(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert fingerprint([missing]) == fingerprint([missing])
    before = fingerprint([missing])
    missing.write_text("x")
    assert fingerprint([missing]) != before


def test_fingerprint_sees_a_same_size_edit_within_one_clock_tick(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("v1\n")
    mtime = path.stat().st_mtime_ns
    before = fingerprint([path])
    path.write_text("v2\n")
    os.utime(path, ns=(mtime, mtime))  # what a coarse filesystem clock would have recorded
    assert fingerprint([path]) != before
