import subprocess
from pathlib import Path

import opencc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy.policy.chinese import PHRASE_ONLY, converted_chars, may_change, to_simplified, utf8_to_simplified

_SHARE = Path(opencc.__file__).parent / "clib" / "share" / "opencc"
_DICT_TOOL = Path(opencc.__file__).parent / "clib" / "bin" / "opencc_dict"


def _dictionary(name: str, tmp_path: Path) -> dict[str, str]:
    out = tmp_path / f"{name}.txt"
    subprocess.run(
        [str(_DICT_TOOL), "-i", str(_SHARE / f"{name}.ocd2"), "-o", str(out), "-f", "ocd2", "-t", "text"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    pairs = (line.split("\t") for line in out.read_text(encoding="utf-8").splitlines())
    return {key: values.split(" ")[0] for key, values in pairs}


def test_every_conversion_of_the_shipped_dictionaries_involves_a_trigger_character(tmp_path: Path) -> None:
    triggers = converted_chars() | set(PHRASE_ONLY)
    for name in ("TSPhrases", "TSCharacters", "TSCharactersExt", "CJK_Compatibility_Ideographs"):
        for key, value in _dictionary(name, tmp_path).items():
            changed = {k for k, v in zip(key, value, strict=False) if k != v}
            assert len(key) == len(value), (name, key, value)
            assert changed <= triggers, (name, key, value)


@pytest.mark.parametrize(
    ("text", "changes"),
    [
        ("Please restart the service", False),
        ("我们今天讨论了系统的性能问题", False),
        ("請檢查配置文件", True),
        ("意志消沈", True),  # only the phrase table changes 沈
        ("回覆", True),
        ("", False),
    ],
)
def test_may_change(text: str, changes: bool) -> None:
    assert may_change(text) is changes
    assert (to_simplified(text) != text) is changes


_HAN = "请請检檢查配置文件深沈意志消回覆复憑藉借乾隆干著着后後发發髮里裡"


@given(st.text(alphabet=_HAN + "ab 1，。\n", max_size=40))
def test_texts_without_a_trigger_character_come_out_unchanged(text: str) -> None:
    if not may_change(text):
        assert to_simplified(text) == text
    assert utf8_to_simplified(text.encode(), len(text)) == to_simplified(text)
