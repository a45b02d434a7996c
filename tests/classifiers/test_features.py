"""The model's text normalisation: spaced-out characters and gaps between Chinese characters joined
exactly as the look-behind patterns the serving ones replace would join them."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.classifiers.features import normalize
from proxy.policy.normalize import BARRIER, MAX_SEPARATOR_RUN, NormalizeOptions, normalizer

_SEP = f"(?:(?![,;:!?。、，；：！？])[\\W_]){{1,{MAX_SEPARATOR_RUN}}}"
_CHAR = r"[^\W_]"
_HAN = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_SPACED = re.compile(rf"(?<!{_CHAR}){_CHAR}(?:{_SEP}{_CHAR}(?!{_CHAR})){{2,}}")
_HAN_GAP = re.compile(f"(?<={_HAN}){_SEP}(?={_HAN})")
_FOLD = normalizer(NormalizeOptions(separators=0))


def _reference(text: str) -> str:
    text = " ".join(_FOLD.normalize(text).text.replace(BARRIER, " ").split())
    text = _HAN_GAP.sub("", text)
    return _SPACED.sub(lambda m: re.sub(_SEP, "", m.group()), text)


@given(text=st.text(alphabet="ab x中文字.,-_ 。，!?1\n\t", max_size=40))
@settings(max_examples=500, deadline=None)
def test_joins_like_the_look_behind_patterns(text: str) -> None:
    assert normalize(text) == _reference(text)


def test_spaced_letters_and_chinese_gaps_are_joined() -> None:
    assert normalize("k i l l them, I said") == "kill them, i said"
    assert normalize("自 杀 的 方法") == "自杀的方法"
    assert normalize("a b, c d") == "a b, c d"  # clause punctuation ends a run; two letters are no run
