"""Account contracts: users, partner API keys and the audit log (gateway <-> profile)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from shared.contracts.common import described

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

    email: Annotated[
        Email,
        described(
            (
                "The account's e-mail address (3-254 characters); compared NFKC-normalised and "
                "case-insensitively. Sign-up refuses one that looks like an existing account's "
                "(422)."
            ),
            "ada@example.com",
        ),
    ]
    password: Annotated[Password, described("The password, 10-256 characters.", "correct horse battery")]


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
    """A careerpath account: a developer (`user`) or an administrator (`admin`)."""

    id: Annotated[str, described("The account's id (a UUID).", "3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d")]
    email: Annotated[
        str, described("The account's e-mail address, NFKC-normalised and case-folded.", "ada@example.com")
    ]
    role: Annotated[Literal["user", "admin"], described("`user` (a developer) or `admin`.", "user")]
    created_at: Annotated[
        datetime, described("When the account was created (ISO 8601 date-time, UTC).", "2026-05-04T09:30:00Z")
    ]


class ApiKeyCreate(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """What an admin sends to issue a partner API key (the secret is answered once)."""

    name: Annotated[
        Annotated[str, msgspec.Meta(min_length=1, max_length=120, pattern=r"^[^\x00-\x1f\x7f-\x9f]+$")],
        described(
            "A name to tell the key apart, e.g. the partner's (1-120 characters, no control characters).",
            "Acme HR",
        ),
    ]
    scopes: Annotated[
        Annotated[list[Scope], msgspec.Meta(min_length=1, max_length=len(SCOPES))],
        described(
            (
                "What the key may do, one or both: `recommendations:write` (score candidates) "
                "and `market:read` (GET /api/v1/market)."
            ),
            ["recommendations:write"],
        ),
    ]
    expires_at: Annotated[
        Annotated[datetime, msgspec.Meta(tz=True)] | None,
        described(
            (
                "When the key stops working (ISO 8601 date-time with a time zone); absent or "
                "null: it does not expire."
            ),
            "2027-06-30T00:00:00Z",
        ),
    ] = None


class ApiKey(msgspec.Struct, kw_only=True, frozen=True):
    """A partner API key as listed (never its secret)."""

    id: Annotated[str, described("The key's id (a UUID).", "3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d")]
    name: Annotated[str, described("The name it was issued with.", "Acme HR")]
    prefix: Annotated[
        str,
        described(
            (
                "The secret's first 12 characters (`cpk_` and 8 more), to recognise the key "
                "without showing it."
            ),
            "cpk_3xQ9aLmZ",
        ),
    ]
    scopes: Annotated[
        list[str],
        described(
            "What the key may do: `recommendations:write`, `market:read`.",
            ["recommendations:write", "market:read"],
        ),
    ]
    created_at: Annotated[
        datetime, described("When it was issued (ISO 8601 date-time, UTC).", "2026-05-04T09:30:00Z")
    ]
    expires_at: Annotated[
        datetime | None,
        described(
            "When it stops working (ISO 8601 date-time, UTC); null: it does not expire.",
            "2027-06-30T00:00:00Z",
        ),
    ] = None
    revoked_at: Annotated[
        datetime | None,
        described(
            "When an admin revoked it (ISO 8601 date-time, UTC); null: not revoked. A "
            "revoked key is refused (401)."
        ),
    ] = None
    last_used_at: Annotated[
        datetime | None,
        described(
            (
                "When its uses were last counted into this record (ISO 8601 date-time, UTC); "
                "null: never used. It may lag the last request a little."
            ),
            "2026-05-04T09:30:00Z",
        ),
    ] = None
    usage_count: Annotated[
        int,
        described(
            (
                "Requests made with the key since it was issued (a count; it may lag the last "
                "requests a little)."
            ),
            1250,
        ),
    ] = 0
    # rotation (POST /api/v1/partner/keys/rotate): the partner the key belongs to (the first key of its
    # chain; rate limits and daily counts follow it), the key it replaced, the key that replaced it, and
    # when it stops working (the end of its grace period)
    family_id: Annotated[
        str | None,
        described(
            "The id of the first key of its rotation chain, which stands for the partner: "
            "rate limits and daily counts follow it. Null: the key's own `id`."
        ),
    ] = None
    replaces: Annotated[
        str | None,
        described("The id of the key this one replaced by rotation; null if it was issued, not rotated."),
    ] = None
    replaced_by: Annotated[
        str | None, described("The id of the key that replaced this one by rotation; null while not rotated.")
    ] = None
    retires_at: Annotated[
        datetime | None,
        described(
            "When a replaced key stops working: the end of its grace period (ISO 8601 "
            "date-time, UTC); null while not rotated."
        ),
    ] = None


class ApiKeyIssued(msgspec.Struct, kw_only=True, frozen=True):
    """A newly issued key: its secret (in this answer only, never again) and the key as listed."""

    key: Annotated[
        str,
        described(
            (
                "The secret: send it as `Authorization: Bearer <key>`. Shown only in this "
                "answer; careerpath keeps only a hash."
            ),
            "cpk_3xQ9aLmZ7vR2wK8pT4nY6bH1cF5dG0sJ9eU2iO7aQ3m",
        ),
    ]
    api_key: Annotated[ApiKey, described("The key as it is listed from now on.")]


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
    """One event of the audit log: who did what, to what, and from where."""

    id: Annotated[int, described("The entry's number (increasing: a later entry has a higher one).", 1042)]
    at: Annotated[datetime, described("When it happened (ISO 8601 date-time, UTC).", "2026-05-04T09:30:00Z")]
    actor: Annotated[
        str,
        described(
            "Who did it: an account's e-mail address, or an id where there is none.", "root@example.com"
        ),
    ]
    action: Annotated[
        str,
        described(
            (
                "What happened, e.g. `signup`, `login`, `login_failed`, `api_key_issued`, "
                "`api_key_revoked`, `api_key_rotated`, `market_refresh_requested`, "
                "`market_rollback`, `password_reset_requested` (`detail.account`: whether an account "
                "uses the address), `password_reset`, `password_reset_mail_failed` (`detail.reason`)."
            ),
            "api_key_issued",
        ),
    ]
    target: Annotated[
        str | None,
        described(
            "What it was done to (a key id, a run id, a version), or null.",
            "3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d",
        ),
    ]
    ip: Annotated[
        str | None, described("The client's address as the gateway saw it, or null.", "203.0.113.7")
    ]
    detail: Annotated[
        dict[str, str | int | float | bool | None],
        described(
            "More about the event by name, e.g. `reason` of a `login_failed`.",
            {"reason": "wrong email or password"},
        ),
    ]
