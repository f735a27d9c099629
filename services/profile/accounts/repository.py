"""Users, partner API keys and the audit log in PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from services.profile.accounts.passwords import HASHER
from shared.contracts.accounts import (
    ApiKey,
    ApiKeyCreate,
    ApiKeyIssued,
    AuditEntry,
    AuditEvent,
    User,
)
from shared.contracts.partner import KeyRotation, RotatedKey
from shared.text import checked_email, email_skeleton

__all__ = [
    "AccountRepository",
    "DUMMY_HASH",
    "EmailLooksAlike",
    "EmailTaken",
    "KEY_PREFIX",
    "KeyAlreadyRotated",
    "KeyNotValid",
    "LoginRow",
    "PredecessorInGrace",
    "backfill_email_skeletons",
    "hash_key",
]

KEY_PREFIX = "cpk_"
DUMMY_HASH = HASHER.hash("careerpath-dummy-password")  # checked for unknown addresses: the same work
_USER = "id::text AS id, email, role, created_at"
_KEY = (
    "id::text AS id, name, prefix, scopes, created_at, expires_at, revoked_at, last_used_at, usage_count,"
    " coalesce(family_id, id)::text AS family_id, replaces::text AS replaces,"
    " replaced_by::text AS replaced_by, retires_at"
)
# a key that works: not revoked, not expired, not past the end of its rotation's grace period
_VALID = (
    "revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())"
    " AND (retires_at IS NULL OR retires_at > now())"
)


def hash_key(key: str) -> str:
    """API keys are 256-bit random secrets, so a plain SHA-256 is a safe stored form."""
    return hashlib.sha256(key.encode()).hexdigest()


class EmailTaken(Exception):
    pass


class KeyNotValid(Exception):
    """The key is unknown, revoked, expired or past its grace period."""


class KeyAlreadyRotated(Exception):
    """The key already has its one successor."""

    def __init__(self, successor: str, retires_at: datetime | None) -> None:
        super().__init__(successor)
        self.successor = successor
        self.retires_at = retires_at


class PredecessorInGrace(Exception):
    """The key's predecessor still works: rotate again when its grace period ends."""

    def __init__(self, predecessor: str, retires_at: datetime) -> None:
        super().__init__(predecessor)
        self.predecessor = predecessor
        self.retires_at = retires_at


class EmailLooksAlike(Exception):
    """Another account's address has the same skeleton (looks the same, is not the same)."""


class LoginRow(msgspec.Struct, kw_only=True, frozen=True):
    user: User
    password_hash: str


async def backfill_email_skeletons(conn: asyncpg.Connection) -> int:
    """Compute the skeleton of every address that has none yet (rows from before migration 006)."""
    rows = await conn.fetch("SELECT id, email FROM users WHERE email_skeleton IS NULL")
    for row in rows:
        await conn.execute(
            "UPDATE users SET email_skeleton = $2 WHERE id = $1", row["id"], email_skeleton(row["email"])
        )
    return len(rows)


class AccountRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def _refuse_look_alike(self, email: str) -> str:
        """The address's skeleton, after refusing one that only looks like another account's.

        A transaction-scoped advisory lock on the skeleton makes two sign-ups of look-alike addresses
        at the same moment take turns, so the second sees the first."""
        key = email_skeleton(email)
        await self.conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key)
        other = await self.conn.fetchval(
            "SELECT 1 FROM users WHERE email_skeleton = $1 AND lower(email) <> lower($2) LIMIT 1", key, email
        )
        if other:
            raise EmailLooksAlike
        return key

    async def create_user(self, email: str, password_hash: str, role: str = "user") -> User:
        """``email`` already normalised and checked (:func:`shared.text.checked_email`)."""
        key = await self._refuse_look_alike(email)
        try:
            row = await self.conn.fetchrow(
                f"""INSERT INTO users (email, password_hash, role, email_skeleton) VALUES ($1, $2, $3, $4)
                    RETURNING {_USER}""",
                email,
                password_hash,
                role,
                key,
            )
        except asyncpg.exceptions.UniqueViolationError:
            raise EmailTaken from None
        return msgspec.convert(dict(row), User)

    async def set_admin(self, email: str, password: str) -> User:
        """Create the admin, or make an existing user admin with this password (``create-admin``; the
        command line hashes on its own thread: there is no event loop serving others to stall)."""
        email = checked_email(email)
        password_hash = HASHER.hash(password)
        key = await self._refuse_look_alike(email)
        row = await self.conn.fetchrow(
            f"""INSERT INTO users (email, password_hash, role, email_skeleton) VALUES ($1, $2, 'admin', $3)
                ON CONFLICT (lower(email))
                DO UPDATE SET role = 'admin', password_hash = EXCLUDED.password_hash
                RETURNING {_USER}""",
            email,
            password_hash,
            key,
        )
        return msgspec.convert(dict(row), User)

    async def login_row(self, email: str, as_typed: str) -> LoginRow | None:
        """The account for a normalised address; an account stored before normalisation (``Straße``,
        kept as typed) is still found by the address as typed."""
        row = await self.conn.fetchrow(
            f"""SELECT {_USER}, password_hash FROM users WHERE lower(email) IN (lower($1), lower($2))
                ORDER BY lower(email) = lower($1) DESC LIMIT 1""",
            email,
            as_typed.strip(),
        )
        if row is None:
            return None
        data = dict(row)
        return LoginRow(password_hash=data.pop("password_hash"), user=msgspec.convert(data, User))

    async def record_login(self, user_id: str, new_hash: str | None) -> None:
        """Note the log-in; store ``new_hash`` when the stored one used older parameters."""
        await self.conn.execute(
            "UPDATE users SET last_login_at = now(), password_hash = coalesce($2, password_hash)"
            " WHERE id = $1::uuid",
            user_id,
            new_hash,
        )

    async def get_user(self, user_id: str) -> User | None:
        row = await self.conn.fetchrow(f"SELECT {_USER} FROM users WHERE id = $1::uuid", user_id)
        return msgspec.convert(dict(row), User) if row else None

    async def delete_user(self, user_id: str) -> bool:
        status: str = await self.conn.execute("DELETE FROM users WHERE id = $1::uuid", user_id)
        return status == "DELETE 1"

    async def issue_key(self, body: ApiKeyCreate, created_by: str | None) -> ApiKeyIssued:
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        row = await self.conn.fetchrow(
            f"""INSERT INTO api_keys (name, prefix, key_hash, scopes, created_by, expires_at)
                VALUES ($1, $2, $3, $4, $5::uuid, $6) RETURNING {_KEY}""",
            body.name,
            secret[:12],
            hash_key(secret),
            list(dict.fromkeys(body.scopes)),
            created_by,
            body.expires_at,
        )
        return ApiKeyIssued(key=secret, api_key=msgspec.convert(dict(row), ApiKey))

    async def list_keys(self, limit: int, offset: int) -> list[ApiKey]:
        rows = await self.conn.fetch(
            f"SELECT {_KEY} FROM api_keys ORDER BY created_at DESC LIMIT $1 OFFSET $2", limit, offset
        )
        return [msgspec.convert(dict(r), ApiKey) for r in rows]

    async def revoke_key(self, key_id: str) -> ApiKey | None:
        row = await self.conn.fetchrow(
            f"""UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1::uuid
                RETURNING {_KEY}, key_hash""",
            key_id,
        )
        if row is None:
            return None
        data = dict(row)
        data.pop("key_hash")
        return msgspec.convert(data, ApiKey)

    async def key_hash_of(self, key_id: str) -> str | None:
        key_hash: str | None = await self.conn.fetchval(
            "SELECT key_hash FROM api_keys WHERE id = $1::uuid", key_id
        )
        return key_hash

    async def check_key(self, key: str) -> ApiKey | None:
        """The key when it is valid (not revoked, not expired)."""
        row = await self.conn.fetchrow(
            f"SELECT {_KEY} FROM api_keys WHERE key_hash = $1 AND {_VALID}",
            hash_key(key),
        )
        return msgspec.convert(dict(row), ApiKey) if row else None

    async def get_key(self, key_id: str) -> ApiKey | None:
        row = await self.conn.fetchrow(f"SELECT {_KEY} FROM api_keys WHERE id = $1::uuid", key_id)
        return msgspec.convert(dict(row), ApiKey) if row else None

    async def rotate_key(self, key_id: str, grace_seconds: int) -> RotatedKey:
        """Issue the one successor of a valid key (same name, scopes, owner and end date) and retire the
        key ``grace_seconds`` from now (or at its own end date, if sooner).

        The key's row is locked first, so of two rotations at once the second waits and then finds the
        successor (:class:`KeyAlreadyRotated`); a unique index on ``replaces`` backs that up. A key whose
        own predecessor still works cannot be rotated (:class:`PredecessorInGrace`): a partner never has
        more than two working keys. Runs inside the caller's transaction."""
        row = await self.conn.fetchrow(
            f"""SELECT id, name, scopes, created_by, expires_at, replaced_by::text AS replaced_by,
                       retires_at, replaces, coalesce(family_id, id) AS family, key_hash, {_VALID} AS valid
                FROM api_keys WHERE id = $1::uuid FOR UPDATE""",
            key_id,
        )
        if row is None or not row["valid"]:
            raise KeyNotValid
        if row["replaced_by"] is not None:
            raise KeyAlreadyRotated(row["replaced_by"], row["retires_at"])
        if row["replaces"] is not None:
            before = await self.conn.fetchrow(
                f"SELECT id::text AS id, retires_at FROM api_keys WHERE id = $1 AND {_VALID}",
                row["replaces"],
            )
            if before is not None and before["retires_at"] is not None:
                raise PredecessorInGrace(before["id"], before["retires_at"])
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        new = await self.conn.fetchrow(
            f"""INSERT INTO api_keys
                    (name, prefix, key_hash, scopes, created_by, expires_at, family_id, replaces)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {_KEY}""",
            row["name"],
            secret[:12],
            hash_key(secret),
            row["scopes"],
            row["created_by"],
            row["expires_at"],
            row["family"],
            row["id"],
        )
        old = await self.conn.fetchrow(
            f"""UPDATE api_keys SET replaced_by = $2::uuid, rotated_at = now(), family_id = $3,
                       retires_at = least(now() + make_interval(secs => $4), expires_at)
                WHERE id = $1 RETURNING {_KEY}""",
            row["id"],
            new["id"],
            row["family"],
            float(grace_seconds),
        )
        rotation = KeyRotation(
            key=secret,
            api_key=msgspec.convert(dict(new), ApiKey),
            previous=msgspec.convert(dict(old), ApiKey),
        )
        return RotatedKey(rotation=rotation, previous_key_hash=row["key_hash"])

    async def add_usage(self, counts: dict[str, int]) -> None:
        """Fold usage counted elsewhere (the gateway counts in Redis) into the keys' rows."""
        for key_id, uses in counts.items():
            await self.conn.execute(
                "UPDATE api_keys SET usage_count = usage_count + $2, last_used_at = now()"
                " WHERE id = $1::uuid",
                key_id,
                uses,
            )

    async def audit(self, event: AuditEvent) -> None:
        await self.conn.execute(
            "INSERT INTO audit_log (actor, action, target, ip, detail) VALUES ($1, $2, $3, $4, $5::jsonb)",
            event.actor,
            event.action,
            event.target,
            event.ip,
            json.dumps(event.detail),
        )

    async def audit_log(self, limit: int, offset: int, action: str | None) -> list[AuditEntry]:
        rows = await self.conn.fetch(
            """SELECT id, at, actor, action, target, ip, detail FROM audit_log
               WHERE ($3::text IS NULL OR action = $3) ORDER BY id DESC LIMIT $1 OFFSET $2""",
            limit,
            offset,
            action,
        )
        out = []
        for row in rows:
            data: dict[str, Any] = dict(row)
            data["detail"] = json.loads(data["detail"])
            out.append(msgspec.convert(data, AuditEntry))
        return out
