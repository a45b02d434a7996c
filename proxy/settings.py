"""Typed settings, read and validated once: defaults < YAML file < ``MODPROXY_*`` environment < flags.

Every setting is a field of a frozen dataclass section; the loader walks the dataclasses,
so a new section (cache, classifiers, metrics, ...) is one more field on :class:`Settings`.
The environment name of ``section.key`` is ``MODPROXY_SECTION_KEY``. This is the only
module that reads the process environment.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import os
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

ENV_PREFIX = "MODPROXY_"
CONFIG_ENV = "MODPROXY_CONFIG"
MIB = 1024 * 1024


class SettingsError(Exception):
    """A setting is missing, unknown or invalid; ``key`` names it (``section.field``)."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


def _meta(
    help: str,
    *,
    secret: bool = False,
    check: Callable[[Any], str | None] | None = None,
) -> dict[str, Any]:
    return {"help": help, "secret": secret, "check": check}


def _setting(
    default: Any,
    help: str,
    *,
    secret: bool = False,
    check: Callable[[Any], str | None] | None = None,
) -> Any:
    return field(default=default, metadata=_meta(help, secret=secret, check=check))


def _positive(value: float) -> str | None:
    return None if value > 0 else f"must be greater than 0 (got {value})"


def _port(value: int) -> str | None:
    return None if 0 <= value <= 65535 else f"must be between 0 and 65535 (got {value})"


def _http_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"must be an http:// or https:// URL (got {value!r})"
    return None


def _redis_url(value: str | None) -> str | None:
    if value is None:
        return None
    if urlsplit(value).scheme not in ("redis", "rediss", "unix"):
        return f"must be a redis://, rediss:// or unix:// URL (got {value!r})"
    return None


def _log_level(value: str) -> str | None:
    levels = ("debug", "info", "warning", "error")
    return None if value.lower() in levels else f"must be one of {', '.join(levels)} (got {value!r})"


EVENT_LOOPS = ("auto", "asyncio", "uvloop")


def _event_loop(value: str) -> str | None:
    return None if value in EVENT_LOOPS else f"must be one of {', '.join(EVENT_LOOPS)} (got {value!r})"


@dataclass(frozen=True, slots=True)
class ServerSettings:
    host: str = _setting("127.0.0.1", "address the proxy listens on (0.0.0.0 for all interfaces)")
    port: int = _setting(8080, "port the proxy listens on (0 picks a free port)", check=_port)
    workers: int = _setting(1, "worker processes sharing the port (SO_REUSEPORT)", check=_positive)
    max_body_bytes: int = _setting(
        10 * MIB, "largest accepted request body; larger bodies get 413", check=_positive
    )
    max_line_size: int = _setting(8190, "longest HTTP request line or header line", check=_positive)
    max_field_size: int = _setting(8190, "longest single HTTP header value", check=_positive)
    shutdown_grace_seconds: float = _setting(
        30.0, "on SIGTERM, how long in-flight requests may finish", check=_positive
    )
    event_loop: str = _setting(
        "auto", "asyncio, uvloop, or auto (uvloop when it is installed)", check=_event_loop
    )


@dataclass(frozen=True, slots=True)
class AdminSettings:
    host: str = _setting("127.0.0.1", "address of the admin listener (/metrics, admin endpoints)")
    port: int = _setting(9464, "port of the admin listener", check=_port)
    token: str | None = _setting(None, "bearer token the admin endpoints require", secret=True)


@dataclass(frozen=True, slots=True)
class UpstreamSettings:
    url: str | None = _setting(
        None, "base URL of the OpenAI-compatible backend, e.g. http://llm:8000", check=_http_url
    )
    api_key: str | None = _setting(
        None, "replaces the client's Authorization towards the upstream", secret=True
    )
    connect_timeout: float = _setting(10.0, "seconds to open a connection to the upstream", check=_positive)
    read_timeout: float = _setting(
        300.0, "seconds the upstream may stay silent (per read, not total)", check=_positive
    )
    pool_size: int = _setting(100, "most concurrent upstream connections per worker", check=_positive)
    dev: bool = _setting(False, "run the built-in development echo upstream (not an LLM) and use it")


@dataclass(frozen=True, slots=True)
class PoliciesSettings:
    path: Path | None = field(default=None, metadata=_meta("policy file or directory"))


@dataclass(frozen=True, slots=True)
class RedisSettings:
    url: str | None = _setting(
        None, "Redis for the shared decision cache, e.g. redis://127.0.0.1:6379/0", check=_redis_url
    )


DEFAULT_REFUSAL = "The response was filtered by the content policy."


@dataclass(frozen=True, slots=True)
class ModerationSettings:
    refusal_message: str = _setting(DEFAULT_REFUSAL, "replaces a blocked response")
    refusal_messages: dict[str, str] = field(
        default_factory=lambda: {"zh": "该回复因违反内容政策已被过滤。"},
        metadata=_meta("refusal message per prompt language (zh is used when the prompt is mostly CJK)"),
    )


STREAM_MODES = ("window", "buffer", "audit")


def _stream_mode(value: str) -> str | None:
    return None if value in STREAM_MODES else f"must be one of {', '.join(STREAM_MODES)} (got {value!r})"


def _route_modes(value: dict[str, str]) -> str | None:
    bad = {route: mode for route, mode in value.items() if mode not in STREAM_MODES}
    return f"modes must be one of {', '.join(STREAM_MODES)} (got {bad})" if bad else None


@dataclass(frozen=True, slots=True)
class StreamingSettings:
    mode: str = _setting(
        "window", "how streamed answers are moderated: window, buffer or audit", check=_stream_mode
    )
    route_modes: dict[str, str] = field(
        default_factory=dict,
        metadata=_meta('mode per route path, e.g. {"/v1/completions": "buffer"}', check=_route_modes),
    )
    buffer_max_chars: int = _setting(
        200_000, "buffer mode: longest answer held; longer answers are refused", check=_positive
    )
    max_event_bytes: int = _setting(
        1 * MIB, "largest upstream event; a larger one ends the stream with an error event", check=_positive
    )
    refusal_in_stream: bool = _setting(True, "put the refusal text in the final content_filter chunk")


@dataclass(frozen=True, slots=True)
class LoggingSettings:
    level: str = _setting("info", "debug, info, warning or error", check=_log_level)
    access_log: bool = _setting(True, "log one line per request")
    log_text: bool = _setting(False, "include user and model text in logs (off: it may be personal data)")


@dataclass(frozen=True, slots=True)
class Settings:
    server: ServerSettings = field(default_factory=ServerSettings)
    admin: AdminSettings = field(default_factory=AdminSettings)
    upstream: UpstreamSettings = field(default_factory=UpstreamSettings)
    policies: PoliciesSettings = field(default_factory=PoliciesSettings)
    redis: RedisSettings = field(default_factory=RedisSettings)
    moderation: ModerationSettings = field(default_factory=ModerationSettings)
    streaming: StreamingSettings = field(default_factory=StreamingSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)


@dataclass(frozen=True, slots=True)
class SettingInfo:
    key: str
    env: str
    type_name: str
    default: Any
    help: str
    secret: bool


def describe() -> list[SettingInfo]:
    """Every setting, for docs and ``--help``."""
    out = []
    for section in dataclasses.fields(Settings):
        section_cls = _hints(Settings)[section.name]
        hints = _hints(section_cls)
        for f in dataclasses.fields(section_cls):
            out.append(
                SettingInfo(
                    f"{section.name}.{f.name}",
                    env_name(section.name, f.name),
                    _type_name(hints[f.name]),
                    _default(f),
                    f.metadata.get("help", ""),
                    bool(f.metadata.get("secret")),
                )
            )
    return out


def env_name(section: str, key: str) -> str:
    return f"{ENV_PREFIX}{section}_{key}".upper()


def load_settings(
    *,
    config_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build settings; ``overrides`` maps ``section.key`` to flag values (None means not given)."""
    env = os.environ if env is None else env
    if config_file is None and env.get(CONFIG_ENV):
        config_file = Path(env[CONFIG_ENV])
    raw: dict[str, dict[str, Any]] = {}
    if config_file is not None:
        _merge(raw, _read_file(config_file), source="file")
    _merge(raw, _from_env(env), source="env")
    _merge(raw, _from_overrides(overrides or {}), source="flag")
    settings = _build(raw)
    _check_consistency(settings)
    return settings


def redacted_view(settings: Settings) -> dict[str, dict[str, Any]]:
    """Settings as plain data with every secret masked, safe to log or serve."""
    out: dict[str, dict[str, Any]] = {}
    for section in dataclasses.fields(settings):
        value = getattr(settings, section.name)
        out[section.name] = {
            f.name: (
                "***"
                if f.metadata.get("secret") and getattr(value, f.name)
                else _plain(getattr(value, f.name))
            )
            for f in dataclasses.fields(value)
        }
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return dict(value)
    return value


def _read_file(path: Path) -> Mapping[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError("config", f"cannot read {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise SettingsError("config", f"{path} is not valid YAML: {exc}".replace("\n", " ")) from None
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise SettingsError("config", f"{path} must hold a mapping of sections")
    return data


def _from_env(env: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    known = {info.env: info.key for info in describe()}
    out: dict[str, dict[str, Any]] = {}
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or name == CONFIG_ENV:
            continue
        if name not in known:
            raise SettingsError(name, "unknown environment setting")
        section, key = known[name].split(".")
        out.setdefault(section, {})[key] = value
    return out


def _from_overrides(overrides: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for dotted, value in overrides.items():
        if value is None:
            continue
        section, key = dotted.split(".")
        out.setdefault(section, {})[key] = value
    return out


def _merge(into: dict[str, dict[str, Any]], layer: Mapping[str, Any], *, source: str) -> None:
    sections = _hints(Settings)
    for section, values in layer.items():
        if section not in sections:
            raise SettingsError(str(section), f"unknown section (expected one of {', '.join(sections)})")
        if not isinstance(values, Mapping):
            raise SettingsError(str(section), "must be a mapping")
        known = {f.name for f in dataclasses.fields(sections[section])}
        for key, value in values.items():
            if key not in known:
                raise SettingsError(f"{section}.{key}", "unknown setting")
            into.setdefault(section, {})[key] = (source, value)


def _build(raw: Mapping[str, Mapping[str, tuple[str, Any]]]) -> Settings:
    sections: dict[str, Any] = {}
    for section, section_cls in _hints(Settings).items():
        hints = _hints(section_cls)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(section_cls):
            key = f"{section}.{f.name}"
            if f.name in raw.get(section, {}):
                source, value = raw[section][f.name]
                values[f.name] = _coerce(key, hints[f.name], value, from_text=source == "env")
            else:
                values[f.name] = _default(f)
            check = f.metadata.get("check")
            if check is not None and values[f.name] is not None and (problem := check(values[f.name])):
                raise SettingsError(key, problem)
        sections[section] = section_cls(**values)
    return Settings(**sections)


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return f.default


def _check_consistency(settings: Settings) -> None:
    if settings.upstream.url is None and not settings.upstream.dev:
        raise SettingsError("upstream.url", "is required (or use --dev for the development echo upstream)")
    if settings.server.workers > 1 and settings.server.port == 0:
        raise SettingsError("server.workers", "several workers need a fixed server.port (not 0)")
    admin = settings.admin
    if admin.token is None and not _is_loopback(admin.host):
        raise SettingsError("admin.host", f"{admin.host!r} is not loopback; set admin.token to expose it")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _hints(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _type_name(tp: Any) -> str:
    optional = type(None) in typing.get_args(tp)
    base = _strip_optional(tp)
    names = {str: "string", int: "integer", float: "number", bool: "boolean", Path: "path"}
    name = names.get(base, "mapping")
    return f"{name} (optional)" if optional else name


def _strip_optional(tp: Any) -> Any:
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
    return tp


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _coerce(key: str, tp: Any, value: Any, *, from_text: bool) -> Any:
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
