from pathlib import Path

import pytest

from proxy.policy.decision import Action, Phase, PolicyMessage
from proxy.policy.loader import PolicyLoadError, load_policy_set
from proxy.policy.normalize import RAW
from proxy.policy.schema import Mode

GOOD = """\
policies:
  - id: weapons
    category: violence
    action: block
    keywords: [make a bomb]
    keyword_files: [lists/w.txt]
tests:
  - text: make a bomb
    expect: block
"""


def write(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def problems(tmp_path: Path, files: dict[str, str]) -> list[str]:
    with pytest.raises(PolicyLoadError) as e:
        load_policy_set(write(tmp_path, files))
    assert str(e.value) == "\n".join(map(str, e.value.problems))
    return [str(p) for p in e.value.problems]


def test_loads_a_directory_with_lists_and_tests(tmp_path: Path) -> None:
    root = write(
        tmp_path, {"a.yaml": GOOD, "lists/w.txt": "# comment\n\npipe bomb\n", "a_test.yaml": "junk: ["}
    )
    ps = load_policy_set(root)
    assert [p.id for p in ps.policies] == ["weapons"]
    assert ps.policies[0].keywords == ("make a bomb", "pipe bomb")
    assert ps.policies[0].phases == frozenset(Phase)
    assert len(ps.revision) == 12
    assert ps.rule_counts == {"keyword": 2, "regex": 0, "classifier": 0}


def test_revision_follows_rule_files_and_lists(tmp_path: Path) -> None:
    root = write(tmp_path, {"a.yaml": GOOD, "lists/w.txt": "pipe bomb\n"})
    first = load_policy_set(root).revision
    assert load_policy_set(root).revision == first
    (root / "lists/w.txt").write_text("nail bomb\n", encoding="utf-8")
    assert load_policy_set(root).revision != first


def test_a_single_file(tmp_path: Path) -> None:
    write(tmp_path, {"lists/w.txt": "x\n", "one.yml": GOOD})
    assert len(load_policy_set(tmp_path / "one.yml").policies) == 1


BASE = "policies:\n  - id: p\n    category: c\n    action: flag\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BASE + "    keywords: [a]\n    colour: red\n", "x.yaml:6: unknown key 'colour'"),
        (BASE + "    regex: ['(a']\n", "x.yaml:5: bad regex '(a': missing ), unterminated subpattern"),
        (
            BASE + "    keyword_files: [nope.txt]\n",
            "x.yaml:5: keyword file 'nope.txt': No such file or directory",
        ),
        (
            BASE + "    keywords: [a]\n  - id: p\n    category: c\n    action: flag\n    keywords: [b]\n",
            "x.yaml:6: duplicate policy id 'p' (first defined at {root}/x.yaml:2)",
        ),
        (BASE + "    keywords: [a]\n    action: block\n", "x.yaml:6: duplicate key 'action'"),
        (
            "policies:\n  - id: p\n    category: c\n    keywords: [a]\n",
            "x.yaml:2: missing required key 'action'",
        ),
        (
            BASE.replace("flag", "destroy") + "    keywords: [a]\n",
            "x.yaml:4: action: unknown action 'destroy'",
        ),
        (
            BASE + "    keywords: [a]\n    phases: [prompt, reply]\n",
            "x.yaml:6: phases: 'reply' is not a valid Phase",
        ),
        (BASE, "x.yaml:2: a policy needs keywords, keyword_files, regex or classifier"),
        (BASE + "    keywords: ['\u200b']\n", "x.yaml:5: keyword '\\u200b' normalizes to nothing"),
        (BASE + "    regex: [a]\n    validator: md5\n", "x.yaml:6: validator: unknown validator 'md5'"),
        (
            BASE + "    keywords: [a]\n    replacement: X\n",
            "x.yaml:6: replacement only applies to action: redact or pseudonymize",
        ),
        (
            BASE.replace("flag", "pseudonymize") + "    keywords: [a]\n",
            "x.yaml:4: pseudonymize needs regex (with an optional validator), not keywords",
        ),
        (
            BASE.replace("flag", "pseudonymize") + "    classifier: {backend: m, thresholds: {pii: 0.5}}\n",
            "x.yaml:4: a classifier policy cannot pseudonymize (it gives no spans)",
        ),
        (
            BASE + "    keywords: [a]\n    normalize: {leet: maybe}\n",
            "x.yaml:6: normalize.leet must be true or false",
        ),
        (
            BASE + "    keywords: [a]\n    normalize: {spaces: true}\n",
            "x.yaml:6: unknown normalize option 'spaces'",
        ),
        (
            BASE + "    classifier: {backend: m, thresholds: {violence: 2}}\n",
            "x.yaml:5: threshold 'violence' must be a number in [0, 1]",
        ),
        ("policies: [\n", "x.yaml:2: invalid YAML: expected the node content, but found '<stream end>'"),
        ("rules: []\n", "x.yaml:1: unknown key 'rules' (expected policies, tests, mode, include)"),
        (BASE.replace("id: p", "id: 'bad id'") + "    keywords: [a]\n", "x.yaml:2: id 'bad id' must be"),
    ],
)
def test_load_errors_name_file_and_line(tmp_path: Path, text: str, expected: str) -> None:
    found = problems(tmp_path, {"x.yaml": text})
    expected = expected.format(root=tmp_path)
    assert any(p == f"{tmp_path}/{expected}" or p.startswith(f"{tmp_path}/{expected}") for p in found), found


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    found = problems(tmp_path, {"a.yaml": BASE + "    regex: ['(']\n", "b.yaml": BASE + "    oops: 1\n"})
    assert len(found) >= 2 and {Path(p.split(":")[0]).name for p in found} == {"a.yaml", "b.yaml"}


def test_missing_path() -> None:
    with pytest.raises(PolicyLoadError, match="no such file"):
        load_policy_set("/nonexistent/policies")


def test_options_are_parsed(tmp_path: Path) -> None:
    text = """\
policies:
  - id: p
    category: pii
    phases: [response]
    action: redact
    mode: shadow
    keywords: [Secret]
    normalize: false
    whole_word: false
    replacement: "[X]"
  - id: m
    category: violence
    action: block
    classifier: {backend: local, thresholds: {violence: 0.8}, on_error: block, timeout_ms: 500}
"""
    ps = load_policy_set(write(tmp_path, {"p.yaml": text}))
    p, m = ps.policies
    assert (p.phases, p.mode, p.keyword_normalize, p.whole_word, p.replacement) == (
        frozenset({Phase.RESPONSE}), Mode.SHADOW, RAW, False, "[X]",
    )  # fmt: skip
    assert m.classifier is not None
    c = m.classifier
    assert (c.backend, dict(c.thresholds), c.on_error, c.timeout_ms) == (
        "local", {"violence": 0.8}, Action.BLOCK, 500,
    )  # fmt: skip
    assert ps.classifier_policies(Phase.PROMPT) == (m.classifier,)


def test_the_revision_names_the_content_not_where_it_is_mounted(tmp_path: Path) -> None:
    rules = "policies:\n  - {id: w, category: c, action: flag, keyword_files: [lists/w.txt]}\n"
    for mount in ("a", "b/deeper"):
        (tmp_path / mount / "lists").mkdir(parents=True)
        (tmp_path / mount / "rules.yaml").write_text(rules, encoding="utf-8")
        (tmp_path / mount / "lists" / "w.txt").write_text("bomb\n", encoding="utf-8")
    assert load_policy_set(tmp_path / "a").revision == load_policy_set(tmp_path / "b/deeper").revision
    (tmp_path / "a" / "lists" / "w.txt").write_text("bomb\nknife\n", encoding="utf-8")
    assert load_policy_set(tmp_path / "a").revision != load_policy_set(tmp_path / "b/deeper").revision


MINORS = "policies:\n  - id: m\n    category: sexual-minors\n    action: block\n    keywords: [child porn]\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            MINORS.replace("action: block", "action: flag"),
            "x.yaml:4: category 'sexual-minors' can only be blocked: action must be block (got flag)",
        ),
        (
            MINORS.replace("action: block", "action: redact"),
            "x.yaml:4: category 'sexual-minors' can only be blocked: action must be block (got redact)",
        ),
        (
            MINORS + "    mode: shadow\n",
            "x.yaml:6: category 'sexual-minors' can only be blocked: it cannot run in shadow mode",
        ),
        (
            "mode: shadow\n" + MINORS,
            "x.yaml:1: category 'sexual-minors' can only be blocked: it cannot run in shadow mode",
        ),
        (
            "policies:\n  - id: g\n    category: sexual\n    action: flag\n"
            "    classifier: {backend: m, thresholds: {sexual/minors: 0.5}}\n",
            "x.yaml:4: category 'sexual/minors' can only be blocked: action must be block (got flag)",
        ),
        (
            "policies:\n  - id: g\n    category: sexual-minors\n    action: block\n    classifier:\n"
            "      backend: m\n      thresholds: {sexual: 0.5}\n      on_error: allow\n",
            "x.yaml:8: category 'sexual-minors' can only be blocked: its classifier must fail closed",
        ),
    ],
)
def test_sexual_content_involving_minors_can_only_be_an_enforced_block(
    tmp_path: Path, text: str, expected: str
) -> None:
    found = problems(tmp_path, {"x.yaml": text})
    assert any(p.startswith(f"{tmp_path}/{expected}") for p in found), found


def test_an_enforced_block_of_minors_loads(tmp_path: Path) -> None:
    (policy,) = load_policy_set(write(tmp_path, {"x.yaml": MINORS})).policies
    assert (policy.category, policy.action, policy.shadow) == ("sexual-minors", Action.BLOCK, False)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ('"Call 988."', PolicyMessage("Call 988.")),
        ("{en: Call 988., zh: 请拨打热线。}", PolicyMessage("Call 988.", "请拨打热线。")),
        ("{zh: 请拨打热线。}", PolicyMessage("请拨打热线。", "请拨打热线。")),
    ],
)
def test_a_policy_message_reaches_its_findings(tmp_path: Path, message: str, expected: PolicyMessage) -> None:
    ps = load_policy_set(write(tmp_path, {"x.yaml": BASE + f"    keywords: [die]\n    message: {message}\n"}))
    assert ps.policies[0].message == expected
    (finding,) = ps.evaluate("I want to die", Phase.PROMPT).findings
    assert finding.message == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("''", "x.yaml:6: message must be a non-empty string or a mapping of en/zh"),
        ("{fr: Appelez.}", "x.yaml:6: unknown message language 'fr' (expected en, zh)"),
        ("[a, b]", "x.yaml:6: message must be a non-empty string or a mapping of en/zh"),
    ],
)
def test_bad_messages_are_load_errors(tmp_path: Path, message: str, expected: str) -> None:
    found = problems(tmp_path, {"x.yaml": BASE + f"    keywords: [die]\n    message: {message}\n"})
    assert any(p.startswith(f"{tmp_path}/{expected}") for p in found), found


PACK = "policies:\n  - id: extra\n    category: c\n    action: block\n    keyword_files: [lists/extra.txt]\n"


def test_packs_load_only_when_a_rule_file_includes_them(tmp_path: Path) -> None:
    root = write(tmp_path, {"a.yaml": GOOD, "lists/w.txt": "x\n"})
    write(tmp_path, {"packs/p/extra.yaml": PACK, "packs/p/lists/extra.txt": "y\n"})
    assert [p.id for p in load_policy_set(root).policies] == ["weapons"]
    (root / "enable.yaml").write_text("include: [packs/p]\n", encoding="utf-8")
    ps = load_policy_set(root)
    assert sorted(p.id for p in ps.policies) == ["extra", "weapons"]
    assert ps.evaluate("y", Phase.PROMPT).action is Action.BLOCK
    assert [p.id for p in load_policy_set(root / "packs/p").policies] == ["extra"]


def test_an_include_that_is_not_a_directory_is_a_load_error(tmp_path: Path) -> None:
    found = problems(tmp_path, {"a.yaml": "include:\n  - packs/nope\n"})
    assert found == [f"{tmp_path}/a.yaml:2: include: 'packs/nope' is not a directory (relative to this file)"]


def test_an_empty_keyword_file_is_a_list_still_to_fill(tmp_path: Path) -> None:
    root = write(tmp_path, {"x.yaml": PACK, "lists/extra.txt": "# terms go here\n"})
    (policy,) = load_policy_set(root).policies
    assert policy.keywords == ()


def test_a_file_reached_through_two_includes_loads_once(tmp_path: Path) -> None:
    write(tmp_path, {"packs/p/extra.yaml": PACK, "packs/p/lists/extra.txt": "y\n"})
    root = write(tmp_path, {"a.yaml": "include: [packs/p, packs]\n"})
    assert [p.id for p in load_policy_set(root).policies] == ["extra"]


def test_a_pseudonymize_policy_reports_spans_and_its_placeholder_base(tmp_path: Path) -> None:
    text = BASE.replace("flag", "pseudonymize") + "    regex: ['\\d{4}']\n    replacement: '[PIN]'\n"
    policy_set = load_policy_set(write(tmp_path, {"x.yaml": text}))
    decision = policy_set.evaluate("pin 1234 and 5678", Phase.PROMPT)
    assert decision.action is Action.PSEUDONYMIZE and decision.redacted is None
    assert [(f.start, f.end, f.replacement) for f in decision.findings] == [
        (4, 8, "[PIN]"),
        (13, 17, "[PIN]"),
    ]
