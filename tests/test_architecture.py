"""The map in docs/architecture.md is the code's: imports follow its dependency table, libraries
stay at their edge, only the settings read the environment, and tests/ mirrors proxy/."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "proxy"
DOC = ROOT / "docs" / "architecture.md"
ROW = re.compile(r"^\| `([\w]+)` \|(.*)\|$")
# Folders of tests/ that are not a package's mirror; docs/architecture.md names each.
TEST_ONLY = {"fixtures", "fuzz", "deploy", "bench"}
ENVIRONMENT_READERS = {"proxy/settings/load.py", "proxy/metrics/multiprocess.py"}


def _table(heading: str) -> dict[str, set[str]]:
    """The rows of the first table after ``heading``: the first cell -> the names in the second."""
    text = DOC.read_text(encoding="utf-8")
    rows: dict[str, set[str]] = {}
    for line in text[text.index(heading) :].splitlines()[1:]:
        if line.startswith("## "):
            break
        if row := ROW.match(line):
            rows[row.group(1)] = set(re.findall(r"`(\w+)`", row.group(2)))
    assert rows, f"no table under {heading!r} in {DOC}"
    return rows


def _unit(module: str) -> str:
    """The package (or top-level module) a dotted ``proxy.*`` name belongs to; ``proxy`` for the root."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "proxy"


def _imports(path: Path) -> Iterator[tuple[str, int]]:
    """Every absolute module name ``path`` imports, with its line (``from proxy import x``: ``proxy.x``)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "proxy":
                yield from ((f"proxy.{alias.name}", node.lineno) for alias in node.names)
            else:
                yield node.module, node.lineno


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _owner(path: Path) -> str:
    return _unit(".".join(path.relative_to(ROOT).with_suffix("").parts))


def _units() -> set[str]:
    return {_owner(path) for path in _modules()} - {"__init__"}


def test_every_package_has_a_row() -> None:
    assert set(_table("## Dependency direction")) == _units()


def test_the_table_has_no_circle() -> None:
    allowed = _table("## Dependency direction")
    done: set[str] = set()

    def visit(unit: str, trail: tuple[str, ...]) -> None:
        assert unit not in trail, "circle: " + " -> ".join((*trail, unit))
        if unit not in done:
            for below in allowed.get(unit, ()):
                visit(below, (*trail, unit))
            done.add(unit)

    for unit in allowed:
        visit(unit, ())


def _violations(allowed: Mapping[str, set[str]]) -> list[str]:
    found = []
    for path in _modules():
        owner = _owner(path)
        for name, line in _imports(path):
            if name.split(".")[0] != "proxy":
                continue
            target = _unit(name)
            if target not in (owner, "proxy", "__version__") and target not in allowed.get(owner, set()):
                found.append(f"{path.relative_to(ROOT)}:{line}: {owner} imports {name}")
    return found


def test_imports_follow_the_dependency_table() -> None:
    assert _violations(_table("## Dependency direction")) == []


def test_the_check_sees_an_import_against_the_direction() -> None:
    allowed = _table("## Dependency direction")
    allowed["stream"] = allowed["stream"] - {"moderation"}  # stream/relay.py imports the moderator
    assert any("stream imports proxy.moderation" in v for v in _violations(allowed))


@pytest.mark.parametrize(("library", "owners"), sorted(_table("## Libraries at their edge").items()))
def test_a_library_stays_at_its_edge(library: str, owners: set[str]) -> None:
    assert "policy" not in owners  # the engine stays pure: the CLI and the benches reuse it
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _modules()
        for name, line in _imports(path)
        if name.split(".")[0] == library and _owner(path) not in owners
    ]
    assert found == []


def test_the_library_check_sees_a_forbidden_import() -> None:
    owners = _table("## Libraries at their edge")["aiohttp"] - {"stream"}
    assert any(
        name.split(".")[0] == "aiohttp" and _owner(path) not in owners
        for path in _modules()
        for name, _ in _imports(path)
    )


def test_only_the_settings_read_the_environment() -> None:
    readers = set()
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
                readers.add(path.relative_to(ROOT).as_posix())
    assert readers == ENVIRONMENT_READERS


def test_tests_mirror_the_package() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    folders = {p.name for p in (ROOT / "tests").iterdir() if (p / "__init__.py").is_file()}
    assert folders - TEST_ONLY == packages
    strays = []
    for folder in sorted(folders - TEST_ONLY):
        modules = {m.stem for m in (PACKAGE / folder).glob("*.py")}
        for test in sorted((ROOT / "tests" / folder).glob("test_*.py")):
            stem = test.stem.removeprefix("test_")
            # A module's tests may be split by theme: test_handlers_routing.py tests handlers.py.
            if not any(stem == m or stem.startswith(m + "_") for m in modules):
                strays.append(test.relative_to(ROOT).as_posix())
    assert strays == []
