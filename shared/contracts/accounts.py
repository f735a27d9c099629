"""Account contracts: users, partner API keys and the audit log (gateway <-> profile)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

__all__ = [
    "SCOPES",
    "ApiKey",
    "ApiKeyCreate",
    "ApiKeyIssued",
    "AuditEntry",
    "AuditEvent",
    "Credentials",
    "KeyCheck",
    "LoginAttempt",
    "NewUser",
    "RevokedKey",
    "User",
]

SCOPES = ("recommendations:write", "market:read")
Email = Annotated[
    str,
    msgspec.Meta(
        min_length=3,
        max_length=254,
        pattern=r"^[^@ \x00-\x1f\x7f-\x9f]+@[^@ \x00-\x1f\x7f-\x9f]+\.[^@ \x00-\x1f\x7f-\x9f]+$",
    ),
]
Password = Annotated[str, msgspec.Meta(min_length=10, max_length=256)]
Scope = Literal["recommendations:write", "market:read"]


class Credentials(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Sign-up and log-in body."""

    email: Email
    password: Password


class LoginAttempt(msgspec.Struct, kw_only=True, frozen=True):
    """Internal: check a password (gateway -> profile). With ``audit`` the profile service writes the
    ``login`` / ``login_failed`` event itself, in the same place as the check, so the event is kept even
    when the check is refused (hashing busy) or the gateway gives up waiting."""

    email: Email
    password: Password
    ip: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    audit: bool = False


class NewUser(msgspec.Struct, kw_only=True, frozen=True):
    """Internal: create a user (the role is set by the gateway or the create-admin command, never a body)."""

    email: Email
    password: Password
    role: Literal["user", "admin"] = "user"


class User(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    email: str
    role: Literal["user", "admin"]
    created_at: datetime


class ApiKeyCreate(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120, pattern=r"^[^\x00-\x1f\x7f-\x9f]+$")]
    scopes: Annotated[list[Scope], msgspec.Meta(min_length=1, max_length=len(SCOPES))]
    expires_at: Annotated[datetime, msgspec.Meta(tz=True)] | None = None


class ApiKey(msgspec.Struct, kw_only=True, frozen=True):
    """A key as listed: never its secret."""

    id: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    usage_count: int = 0
    # rotation (POST /api/v1/partner/keys/rotate): the partner the key belongs to (the first key of its
    # chain; rate limits and daily counts follow it), the key it replaced, the key that replaced it, and
    # when it stops working (the end of its grace period)
    family_id: str | None = None
    replaces: str | None = None
    replaced_by: str | None = None
    retires_at: datetime | None = None


class ApiKeyIssued(msgspec.Struct, kw_only=True, frozen=True):
    """The one answer that carries the secret."""

    key: str
    api_key: ApiKey


class RevokedKey(msgspec.Struct, kw_only=True, frozen=True):
    """A revoked key, with the hash under which the gateway may still cache it (to forget it at once)."""

    api_key: ApiKey
    key_hash: str | None = None


class KeyCheck(msgspec.Struct, kw_only=True, frozen=True):
    key: Annotated[str, msgspec.Meta(max_length=200)]


class AuditEvent(msgspec.Struct, kw_only=True, frozen=True):
    actor: Annotated[str, msgspec.Meta(max_length=300)]
    action: Annotated[str, msgspec.Meta(max_length=64)]
    target: Annotated[str, msgspec.Meta(max_length=300)] | None = None
    ip: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    detail: dict[str, str | int | float | bool | None] = {}


class AuditEntry(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    at: datetime
    actor: str
    action: str
    target: str | None
    ip: str | None
    detail: dict[str, str | int | float | bool | None]
