"""Settings read from environment variables and validated once at start-up.

Each service declares a frozen msgspec Struct; :func:`load_settings` maps every field ``name`` to the
environment variable ``CAREERPATH_NAME`` (``DATABASE_URL`` and ``REDIS_URL`` are read without the prefix,
as twelve-factor tooling expects) and converts the strings with ``msgspec.convert(strict=False)``.
A bad value raises :class:`SettingsError` naming the variable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Annotated, Literal, TypeVar

import msgspec
import msgspec.inspect

__all__ = [
    "Seconds",
    "DEFAULT_SECRET",
    "BaseSettings",
    "Port",
    "SettingsError",
    "env_name",
    "load_settings",
]

T = TypeVar("T", bound=msgspec.Struct)
PREFIX = "CAREERPATH_"
UNPREFIXED = frozenset({"database_url", "redis_url"})
DEFAULT_SECRET = "dev-insecure-change-me"
Port = Annotated[int, msgspec.Meta(ge=1, le=65535)]
Seconds = Annotated[float, msgspec.Meta(gt=0, le=600)]


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the environment variable."""


class BaseSettings(msgspec.Struct, kw_only=True, frozen=True):
    """Settings every service has."""

    env: Literal["dev", "test", "prod"] = "dev"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    host: str = "127.0.0.1"
    port: Port = 8000
    service_token: Annotated[str, msgspec.Meta(min_length=16)] = DEFAULT_SECRET
    redis_prefix: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9:_-]{1,64}$")] = "careerpath:"
    # request line + header fields of one request, in bytes: beyond it 431, before the parser buffers more
    max_header_bytes: Annotated[int, msgspec.Meta(ge=4096, le=1_048_576)] = 32_768

    @property
    def is_dev(self) -> bool:
        return self.env != "prod"


def env_name(field: str) -> str:
    """The environment variable that sets ``field``."""
    return field.upper() if field in UNPREFIXED else PREFIX + field.upper()


def _secret_fields(cls: type[msgspec.Struct]) -> list[str]:
    return [f for f in cls.__struct_fields__ if f.endswith(("_token", "_secret", "secret_key"))]


def load_settings(cls: type[T], environ: Mapping[str, str] | None = None, **overrides: object) -> T:
    """Build ``cls`` from the environment (plus ``overrides``), or raise :class:`SettingsError`."""
    environ = os.environ if environ is None else environ
    raw: dict[str, object] = {}
    info = msgspec.inspect.type_info(cls)
    for field in info.fields:  # type: ignore[attr-defined]
        value = environ.get(env_name(field.name))
        if value is not None and value != "":
            is_list = isinstance(field.type, (msgspec.inspect.VarTupleType, msgspec.inspect.ListType))
            raw[field.name] = [v.strip() for v in value.split(",") if v.strip()] if is_list else value
    raw.update(overrides)
    try:
        settings = msgspec.convert(raw, type=cls, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        match = re.search(r"at `\$\.(\w+)", message)
        name = env_name(match.group(1)) if match else "settings"
        raise SettingsError(f"{name}: {message.split(' - at ')[0]}") from None
    if getattr(settings, "env", "dev") == "prod":
        for field in _secret_fields(cls):
            if getattr(settings, field) == DEFAULT_SECRET:
                raise SettingsError(f"{env_name(field)}: the default secret is refused outside development")
    return settings
