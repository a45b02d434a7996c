"""Which files make a policy path: its rule and test files, optional packs and what includes them.

A directory's YAML files are read recursively, except ``packs/``: packs load only when a rule
file names them in a top-level ``include`` list (directories relative to that file).
"""

from __future__ import annotations

from pathlib import Path

import yaml

PACKS_DIR = "packs"


def rule_files(path: Path) -> list[Path]:
    """The rule files of a directory (recursive, ``*_test.yaml`` excluded), or the file itself.

    ``<root>/packs/`` is left out, except the directories the rule files ``include``."""
    return [p for p in policy_yaml_files(path) if not p.stem.endswith("_test")]


def policy_yaml_files(path: Path) -> list[Path]:
    """Every YAML file (rules and tests) of a policy path, included directories followed once each."""
    if path.is_file():
        return [path]
    out: list[Path] = []
    done: set[Path] = set()
    todo = [path]
    while todo:
        root = todo.pop(0)
        if root.resolve() in done or not root.is_dir():
            continue
        done.add(root.resolve())
        for file in _yaml_under(root):
            if file.resolve() in done:
                continue  # reached through two includes
            done.add(file.resolve())
            out.append(file)
            if not file.stem.endswith("_test"):
                todo.extend(file.parent / rel for rel in _includes_of(file))
    return out


def _yaml_under(root: Path) -> list[Path]:
    files = [p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()]
    return sorted(p for p in files if p.relative_to(root).parts[0] != PACKS_DIR)


def _includes_of(file: Path) -> list[str]:
    """A rule file's ``include`` entries; malformed ones are reported by the parser, not here."""
    try:
        data = file.read_bytes()
        if b"include" not in data:
            return []
        doc = yaml.safe_load(data)
    except (OSError, yaml.YAMLError):
        return []
    value = doc.get("include") if isinstance(doc, dict) else None
    return [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []
