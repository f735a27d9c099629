"""Users, partner API keys and the audit log in PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

import asyncpg
import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared.contracts.accounts import (
    ApiKey,
    ApiKeyCreate,
    ApiKeyIssued,
    AuditEntry,
    AuditEvent,
    NewUser,
    User,
)

__all__ = ["AccountRepository", "KEY_PREFIX", "hash_key", "hasher"]

KEY_PREFIX = "cpk_"
hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_DUMMY_HASH = hasher.hash("careerpath-dummy-password")
_USER = "id::text AS id, email, role, created_at"
_KEY = "id::text AS id, name, prefix, scopes, created_at, expires_at, revoked_at, last_used_at, usage_count"


def hash_key(key: str) -> str:
    """API keys are 256-bit random secrets, so a plain SHA-256 is a safe stored form."""
    return hashlib.sha256(key.encode()).hexdigest()


class EmailTaken(Exception):
    pass


class AccountRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def create_user(self, new: NewUser) -> User:
        try:
            row = await self.conn.fetchrow(
                f"INSERT INTO users (email, password_hash, role) VALUES ($1, $2, $3) RETURNING {_USER}",
                new.email.strip(),
                hasher.hash(new.password),
                new.role,
            )
        except asyncpg.exceptions.UniqueViolationError:
            raise EmailTaken from None
        return msgspec.convert(dict(row), User)

    async def set_admin(self, email: str, password: str) -> User:
        """Create the admin, or make an existing user admin with this password (``create-admin``)."""
        row = await self.conn.fetchrow(
            f"""INSERT INTO users (email, password_hash, role) VALUES ($1, $2, 'admin')
                ON CONFLICT (lower(email))
                DO UPDATE SET role = 'admin', password_hash = EXCLUDED.password_hash
                RETURNING {_USER}""",
            email.strip(),
            hasher.hash(password),
        )
        return msgspec.convert(dict(row), User)

    async def authenticate(self, email: str, password: str) -> User | None:
        """The user when the password matches; the same work is done for an unknown email."""
        row = await self.conn.fetchrow(
            f"SELECT {_USER}, password_hash FROM users WHERE lower(email) = lower($1)", email.strip()
        )
        stored = row["password_hash"] if row else _DUMMY_HASH
        try:
            hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if hasher.check_needs_rehash(stored):
            await self.conn.execute(
                "UPDATE users SET password_hash = $2 WHERE id = $1::uuid", row["id"], hasher.hash(password)
            )
        await self.conn.execute("UPDATE users SET last_login_at = now() WHERE id = $1::uuid", row["id"])
        data = dict(row)
        data.pop("password_hash")
        return msgspec.convert(data, User)

    async def get_user(self, user_id: str) -> User | None:
        row = await self.conn.fetchrow(f"SELECT {_USER} FROM users WHERE id = $1::uuid", user_id)
        return msgspec.convert(dict(row), User) if row else None

    async def delete_user(self, user_id: str) -> bool:
        return await self.conn.execute("DELETE FROM users WHERE id = $1::uuid", user_id) == "DELETE 1"

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
        return await self.conn.fetchval("SELECT key_hash FROM api_keys WHERE id = $1::uuid", key_id)

    async def check_key(self, key: str) -> ApiKey | None:
        """The key when it is valid (not revoked, not expired)."""
        row = await self.conn.fetchrow(
            f"""SELECT {_KEY} FROM api_keys
                WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())""",
            hash_key(key),
        )
        return msgspec.convert(dict(row), ApiKey) if row else None

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
