"""Settings values: the field metadata, the conversion of raw YAML/env values to typed fields, and the
masking of secrets. ``proxy.settings.load`` declares the sections and owns the environment; this module only
turns values into types, naming the key of anything it rejects.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import field
from pathlib import Path
from typing import Any


class SettingsError(Exception):
    """A setting is missing, unknown or invalid; ``key`` names it (``section.field``)."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


def meta(
    help: str,
    *,
    secret: bool = False,
    check: Callable[[Any], str | None] | None = None,
) -> dict[str, Any]:
    return {"help": help, "secret": secret, "check": check}


def setting(
    default: Any,
    help: str,
    *,
    secret: bool = False,
    check: Callable[[Any], str | None] | None = None,
) -> Any:
    return field(default=default, metadata=meta(help, secret=secret, check=check))


def is_section(tp: Any) -> bool:
    return isinstance(tp, type) and dataclasses.is_dataclass(tp)


def default_of(f: dataclasses.Field[Any]) -> Any:
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return f.default


def type_hints(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def type_name(tp: Any) -> str:
    optional = type(None) in typing.get_args(tp)
    base = _strip_optional(tp)
    names = {str: "string", int: "integer", float: "number", bool: "boolean", Path: "path"}
    name = "list" if typing.get_origin(base) is tuple else names.get(base, "mapping")
    return f"{name} (optional)" if optional else name


def _strip_optional(tp: Any) -> Any:
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
    return tp


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def coerce(key: str, tp: Any, value: Any, *, from_text: bool) -> Any:
    optional = type(None) in typing.get_args(tp)
    base = _strip_optional(tp)
    if value is None or (from_text and optional and value == ""):
        if optional:
            return None
        raise SettingsError(key, "must not be empty")
    if base is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        raise SettingsError(key, f"must be true or false (got {value!r})")
    if base in (int, float):
        if isinstance(value, bool):
            raise SettingsError(key, f"must be a number (got {value!r})")
        try:
            number = base(value) if not (base is int and isinstance(value, float)) else None
        except (TypeError, ValueError):
            number = None
        if number is None:
            expected = "an integer" if base is int else "a number"
            raise SettingsError(key, f"must be {expected} (got {value!r})")
        return number
    if base is str:
        if not isinstance(value, str | int | float):
            raise SettingsError(key, f"must be a string (got {type(value).__name__})")
        return str(value)
    if base is Path:
        if not isinstance(value, str | Path):
            raise SettingsError(key, f"must be a path (got {type(value).__name__})")
        return Path(value)
    if typing.get_origin(base) is dict and typing.get_args(base)[1] is Any:
        if from_text and isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise SettingsError(key, "must be a JSON object") from None
        if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
            raise SettingsError(key, "must be a mapping")
        return dict(value)
    if from_text and isinstance(value, str) and (is_section(base) or typing.get_origin(base) is tuple):
        value = _json(key, value)
    if is_section(base):
        return record(key, base, value)
    if typing.get_origin(base) is tuple:
        if not isinstance(value, list | tuple):
            raise SettingsError(key, f"must be a list (got {type(value).__name__})")
        item = typing.get_args(base)[0]
        return tuple(coerce(f"{key}[{i}]", item, v, from_text=False) for i, v in enumerate(value))
    if typing.get_origin(base) is dict and typing.get_args(base)[1] is not str:
        if from_text and isinstance(value, str):
            value = _json(key, value)
        if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
            raise SettingsError(key, "must be a mapping with string keys")
        item = typing.get_args(base)[1]
        return {k: coerce(f"{key}.{k}", item, v, from_text=False) for k, v in value.items()}
    if typing.get_origin(base) is dict:
        if from_text and isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise SettingsError(key, "must be a JSON object of strings") from None
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise SettingsError(key, "must be a mapping of strings to strings")
        return dict(value)
    raise SettingsError(key, f"unsupported setting type {tp!r}")


def _json(key: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise SettingsError(key, "must be JSON") from None


def record(key: str, cls: type[Any], value: Any) -> Any:
    """One dataclass from a mapping: unknown keys, missing required keys and bad values name themselves."""
    if not isinstance(value, Mapping):
        raise SettingsError(key, f"must be a mapping (got {type(value).__name__})")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for name in value:
        if name not in fields:
            raise SettingsError(f"{key}.{name}", f"unknown setting (expected one of {', '.join(fields)})")
    hints = type_hints(cls)
    values: dict[str, Any] = {}
    for name, f in fields.items():
        sub = f"{key}.{name}"
        if name in value:
            values[name] = coerce(sub, hints[name], value[name], from_text=False)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise SettingsError(sub, "is required")
        else:
            values[name] = default_of(f)
        check = f.metadata.get("check")
        if check is not None and values[name] is not None and (problem := check(values[name])):
            raise SettingsError(sub, problem)
    return cls(**values)


_SECRET_KEYS = frozenset({"api_key", "password", "token"})


def to_plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: "***"
            if f.metadata.get("secret") and getattr(value, f.name)
            else to_plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
        }
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        # Nested records (classifier backends) carry their own keys: mask those by name.
        return {k: "***" if k in _SECRET_KEYS and v else to_plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [to_plain(v) for v in value]
    return value
