from pathlib import Path

import pytest

from proxy.policy.decision import Action, Phase
from proxy.policy.loader import PolicyLoadError, load_policy_set
from proxy.policy.source import WatchedPaths, policy_loader, watched_paths
from proxy.policy.store import LoadFailed

RULE = "policies:\n  - id: p\n    category: c\n    action: block\n    keywords: [pipe bomb]\n"


def test_loader_converts_problems_with_lines(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(RULE.replace("block", "blok"))
    with pytest.raises(LoadFailed) as info:
        policy_loader(tmp_path)()
    assert [(Path(p.file).name, p.line) for p in info.value.problems] == [("a.yaml", 4)]


def test_watched_paths_include_keyword_files_outside_the_directory(tmp_path: Path) -> None:
    root = tmp_path / "policies"
    root.mkdir()
    (tmp_path / "shared.txt").write_text("pipe bomb\n")
    (root / "a.yaml").write_text(RULE + "    keyword_files: [../shared.txt]\n")
    assert watched_paths(root) == [root, root / "../shared.txt"]


@pytest.mark.parametrize(
    ("file_mode", "shadow", "action"),
    [
        ("", False, Action.BLOCK),
        ("mode: enforce\n", False, Action.BLOCK),
        ("mode: shadow\n", True, Action.ALLOW),
    ],
)
def test_file_level_mode(tmp_path: Path, file_mode: str, shadow: bool, action: Action) -> None:
    (tmp_path / "a.yaml").write_text(file_mode + RULE)
    decision = load_policy_set(tmp_path).evaluate("a pipe bomb", Phase.PROMPT)
    assert decision.action is action
    assert [f.shadow for f in decision.findings] == [shadow]


def test_file_level_mode_overrides_an_enforcing_policy(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("mode: shadow\n" + RULE + "    mode: enforce\n")
    assert load_policy_set(tmp_path).evaluate("a pipe bomb", Phase.PROMPT).action is Action.ALLOW


def test_bad_file_level_mode_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("mode: sometimes\n" + RULE)
    with pytest.raises(PolicyLoadError) as info:
        load_policy_set(tmp_path)
    assert info.value.problems[0].line == 1


def test_watched_paths_include_rule_files_included_from_elsewhere(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "p.yaml").write_text("policies:\n  - {id: p, category: c, action: flag, keywords: [x]}\n")
    root = tmp_path / "root"
    root.mkdir()
    (root / "enable.yaml").write_text(f"include: [{pack}]\n")
    assert watched_paths(root) == [root, pack / "p.yaml"]


def test_watched_paths_follow_an_edited_rule_file(tmp_path: Path) -> None:
    root = tmp_path / "policies"
    root.mkdir()
    rule = root / "a.yaml"
    rule.write_text(RULE + "    keyword_files: [one.txt]\n")
    paths = WatchedPaths(root)
    first = paths()
    assert first == [root, root / "one.txt"]
    assert paths() is first  # unchanged rule files: the same answer, no YAML parsed
    rule.write_text(RULE + "    keyword_files: [one.txt, two.txt]\n")
    assert paths() == [root, root / "one.txt", root / "two.txt"]
    rule.unlink()
    assert paths() == [root]
