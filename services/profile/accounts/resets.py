"""Password-reset tokens in PostgreSQL: made, looked up and used once (only their SHA-256 is stored)."""

from __future__ import annotations

import hashlib
import secrets

import asyncpg

__all__ = ["ResetRepository", "hash_token", "new_token"]

TOKEN_BYTES = 32  # 256 random bits: 43 URL-safe characters


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """A token is 256 random bits, so a plain SHA-256 is a safe stored form (no salt or slow hash needed:
    nothing guessable to protect); the database never holds a token that works."""
    return hashlib.sha256(token.encode()).hexdigest()


class ResetRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def issue(self, user_id: str, ttl_seconds: int) -> str:
        """A new token for the user, replacing every older one (used or not); expired tokens of anyone
        are cleared on the way. Runs in the caller's transaction."""
        token = new_token()
        await self.conn.execute(
            "DELETE FROM password_resets WHERE user_id = $1::uuid OR expires_at < now() - interval '1 day'",
            user_id,
        )
        await self.conn.execute(
            """INSERT INTO password_resets (token_hash, user_id, expires_at)
               VALUES ($1, $2::uuid, now() + make_interval(secs => $3))""",
            hash_token(token),
            user_id,
            float(ttl_seconds),
        )
        return token

    async def holder(self, token: str) -> tuple[str, str] | None:
        """The (user id, e-mail) a token would reset, while it is unused and unexpired; nothing is changed."""
        row = await self.conn.fetchrow(
            """SELECT u.id::text AS id, u.email FROM password_resets r JOIN users u ON u.id = r.user_id
               WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now()""",
            hash_token(token),
        )
        return (row["id"], row["email"]) if row else None

    async def use(self, token: str, password_hash: str) -> str | None:
        """Spend the token and set the password: the user's id, or None when the token is unknown,
        expired or spent. Of two uses at once the second waits for the first's row lock, then finds
        ``used_at`` set: one wins. Runs in the caller's transaction."""
        user_id: str | None = await self.conn.fetchval(
            """UPDATE password_resets SET used_at = now()
               WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
               RETURNING user_id::text""",
            hash_token(token),
        )
        if user_id is None:
            return None
        await self.conn.execute(
            "UPDATE users SET password_hash = $2 WHERE id = $1::uuid", user_id, password_hash
        )
        await self.conn.execute(
            "DELETE FROM password_resets WHERE user_id = $1::uuid AND token_hash <> $2",
            user_id,
            hash_token(token),
        )
        return user_id
