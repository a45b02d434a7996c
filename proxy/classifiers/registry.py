"""Config → classifier backends.

The config's ``classifiers:`` section names backends; ``builtin`` (the embedded model) is
always there. A policy names a backend, and may point the built-in one at its own model
file (``classifier: {backend: builtin, model: path/to/model.json.gz}``).

Secrets arrive already resolved (``api_key``); the settings module is the one place that
reads the environment.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from proxy.breaker import BreakerConfig, CircuitBreaker
from proxy.classifiers.azure_content_safety import AzureContentSafety
from proxy.classifiers.builtin import BuiltinClassifier
from proxy.classifiers.builtin_model import LinearModel, ModelFormatError, load_default_model, load_model
from proxy.classifiers.guard_model import GuardFormat, GuardModel
from proxy.classifiers.http_webhook import HttpWebhook
from proxy.classifiers.openai_moderation import OpenAIModeration
from proxy.classifiers.remote import CallLimits, RemoteCaller
from proxy.policy.classifier import Classifier

BUILTIN = "builtin"


class BackendType(enum.StrEnum):
    BUILTIN = "builtin"
    OPENAI_MODERATION = "openai-moderation"
    GUARD_MODEL = "guard-model"
    AZURE_CONTENT_SAFETY = "azure-content-safety"
    HTTP = "http"


class ClassifierConfigError(ValueError):
    """A ``classifiers:`` entry that cannot be used; the message names the key."""


@dataclass(frozen=True, slots=True)
class ClassifierConfig:
    name: str
    type: BackendType
    url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    model: str | None = None
    """Remote: the model the service should use. Builtin: a model file path."""
    timeout_ms: int = 2000
    max_concurrency: int = 16
    retries: int = 1
    max_chars: int | None = None
    categories: Mapping[str, str | None] = field(default_factory=dict)
    breaker: BreakerConfig = field(default_factory=BreakerConfig)
    format: GuardFormat | None = None
    logprobs: bool = True
    controversial_score: float = 0.5
    blocklists: tuple[str, ...] = ()
    api_version: str | None = None


_KEYS = frozenset(
    {
        "type", "url", "api_key", "model", "timeout_ms", "max_concurrency", "retries", "max_chars",
        "categories", "breaker", "format", "logprobs", "controversial_score", "blocklists", "api_version",
    }
)  # fmt: skip
_NEEDS_URL = frozenset(BackendType) - {BackendType.BUILTIN}


def from_mapping(
    section: Mapping[str, Any] | None, where: str = "classifiers"
) -> tuple[ClassifierConfig, ...]:
    """Parse the config's ``classifiers:`` section (a mapping of name → settings)."""
    if section is None:
        return ()
    if not isinstance(section, Mapping):
        raise ClassifierConfigError(f"{where}: must be a mapping of name to backend settings")
    return tuple(_one(str(name), raw, f"{where}.{name}") for name, raw in section.items())


def _one(name: str, raw: Any, where: str) -> ClassifierConfig:
    if not isinstance(raw, Mapping):
        raise ClassifierConfigError(f"{where}: must be a mapping")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ClassifierConfigError(f"{where}.{unknown[0]}: unknown key")
    try:
        backend = BackendType(raw.get("type", ""))
    except ValueError:
        choices = ", ".join(t.value for t in BackendType)
        raise ClassifierConfigError(f"{where}.type: must be one of {choices}") from None
    url = _opt_str(raw, "url", where)
    if backend in _NEEDS_URL and not url:
        raise ClassifierConfigError(f"{where}.url: required for type {backend.value}")
    output_format: GuardFormat | None = None
    if backend is BackendType.GUARD_MODEL:
        try:
            output_format = GuardFormat(raw.get("format", ""))
        except ValueError:
            raise ClassifierConfigError(f"{where}.format: must be llama-guard or qwen3guard") from None
        if not raw.get("model"):
            raise ClassifierConfigError(f"{where}.model: required for type guard-model")
    breaker_raw = raw.get("breaker", {})
    if not isinstance(breaker_raw, Mapping):
        raise ClassifierConfigError(f"{where}.breaker: must be a mapping")
    try:
        breaker = BreakerConfig(
            failure_threshold=_int(breaker_raw, "failure_threshold", 5, f"{where}.breaker"),
            reset_after_s=_number(breaker_raw, "reset_after_s", 30.0, f"{where}.breaker"),
        )
    except ValueError as exc:
        raise ClassifierConfigError(f"{where}.breaker: {exc}") from None
    blocklists = raw.get("blocklists", [])
    if not isinstance(blocklists, list) or not all(isinstance(b, str) for b in blocklists):
        raise ClassifierConfigError(f"{where}.blocklists: must be a list of names")
    controversial = _number(raw, "controversial_score", 0.5, where)
    if not 0.0 <= controversial <= 1.0:
        raise ClassifierConfigError(f"{where}.controversial_score: must be in [0, 1]")
    logprobs = raw.get("logprobs", True)
    if not isinstance(logprobs, bool):
        raise ClassifierConfigError(f"{where}.logprobs: must be true or false")
    max_chars = raw.get("max_chars")
    return ClassifierConfig(
        name=name,
        type=backend,
        url=url,
        api_key=_opt_str(raw, "api_key", where),
        model=_opt_str(raw, "model", where),
        timeout_ms=_int(raw, "timeout_ms", 2000, where),
        max_concurrency=_int(raw, "max_concurrency", 16, where),
        retries=_int(raw, "retries", 1, where, minimum=0),
        max_chars=None if max_chars is None else _int(raw, "max_chars", 0, where),
        categories=_categories(raw.get("categories", {}), f"{where}.categories"),
        breaker=breaker,
        format=output_format,
        logprobs=logprobs,
        controversial_score=controversial,
        blocklists=tuple(blocklists),
        api_version=_opt_str(raw, "api_version", where),
    )


def _opt_str(raw: Mapping[str, Any], key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ClassifierConfigError(f"{where}.{key}: must be a string")
    return value


def _int(raw: Mapping[str, Any], key: str, default: int, where: str, minimum: int = 1) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ClassifierConfigError(f"{where}.{key}: must be an integer ≥ {minimum}")
    return value


def _number(raw: Mapping[str, Any], key: str, default: float, where: str) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ClassifierConfigError(f"{where}.{key}: must be a number")
    return float(value)


def _categories(raw: Any, where: str) -> dict[str, str | None]:
    if not isinstance(raw, Mapping):
        raise ClassifierConfigError(f"{where}: must map provider categories to ours (or null to drop)")
    table: dict[str, str | None] = {}
    for key, value in raw.items():
        if value is not None and not isinstance(value, str):
            raise ClassifierConfigError(f"{where}.{key}: must be a category name or null")
        table[str(key)] = value
    return table


class ClassifierSet(Mapping[str, Classifier]):
    """The backends by name, plus built-in classifiers for policy-supplied model files."""

    def __init__(
        self,
        backends: Mapping[str, Classifier],
        executor: Executor | None,
        base_dir: Path | None,
        builtin_concurrency: int = 2,
    ) -> None:
        self._backends = dict(backends)
        self._executor = executor
        self._base_dir = base_dir
        self._builtin_concurrency = builtin_concurrency
        self._custom: dict[Path, BuiltinClassifier] = {}

    def __getitem__(self, name: str) -> Classifier:
        return self._backends[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._backends)

    def __len__(self) -> int:
        return len(self._backends)

    def resolve(self, backend: str, model: str | Path | None = None) -> Classifier:
        """The classifier a policy asks for; a ``model`` file is loaded once and kept."""
        if model is None:
            try:
                return self._backends[backend]
            except KeyError:
                known = ", ".join(sorted(self._backends))
                raise ClassifierConfigError(
                    f"unknown classifier backend {backend!r} (known: {known})"
                ) from None
        if backend != BUILTIN:
            raise ClassifierConfigError(f"only the {BUILTIN!r} backend takes a model file")
        path = Path(model)
        if not path.is_absolute() and self._base_dir is not None:
            path = self._base_dir / path
        path = path.resolve()
        if path not in self._custom:
            try:
                loaded = load_model(path)
            except (OSError, ModelFormatError) as exc:
                raise ClassifierConfigError(f"classifier model {str(model)!r}: {exc}") from None
            self._custom[path] = BuiltinClassifier(
                loaded, name=f"{BUILTIN}:{path.name}", executor=self._executor,
                max_concurrency=self._builtin_concurrency,
            )  # fmt: skip
        return self._custom[path]


def build_classifiers(
    configs: tuple[ClassifierConfig, ...],
    session: aiohttp.ClientSession,
    executor: Executor | None = None,
    *,
    base_dir: Path | None = None,
    clock: Callable[[], float] = time.monotonic,
    default_model: LinearModel | None = None,
) -> ClassifierSet:
    """Build every configured backend; ``builtin`` is added unless a config already names it.

    Built-in classifiers score long texts in ``executor``'s threads."""
    backends: dict[str, Classifier] = {}
    if all(config.name != BUILTIN for config in configs):
        model = default_model or load_default_model()
        backends[BUILTIN] = BuiltinClassifier(model, executor=executor)
    for config in configs:
        backends[config.name] = _build(config, session, executor, base_dir, clock, default_model)
    return ClassifierSet(backends, executor, base_dir)


def _build(
    config: ClassifierConfig,
    session: aiohttp.ClientSession,
    executor: Executor | None,
    base_dir: Path | None,
    clock: Callable[[], float],
    default_model: LinearModel | None,
) -> Classifier:
    if config.type is BackendType.BUILTIN:
        if config.model:
            path = Path(config.model)
            if not path.is_absolute() and base_dir is not None:
                path = base_dir / path
            try:
                model = load_model(path)
            except (OSError, ModelFormatError) as exc:
                raise ClassifierConfigError(f"classifiers.{config.name}.model: {exc}") from None
        else:
            model = default_model or load_default_model()
        return BuiltinClassifier(
            model, name=config.name, executor=executor, max_concurrency=config.max_concurrency
        )
    limits = CallLimits(config.timeout_ms / 1000, config.max_concurrency, config.retries)
    caller = RemoteCaller(config.name, session, limits, CircuitBreaker(config.breaker, clock))
    url = config.url or ""
    extra: dict[str, Any] = {} if config.max_chars is None else {"max_chars": config.max_chars}
    match config.type:
        case BackendType.OPENAI_MODERATION:
            return OpenAIModeration(
                config.name, caller, url, api_key=config.api_key, model=config.model,
                categories=config.categories, **extra,
            )  # fmt: skip
        case BackendType.GUARD_MODEL:
            return GuardModel(
                config.name, caller, url, model=config.model or "",
                output_format=config.format or GuardFormat.LLAMA_GUARD, api_key=config.api_key,
                categories=config.categories, logprobs=config.logprobs,
                controversial_score=config.controversial_score, **extra,
            )  # fmt: skip
        case BackendType.AZURE_CONTENT_SAFETY:
            if config.api_version:
                extra["api_version"] = config.api_version
            return AzureContentSafety(
                config.name, caller, url, api_key=config.api_key, categories=config.categories,
                blocklists=config.blocklists, **extra,
            )  # fmt: skip
        case BackendType.HTTP:
            return HttpWebhook(
                config.name, caller, url, api_key=config.api_key, categories=config.categories, **extra
            )
    raise AssertionError(config.type)
