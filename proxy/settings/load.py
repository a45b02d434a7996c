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

import yaml

from proxy.classifiers import registry as classifier_registry
from proxy.classifiers.registry import ClassifierConfig, ClassifierConfigError
from proxy.settings.cache import CacheConfig
from proxy.settings.compliance import AuditSettings, LabelsSettings
from proxy.settings.limits import LimitsSettings
from proxy.settings.routes import ConfigProblem, Route, UpstreamTarget, check_routing
from proxy.settings.sections import (
    AdminSettings,
    CacheSettings,
    ClassifiersSettings,
    LoggingSettings,
    MetricsSettings,
    ModerationSettings,
    PoliciesSettings,
    RedisSettings,
    ServerSettings,
    StreamingSettings,
    UpstreamSettings,
)
from proxy.settings.tenants import Tenant
from proxy.settings.values import (
    SettingsError,
    coerce,
    default_of,
    is_section,
    meta,
    to_plain,
    type_hints,
    type_name,
)

__all__ = [
    "CONFIG_ENV",
    "SettingInfo",
    "Settings",
    "SettingsError",
    "cache_config",
    "classifier_configs",
    "describe",
    "env_name",
    "load_settings",
    "redacted_view",
]

ENV_PREFIX = "MODPROXY_"
CONFIG_ENV = "MODPROXY_CONFIG"


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
    limits: LimitsSettings = field(default_factory=LimitsSettings)
    audit: AuditSettings = field(default_factory=AuditSettings)
    labels: LabelsSettings = field(default_factory=LabelsSettings)
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
    serving: bool = True,
) -> Settings:
    """Build settings; ``overrides`` maps ``section.key`` to flag values (None means not given).

    ``serving=False`` (commands that only read some sections, like ``modproxy audit``) skips the
    checks of what serving needs (an upstream, routes...); every value is still checked."""
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
    if serving:
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
    if settings.server.workers != 1 and settings.server.port == 0:
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
    audit = settings.audit
    if "file" in audit.sinks and audit.file_path is None:
        raise SettingsError("audit.file_path", "is required when audit.sinks names file")
    if "redis" in audit.sinks and settings.redis.url is None:
        raise SettingsError("audit.sinks", "names redis, which needs redis.url")
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
