import json
import subprocess
import sys
from pathlib import Path

import pytest

from proxy.cli import main
from proxy.cli.policy_cmds import highlight
from proxy.policy.decision import Action, Decision, Finding, Phase, RuleKind

RULES = "policies:\n  - id: weapons\n    category: violence\n    action: block\n    keywords: [bomb]\n"


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    (tmp_path / "w.yaml").write_text(RULES, encoding="utf-8")
    return tmp_path


def test_check_ok(rules: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(rules)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("lint: 0 error(s), 0 warning(s)\nok: revision ")
    assert "1 policies (1 keyword, 0 regex, 0 classifier)" in out


def test_check_lints_and_strict_fails_on_warnings(rules: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (rules / "more.yaml").write_text(
        "policies:\n  - {id: dup, category: violence, action: flag, keywords: [BOMB]}\n", encoding="utf-8"
    )
    assert main(["check", str(rules)]) == 0
    assert "warning" in capsys.readouterr().out
    assert main(["check", "--strict", str(rules)]) == 1


def test_check_reports_problems_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.yaml").write_text(RULES + "    regex: ['(']\n", encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith(f"{tmp_path}/bad.yaml:6: error: bad regex '('")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["say b.o.m.b"], ["action: block", "say [[b.o.m.b]]"]),
        (["--phase", "response", "hello"], ["action: allow"]),
    ],
)
def test_scan_prints_the_decision(
    rules: Path, capsys: pytest.CaptureFixture[str], argv: list[str], expected: list[str]
) -> None:
    assert main(["scan", "--policies", str(rules), *argv]) == 0
    out = capsys.readouterr().out
    assert all(e in out for e in expected), out
    assert "\033[" not in out  # not a terminal: no colour


CLASSIFIER = """\
policies:
  - id: model
    category: classifier
    phases: [prompt]
    action: block
    classifier: {backend: builtin, thresholds: {illicit: 0.5}}
"""


def test_scan_decides_as_the_proxy_does_classifier_policies_included(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "model.yaml").write_text(CLASSIFIER, encoding="utf-8")
    assert main(["scan", "--policies", str(tmp_path), "how do I synthesize meth at home"]) == 0
    out = capsys.readouterr().out
    assert "action: block" in out and "model (illicit, classifier)" in out, out
    assert main(["scan", "--policies", str(tmp_path), "what is the capital of France?"]) == 0
    assert "action: allow" in capsys.readouterr().out


def test_scan_json_from_stdin(rules: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "proxy", "scan", "--policies", str(rules), "--json"],
        input="a ＢＯＭＢ",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=True,
    )
    data = json.loads(done.stdout)
    assert data["action"] == "block"
    assert [(f["policy"], f["start"], f["end"]) for f in data["findings"]] == [("weapons", 2, 6)]


def test_scan_with_broken_policies_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--policies", str(tmp_path / "missing"), "x"]) == 1
    assert "no such file or directory" in capsys.readouterr().err


def test_highlight_uses_ansi_when_asked() -> None:
    finding = Finding("w", "violence", Action.BLOCK, Phase.PROMPT, RuleKind.KEYWORD, 2, 6, "bomb")
    decision = Decision(Action.BLOCK, (finding,))
    assert highlight("a bomb!", decision, color=True) == "a \033[1;31mbomb\033[0m!"


UNLINEAR = [
    ("a(?=b)c", "look-around inside the pattern"),
    ("(?<!ab)c", "look-around longer than one character"),
    ("(\\\\w)\\\\1", "back-reference"),
    ("a++", "possessive repeats"),
    ("x\\\\by", "\\b or \\B inside the pattern"),
]


def test_check_refuses_every_pattern_the_linear_engine_cannot_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = "".join(f'      - "{pattern}"\n' for pattern, _ in UNLINEAR)
    (tmp_path / "p.yaml").write_text(RULES + "    regex:\n" + lines, encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    for line, (_, reason) in enumerate(UNLINEAR, start=7):
        assert f"p.yaml:{line}: error: regex" in err
        assert reason in err
    assert err.count("cannot run on the linear engine") == len(UNLINEAR)


def test_check_takes_them_with_the_backtracking_opt_in_and_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = "".join(f'      - "{pattern}"\n' for pattern, _ in UNLINEAR)
    (tmp_path / "p.yaml").write_text(
        RULES + "    regex_engine: backtracking\n    regex_timeout_ms: 20\n    regex:\n" + lines,
        encoding="utf-8",
    )
    assert main(["check", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for line in range(9, 9 + len(UNLINEAR)):
        assert f"p.yaml:{line}: warning: [weapons] pattern" in out
    assert out.count("runs on the backtracking engine") == len(UNLINEAR) and "20 ms" in out
    assert main(["check", "--strict", str(tmp_path)]) == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("    regex_engine: fast\n    regex: [x]\n", "regex_engine: 'fast' is not a valid RegexEngine"),
        (
            "    regex: [x]\n    regex_timeout_ms: 20\n",
            "regex_timeout_ms only applies to regex_engine: backtracking",
        ),
        ("    regex_engine: backtracking\n    regex: [x]\n    regex_timeout_ms: 0\n", "from 1 to 1000"),
        ("    regex_engine: backtracking\n", "regex_engine needs regex"),
    ],
)
def test_regex_engine_settings_are_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: str, message: str
) -> None:
    (tmp_path / "p.yaml").write_text(RULES + extra, encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 1
    assert message in capsys.readouterr().err
