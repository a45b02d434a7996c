"""Which files a policy path holds: rules and tests recursively, packs only when included."""

from pathlib import Path

from proxy.policy.files import policy_yaml_files, rule_files


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def _names(root: Path, files: list[Path]) -> list[str]:
    return [f.resolve().relative_to(root.resolve()).as_posix() for f in files]


def test_packs_are_left_out_until_a_rule_file_includes_them(tmp_path: Path) -> None:
    names = ("a.yaml", "a_test.yaml", "sub/b.yml", "packs/p/c.yaml", "x.txt")
    root = _tree(tmp_path, dict.fromkeys(names, ""))
    assert _names(root, policy_yaml_files(root)) == ["a.yaml", "a_test.yaml", "sub/b.yml"]
    assert _names(root, rule_files(root)) == ["a.yaml", "sub/b.yml"]
    (root / "enable.yaml").write_text("include: [packs/p]\n", encoding="utf-8")
    assert _names(root, rule_files(root)) == ["a.yaml", "enable.yaml", "sub/b.yml", "packs/p/c.yaml"]


def test_includes_are_followed_once_and_a_test_file_includes_nothing(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "a.yaml": "include: [packs/p, packs/p, packs]\n",
            "z_test.yaml": "include: [packs/q]\n",
            "packs/p/c.yaml": "include: [..]\n",  # back to packs/: c.yaml is not read twice
            "packs/q/d.yaml": "",
        },
    )
    assert _names(root, rule_files(root)) == ["a.yaml", "packs/p/c.yaml", "packs/q/d.yaml"]
    (root / "a.yaml").write_text("include: [packs/p]\n", encoding="utf-8")
    assert _names(root, rule_files(root)) == ["a.yaml", "packs/p/c.yaml", "packs/q/d.yaml"]


def test_a_file_is_its_own_rule_file(tmp_path: Path) -> None:
    rules = _tree(tmp_path, {"one.yaml": "include: [packs/p]\n"}) / "one.yaml"
    assert rule_files(rules) == [rules]
