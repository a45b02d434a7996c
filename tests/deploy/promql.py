"""Which metric names a PromQL expression reads, and which names a ``/metrics`` page offers.

Not a full PromQL parser: enough of the grammar to tell metric names from function
names, keywords, label names, durations and Grafana variables.
"""

from __future__ import annotations

import re

_STRING = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`')
_NAME_MATCHER = re.compile(r'__name__\s*=\s*"([^"]*)"')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGES = re.compile(r"\[[^\[\]]*\]")
_LABEL_LISTS = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_OFFSET = re.compile(r"\boffset\s+-?[\w$]+")
_VARIABLE = re.compile(r"\$\{?\w+\}?")
_TOKEN = re.compile(r"\d+(?:\.\d+)?(?:e[+-]?\d+)?|[A-Za-z_:][\w:]*")
_KEYWORDS = frozenset(
    {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool"}
)
_NUMBER_WORDS = frozenset({"inf", "nan"})


def metric_names(expr: str) -> set[str]:
    names = {found.group(1) for found in _NAME_MATCHER.finditer(expr)}
    # Strings go first: a label value may hold braces, brackets or words.
    text = _STRING.sub('""', expr)
    text = _MATCHERS.sub(" ", text)
    text = _RANGES.sub(" ", text)
    text = _LABEL_LISTS.sub(" ", text)
    text = _OFFSET.sub(" ", text)
    text = _VARIABLE.sub(" ", text)
    for token in _TOKEN.finditer(text):
        word = token.group(0)
        if word[0].isdigit() or word.lower() in _KEYWORDS or word.lower() in _NUMBER_WORDS:
            continue
        if text[token.end() :].lstrip().startswith("("):
            continue  # a function call
        names.add(word)
    return names


_SUFFIXES = {
    "counter": ("",),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count"),
    "summary": ("", "_sum", "_count"),
    "untyped": ("",),
}


def exposed_names(exposition: str) -> set[str]:
    """Every series name a scrape of ``exposition`` (text format 0.0.4) stores, samples or not."""
    names: set[str] = set()
    for line in exposition.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            names.update(name + suffix for suffix in _SUFFIXES[kind])
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{\s]", line, maxsplit=1)[0])
    return names
