"""The TC260-003 coverage report: terms per risk, risks with none, the A.1 + A.2 library size."""

from pathlib import Path

import pytest

from proxy.cli import main
from proxy.policy.coverage import GROUPS, RISKS, coverage, has_taxonomy
from proxy.policy.decision import Action
from proxy.policy.loader import load_policy_set
from proxy.policy.schema import Policy

TC260 = Path(__file__).resolve().parents[2] / "policies" / "packs" / "tc260"


def test_the_taxonomy_has_five_groups_and_thirty_one_risks() -> None:
    assert [g.id for g in GROUPS] == ["a1", "a2", "a3", "a4", "a5"]
    counts = {g.id: sum(r.group == g.id for r in RISKS) for g in GROUPS}
    assert counts == {"a1": 8, "a2": 9, "a3": 5, "a4": 7, "a5": 2}
    assert sum(r.target > 0 for r in RISKS) == 17  # the risks the keyword library must cover
    assert RISKS[0].category == "tc260-a1-01" and RISKS[0].policy_id == "tc260.a1.01"


def test_coverage_counts_terms_per_risk_and_names_the_empty_ones() -> None:
    policies = [
        Policy("x", "tc260-a2-05", Action.BLOCK, keywords=("a", "b", "b")),
        Policy("y", "tc260-a2-05", Action.BLOCK, regexes=("c",)),
        Policy("z", "tc260-a1-01", Action.BLOCK),
        Policy("w", "violence", Action.BLOCK, keywords=("d",)),
    ]
    report = coverage(policies)
    by_id = {r.risk.id: r for r in report.risks}
    a2_05 = by_id["a2.05"]
    assert (a2_05.policies, a2_05.terms, a2_05.status) == (("x", "y"), 3, "below target")
    assert (by_id["a1.01"].terms, by_id["a1.01"].status) == (0, "no terms")
    assert by_id["a3.01"].status == "no policy"
    assert report.library_terms == 3
    assert len(report.uncovered) == 30
    assert has_taxonomy(policies) and not has_taxonomy(policies[3:])


def test_the_shipped_pack_has_a_policy_per_risk_and_reports_the_lists_still_to_fill() -> None:
    report = coverage(load_policy_set(TC260).policies)
    assert all(r.policies == (r.risk.policy_id,) for r in report.risks)
    assert [r.id for r in report.uncovered] == ["a1.01", "a1.02", "a1.03", "a4.07", "a5.01", "a5.02"]
    assert all(r.terms >= r.risk.target for r in report.risks if r.risk.id not in ("a1.01", "a1.02", "a1.03"))
    assert 8000 < report.library_terms < 10_000
    assert report.to_json()["library_target"] == 10_000


def test_check_prints_coverage_for_a_directory_that_includes_the_pack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "enable.yaml").write_text(f"include: [{TC260}]\n", encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  a")}
    assert len(lines) == 31
    assert lines["a1.01"].split()[1:3] == ["0/200", "no"]
    assert "煽动颠覆国家政权、推翻社会主义制度" in lines["a1.01"]
    assert lines["a5.02"].split()[1:3] == ["0", "no"]
    assert "risks with no terms: a1.01, a1.02, a1.03, a4.07, a5.01, a5.02" in out
    assert "31 policies" in out


def test_check_prints_no_coverage_without_the_pack(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(TC260.parents[1])]) == 0
    assert "TC260" not in capsys.readouterr().out
