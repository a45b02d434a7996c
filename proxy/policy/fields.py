"""Typed access to a rule file's mapping: each bad value is reported with its line, never raised."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from proxy.policy.yamlsource import LineDict, LineList, line_of

_T = TypeVar("_T")
Report = Callable[[int | None, str], None]
"""``report(line, message)``: record one problem of the file being read."""


class Fields:
    """Typed field access that records a problem (and returns a neutral value) on bad input."""

    def __init__(self, report: Report, item: LineDict) -> None:
        self.report = report
        self.item = item

    def _bad(self, key: str, message: str) -> None:
        self.report(line_of(self.item, key), message)

    def text(self, key: str, *, required: bool = False, pattern: re.Pattern[str] | None = None) -> str | None:
        value = self.item.get(key)
        if value is None:
            if required:
                self._bad(key, f"missing required key {key!r}")
            return None
        if not isinstance(value, str) or not value:
            self._bad(key, f"{key} must be a non-empty string")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self._bad(key, f"{key} {value!r} must be letters, digits, '_' or '-' (at most 64)")
            return None
        return value

    def choice(
        self, key: str, convert: Callable[[str], _T], *, required: bool = False, default: _T | None = None
    ) -> _T | None:
        value = self.item.get(key)
        if value is None:
            if required:
                self._bad(key, f"missing required key {key!r}")
            return default
        try:
            return convert(str(value))
        except ValueError as e:
            self._bad(key, f"{key}: {e}")
            return default

    def flag(self, key: str, default: bool) -> bool:
        value = self.item.get(key, default)
        if not isinstance(value, bool):
            self._bad(key, f"{key} must be true or false")
            return default
        return value

    def strings_with_lines(self, key: str) -> list[tuple[str, int | None]]:
        value = self.item.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [(value, line_of(self.item, key))]
        if not isinstance(value, LineList):
            self._bad(key, f"{key} must be a list of strings")
            return []
        out: list[tuple[str, int | None]] = []
        for v, line in zip(value, value.item_lines, strict=True):
            if isinstance(v, str) and v.strip():
                out.append((v, line))
            else:
                self.report(line, f"{key}: {v!r} is not a non-empty string")
        return out

    def strings(self, key: str, convert: Callable[[str], _T]) -> list[_T]:
        out = []
        for v, line in self.strings_with_lines(key):
            try:
                out.append(convert(v))
            except ValueError as e:
                self.report(line, f"{key}: {e}")
        return out
