"""Typed settings, read and validated once: defaults < YAML file < ``MODPROXY_*`` environment < flags.

Every setting is a field of a frozen dataclass section; the loader walks the dataclasses,
so a new section (cache, classifiers, metrics, ...) is one more field on :class:`Settings`.
The environment name of ``section.key`` is ``MODPROXY_SECTION_KEY``. A few top-level
settings are collections instead of sections (``routes``, ``tenants``, ``upstreams``,
``policy_sets``): a whole list or mapping of records, replaced as a whole by a later layer
(``MODPROXY_ROUTES`` holds JSON); their errors name the item, e.g. ``routes[2].model``.
This is the only module that reads the process environment.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from proxy.cache_config import CacheConfig
from proxy.classifiers import registry as classifier_registry
from proxy.classifiers.registry import ClassifierConfig, ClassifierConfigError
from proxy.routing import STREAM_MODES, ConfigProblem, Route, UpstreamTarget, check_routing
from proxy.settings_values import (
    SettingsError as SettingsError,
)
from proxy.settings_values import (
    coerce,
    default_of,
    is_section,
    meta,
    setting,
    to_plain,
    type_hints,
    type_name,
)
from proxy.tenants import Tenant

ENV_PREFIX = "MODPROXY_"
CONFIG_ENV = "MODPROXY_CONFIG"
MIB = 1024 * 1024


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


REDIS_SCHEMES = (
    *("redis", "rediss", "unix"),
    *("redis+sentinel", "rediss+sentinel", "redis+cluster", "rediss+cluster"),
)


def _redis_url(value: str | None) -> str | None:
    if value is None:
        return None
    if urlsplit(value).scheme not in REDIS_SCHEMES:
        return f"must be a URL with one of the schemes {', '.join(REDIS_SCHEMES)}"
    return None


def _non_negative(value: float) -> str | None:
    return None if value >= 0 else f"must be 0 or more (got {value})"


def _log_level(value: str) -> str | None:
    levels = ("debug", "info", "warning", "error")
    return None if value.lower() in levels else f"must be one of {', '.join(levels)} (got {value!r})"


EVENT_LOOPS = ("auto", "asyncio", "uvloop")


def _event_loop(value: str) -> str | None:
    return None if value in EVENT_LOOPS else f"must be one of {', '.join(EVENT_LOOPS)} (got {value!r})"


@dataclass(frozen=True, slots=True)
class ServerSettings:
    host: str = setting("127.0.0.1", "address the proxy listens on (0.0.0.0 for all interfaces)")
    port: int = setting(8080, "port the proxy listens on (0 picks a free port)", check=_port)
    workers: int = setting(1, "worker processes sharing the port (SO_REUSEPORT)", check=_positive)
    max_body_bytes: int = setting(
        10 * MIB, "largest accepted request body; larger bodies get 413", check=_positive
    )
    max_line_size: int = setting(8190, "longest HTTP request line or header line", check=_positive)
    max_field_size: int = setting(8190, "longest single HTTP header value", check=_positive)
    shutdown_grace_seconds: float = setting(
        30.0, "on SIGTERM, how long in-flight requests may finish", check=_positive
    )
    event_loop: str = setting(
        "auto", "asyncio, uvloop, or auto (uvloop when it is installed)", check=_event_loop
    )


@dataclass(frozen=True, slots=True)
class AdminSettings:
    host: str = setting("127.0.0.1", "address of the admin listener (/metrics, admin endpoints)")
    port: int = setting(9464, "port of the admin listener", check=_port)
    token: str | None = setting(None, "bearer token the admin endpoints require", secret=True)


@dataclass(frozen=True, slots=True)
class UpstreamSettings:
    url: str | None = setting(
        None, "base URL of the OpenAI-compatible backend, e.g. http://llm:8000", check=_http_url
    )
    api_key: str | None = setting(
        None, "replaces the client's Authorization towards the upstream", secret=True
    )
    connect_timeout: float = setting(10.0, "seconds to open a connection to the upstream", check=_positive)
    read_timeout: float = setting(
        300.0, "seconds the upstream may stay silent (per read, not total)", check=_positive
    )
    pool_size: int = setting(100, "most concurrent upstream connections per worker", check=_positive)
    dev: bool = setting(False, "run the built-in development echo upstream (not an LLM) and use it")


@dataclass(frozen=True, slots=True)
class PoliciesSettings:
    path: Path | None = field(default=None, metadata=meta("policy file or directory"))
    watch_interval: float = setting(
        1.0, "seconds between checks of the policy files for changes (0 turns live reload off)",
        check=_non_negative,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class RedisSettings:
    url: str | None = setting(
        None, "Redis for the shared decision cache, e.g. redis://127.0.0.1:6379/0", check=_redis_url
    )


@dataclass(frozen=True, slots=True)
class CacheSettings:
    """The decision cache; Redis itself is ``redis.url`` (none: the in-process tier alone)."""

    prefix: str = setting("modproxy:", "prefix of every Redis key")
    ttl_seconds: int = setting(86_400, "lifetime of a cached decision in Redis", check=_positive)
    local_max_entries: int = setting(100_000, "in-process tier: most decisions kept", check=_non_negative)
    local_max_bytes: int = setting(64 * MIB, "in-process tier: most bytes kept", check=_non_negative)
    socket_timeout: float = setting(0.1, "seconds one Redis reply may take", check=_positive)
    connect_timeout: float = setting(0.2, "seconds to connect to Redis", check=_positive)
    retries: int = setting(1, "extra attempts after a Redis connection error", check=_non_negative)
    breaker_failures: int = setting(5, "consecutive Redis failures that open the breaker", check=_positive)
    breaker_reset_seconds: float = setting(
        5.0, "seconds the breaker stays open before Redis is tried again", check=_positive
    )
    max_connections: int = setting(64, "Redis connection pool size", check=_positive)
    cluster: bool = setting(False, "treat redis.url as a Redis Cluster seed node")


@dataclass(frozen=True, slots=True)
class ClassifiersSettings:
    """Classifier backends policies can name; ``builtin`` (the offline model) always exists."""

    backends: dict[str, Any] = field(
        default_factory=dict,
        metadata=meta(
            "backends by name: {name: {type, url, api_key_env, model, timeout_ms, ...}}; "
            "see docs/classifiers.md"
        ),
    )
    builtin_concurrency: int = setting(
        1, "texts the built-in model scores at once (more: throughput on big machines, longer loop stalls)",
        check=_positive,
    )  # fmt: skip


DEFAULT_REFUSAL = "The response was filtered by the content policy."


@dataclass(frozen=True, slots=True)
class ModerationSettings:
    refusal_message: str = setting(DEFAULT_REFUSAL, "replaces a blocked response")
    refusal_messages: dict[str, str] = field(
        default_factory=lambda: {"zh": "该回复因违反内容政策已被过滤。"},
        metadata=meta("refusal message per prompt language (zh is used when the prompt is mostly CJK)"),
    )


def _stream_mode(value: str) -> str | None:
    return None if value in STREAM_MODES else f"must be one of {', '.join(STREAM_MODES)} (got {value!r})"


@dataclass(frozen=True, slots=True)
class StreamingSettings:
    mode: str = setting(
        "window", "how streamed answers are moderated: window, buffer or audit", check=_stream_mode
    )
    buffer_max_chars: int = setting(
        200_000, "buffer mode: longest answer held; longer answers are refused", check=_positive
    )
    max_event_bytes: int = setting(
        1 * MIB, "largest upstream event; a larger one ends the stream with an error event", check=_positive
    )
    refusal_in_stream: bool = setting(True, "put the refusal text in the final content_filter chunk")


@dataclass(frozen=True, slots=True)
class MetricsSettings:
    multiprocess_dir: Path | None = field(
        default=None,
        metadata=meta(
            "with several workers: where they share metric files (emptied at start; default: a new "
            "temporary directory)"
        ),
    )


@dataclass(frozen=True, slots=True)
class LoggingSettings:
    level: str = setting("info", "debug, info, warning or error", check=_log_level)
    access_log: bool = setting(True, "log one line per request")
    log_text: bool = setting(False, "include user and model text in logs (off: it may be personal data)")


@dataclass(frozen=True, slots=True)
class Settings:
    server: ServerSettings = field(default_factory=ServerSettings)
    admin: AdminSettings = field(default_factory=AdminSettings)
    upstream: UpstreamSettings = field(default_factory=UpstreamSettings)
    policies: PoliciesSettings = field(default_factory=PoliciesSettings)
    redis: RedisSettings = field(default_factory=RedisSettings)
    cache: CacheSettings = field(default_factory=CacheSettings)
    classifiers: ClassifiersSettings = field(default_factory=ClassifiersSettings)
    moderation: ModerationSettings = field(default_factory=ModerationSettings)
    streaming: StreamingSettings = field(default_factory=StreamingSettings)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    # Collections, not sections (see the module docstring and docs/routing.md).
    upstreams: dict[str, UpstreamTarget] = field(
        default_factory=dict,
        metadata=meta("more upstreams by name: {name: {url, api_key}}; upstream.* is the one named default"),
    )
    policy_sets: dict[str, Path] = field(
        default_factory=dict,
        metadata=meta("more policy sets by name: {name: path}; policies.path is the one named default"),
    )
    tenants: dict[str, Tenant] = field(
        default_factory=dict,
        metadata=meta(
            "virtual keys: {name: {key_hashes: [sha256:...], ...}}; any tenant makes keys required"
        ),
    )
    routes: tuple[Route, ...] = field(
        default=(),
        metadata=meta("ordered routing rules, first match wins; the last one (no match) is the default"),
    )


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
    top = type_hints(Settings)
    for section in dataclasses.fields(Settings):
        section_cls = top[section.name]
        if not is_section(section_cls):
            out.append(
                SettingInfo(
                    section.name,
                    env_name(section.name),
                    type_name(section_cls),
                    default_of(section),
                    section.metadata.get("help", ""),
                    False,
                )
            )
            continue
        hints = type_hints(section_cls)
        for f in dataclasses.fields(section_cls):
            out.append(
                SettingInfo(
                    f"{section.name}.{f.name}",
                    env_name(section.name, f.name),
                    type_name(hints[f.name]),
                    default_of(f),
                    f.metadata.get("help", ""),
                    bool(f.metadata.get("secret")),
                )
            )
    return out


def env_name(*parts: str) -> str:
    return (ENV_PREFIX + "_".join(parts)).upper()


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
    raw: dict[str, Any] = {}
    if config_file is not None:
        _merge(raw, _read_file(config_file), source="file")
    _merge(raw, _from_env(env), source="env")
    _merge(raw, _from_overrides(overrides or {}), source="flag")
    settings = _build(raw)
    settings = dataclasses.replace(
        settings,
        classifiers=dataclasses.replace(
            settings.classifiers, backends=_resolve_api_keys(settings.classifiers.backends, env)
        ),
    )
    _check_consistency(settings)
    return settings


def _resolve_api_keys(backends: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    """``api_key_env: NAME`` becomes the key itself, so no secret has to sit in the config file."""
    out: dict[str, Any] = {}
    for name, backend in backends.items():
        if isinstance(backend, Mapping) and "api_key_env" in backend:
            variable = str(backend["api_key_env"])
            if variable not in env:
                raise SettingsError(f"classifiers.backends.{name}.api_key_env", f"{variable} is not set")
            backend = {k: v for k, v in backend.items() if k != "api_key_env"} | {"api_key": env[variable]}
        out[name] = backend
    return out


def redacted_view(settings: Settings) -> dict[str, Any]:
    """Settings as plain data with every secret masked, safe to log or serve."""
    plain: dict[str, Any] = to_plain(settings)
    return plain


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


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    known = {info.env: info.key for info in describe()}
    out: dict[str, Any] = {}
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or name == CONFIG_ENV:
            continue
        if name not in known:
            raise SettingsError(name, "unknown environment setting")
        _put(out, known[name], value)
    return out


def _from_overrides(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``section.key`` (or a collection's name, e.g. ``routes``) to value; None means not given."""
    out: dict[str, Any] = {}
    for dotted, value in overrides.items():
        if value is not None:
            _put(out, dotted, value)
    return out


def _put(layer: dict[str, Any], dotted: str, value: Any) -> None:
    section, _, key = dotted.partition(".")
    if key:
        layer.setdefault(section, {})[key] = value
    else:
        layer[section] = value


def _merge(into: dict[str, Any], layer: Mapping[str, Any], *, source: str) -> None:
    """Sections merge key by key; a collection is replaced whole (``into[name] = (source, value)``)."""
    sections = type_hints(Settings)
    for section, values in layer.items():
        if section not in sections:
            raise SettingsError(str(section), f"unknown section (expected one of {', '.join(sections)})")
        if not is_section(sections[section]):
            into[section] = (source, values)
            continue
        if not isinstance(values, Mapping):
            raise SettingsError(str(section), "must be a mapping")
        known = {f.name for f in dataclasses.fields(sections[section])}
        for key, value in values.items():
            if key not in known:
                raise SettingsError(f"{section}.{key}", "unknown setting")
            into.setdefault(section, {})[key] = (source, value)


def _build(raw: Mapping[str, Any]) -> Settings:
    sections: dict[str, Any] = {}
    top = {f.name: f for f in dataclasses.fields(Settings)}
    for section, section_cls in type_hints(Settings).items():
        if not is_section(section_cls):
            if section in raw:
                source, value = raw[section]
                sections[section] = coerce(section, section_cls, value, from_text=source == "env")
            else:
                sections[section] = default_of(top[section])
            continue
        hints = type_hints(section_cls)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(section_cls):
            key = f"{section}.{f.name}"
            if f.name in raw.get(section, {}):
                source, value = raw[section][f.name]
                values[f.name] = coerce(key, hints[f.name], value, from_text=source == "env")
            else:
                values[f.name] = default_of(f)
            check = f.metadata.get("check")
            if check is not None and values[f.name] is not None and (problem := check(values[f.name])):
                raise SettingsError(key, problem)
        sections[section] = section_cls(**values)
    return Settings(**sections)


def _check_consistency(settings: Settings) -> None:
    if settings.upstream.url is None and not settings.upstream.dev:
        raise SettingsError("upstream.url", "is required (or use --dev for the development echo upstream)")
    if settings.server.workers > 1 and settings.server.port == 0:
        raise SettingsError("server.workers", "several workers need a fixed server.port (not 0)")
    admin = settings.admin
    if admin.token is None and not _is_loopback(admin.host):
        raise SettingsError("admin.host", f"{admin.host!r} is not loopback; set admin.token to expose it")
    try:
        classifier_configs(settings)
    except ClassifierConfigError as exc:
        key, _, problem = str(exc).partition(": ")
        raise SettingsError(key, problem) from None
    try:
        check_routing(settings.upstreams, settings.policy_sets, settings.tenants, settings.routes)
    except ConfigProblem as exc:
        raise SettingsError(exc.key, exc.problem) from None
    try:
        cache_config(settings)
    except ValueError as exc:
        key, _, problem = str(exc).partition(": ")
        raise SettingsError("redis.url" if key == "cache.redis_url" else key, problem) from None


def classifier_configs(settings: Settings) -> tuple[ClassifierConfig, ...]:
    return classifier_registry.from_mapping(settings.classifiers.backends, where="classifiers.backends")


def cache_config(settings: Settings) -> CacheConfig:
    return CacheConfig(redis_url=settings.redis.url, **dataclasses.asdict(settings.cache))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
