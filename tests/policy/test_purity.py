"""proxy.policy must stay pure: no HTTP, Redis or metrics imports, so the CLI and benches reuse it."""

import ast
from pathlib import Path

import pytest

FORBIDDEN = {"aiohttp", "redis", "prometheus_client"}
POLICY_DIR = Path(__file__).resolve().parents[2] / "proxy" / "policy"


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", sorted(POLICY_DIR.rglob("*.py")), ids=lambda p: p.name)
def test_policy_module_imports_no_io_library(path: Path) -> None:
    assert _imported_roots(path).isdisjoint(FORBIDDEN)


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from redis.asyncio import Redis\nimport aiohttp.web\n")
    assert _imported_roots(bad) >= {"redis", "aiohttp"}
