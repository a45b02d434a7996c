"""Config examples in the docs are real configs: each YAML block that configures modproxy loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from proxy.settings.load import Settings, load_settings

DOCS = Path(__file__).resolve().parents[1] / "docs"
SECTIONS = set(Settings.__dataclass_fields__)
BLOCK = re.compile(r"```yaml\n(.*?)```", re.S)
ABBREVIATED_HASH = re.compile(r"sha256:[0-9a-f]+\.\.\.[0-9a-f]+")
# Variables the examples name with api_key_env.
ENV = {"MODERATION_API_KEY": "sk-doc", "AZURE_CONTENT_SAFETY_KEY": "doc"}


def config_examples() -> list[tuple[str, str]]:
    examples = []
    for path in sorted(DOCS.glob("*.md")):
        for index, match in enumerate(BLOCK.finditer(path.read_text(encoding="utf-8"))):
            data = yaml.safe_load(match.group(1))
            rule_file = isinstance(data, dict) and isinstance(data.get("policies"), list)
            if isinstance(data, dict) and data and set(data) <= SECTIONS and not rule_file:
                examples.append((f"{path.name}#{index}", match.group(1)))
    return examples


EXAMPLES = config_examples()


def test_the_docs_have_config_examples() -> None:
    assert {name.split("#")[0] for name, _ in EXAMPLES} >= {
        "configuration.md",
        "classifiers.md",
        "routing.md",
    }


@pytest.mark.parametrize(("name", "text"), EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_a_config_example_loads(name: str, text: str, tmp_path: Path) -> None:
    # The docs shorten key hashes ("sha256:9f2c...e1"); stand in distinct well-formed ones.
    hashes = iter(range(1, 1000))
    text = ABBREVIATED_HASH.sub(lambda _: f"sha256:{next(hashes):064x}", text)
    data = yaml.safe_load(text)
    data.setdefault("upstream", {}).setdefault("url", "http://127.0.0.1:8000")
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    load_settings(config_file=config, env=ENV)


def _k8s_config() -> str:
    text = (Path(__file__).resolve().parents[1] / "deploy" / "k8s" / "configmap.yaml").read_text(
        encoding="utf-8"
    )
    [config_map] = [
        doc for doc in yaml.safe_load_all(text) if doc and doc["metadata"]["name"] == "modproxy-config"
    ]
    return str(config_map["data"]["config.yaml"])


DEPLOY_CONFIGS = {
    "compose": (Path(__file__).resolve().parents[1] / "deploy" / "config" / "config.yaml").read_text(
        encoding="utf-8"
    ),
    "kubernetes": _k8s_config(),
}


@pytest.mark.parametrize("name", sorted(DEPLOY_CONFIGS))
def test_the_shipped_deploy_configs_load_with_their_token(name: str, tmp_path: Path) -> None:
    """The deploy files set the admin token from the environment, as the containers do."""
    config = tmp_path / "config.yaml"
    config.write_text(DEPLOY_CONFIGS[name], encoding="utf-8")
    settings = load_settings(config_file=config, env={"MODPROXY_ADMIN_TOKEN": "from-a-secret"})
    assert settings.server.host == "0.0.0.0" and settings.admin.token == "from-a-secret"
    assert settings.policies.path is not None and settings.redis.url is not None
