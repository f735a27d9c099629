"""Server-side sessions in Redis. The cookie holds a random id; Redis holds who it is and its CSRF token."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Literal

import msgspec
import redis.asyncio as aioredis

__all__ = ["SESSION_COOKIE", "CSRF_COOKIE", "CSRF_HEADER", "Session", "SessionStore"]

SESSION_COOKIE = "cp_session"
CSRF_COOKIE = "cp_csrf"
CSRF_HEADER = "x-csrf-token"
Role = Literal["user", "admin"]


class Session(msgspec.Struct, kw_only=True, frozen=True):
    user_id: str
    email: str
    role: Role
    csrf: str


_decoder = msgspec.json.Decoder(Session)
# Every session of a user and the user's index, in one step: a session made while they are ended is either
# ended with them or (made after) indexed anew, never left out of both.
_END_ALL = """
local digests = redis.call('SMEMBERS', KEYS[1])
for _, digest in ipairs(digests) do redis.call('DEL', ARGV[1] .. digest) end
redis.call('DEL', KEYS[1])
return #digests
"""


class SessionStore:
    def __init__(self, client: aioredis.Redis, prefix: str, ttl_seconds: int, secret: str) -> None:
        self.secret = secret.encode()
        self.client = client
        self.prefix = prefix
        self.ttl = ttl_seconds
        self._end_all = client.register_script(_END_ALL)

    def _digest(self, session_id: str) -> str:
        """Redis holds a keyed hash of the session id, never the id itself (the cookie is the only copy)."""
        return hmac.new(self.secret, session_id.encode(), hashlib.sha256).hexdigest()

    def _key(self, session_id: str) -> str:
        return f"{self.prefix}session:{self._digest(session_id)}"

    def _user_key(self, user_id: str) -> str:
        return f"{self.prefix}user-sessions:{user_id}"

    async def create(self, user_id: str, email: str, role: Role) -> tuple[str, Session]:
        session_id = secrets.token_urlsafe(32)
        session = Session(user_id=user_id, email=email, role=role, csrf=secrets.token_urlsafe(24))
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.set(self._key(session_id), msgspec.json.encode(session), ex=self.ttl)
            pipe.sadd(self._user_key(user_id), self._digest(session_id))
            pipe.expire(self._user_key(user_id), self.ttl)
            await pipe.execute()
        return session_id, session

    @staticmethod
    def plausible(session_id: str) -> bool:
        """Whether ``session_id`` could name a session (an empty or overlong one is not looked up)."""
        return bool(session_id) and len(session_id) <= 128

    def key(self, session_id: str) -> str:
        """The Redis key of a session (the authentication middleware reads it in its own script)."""
        return self._key(session_id)

    @staticmethod
    def decode(raw: bytes | str) -> Session:
        """A session as stored."""
        return _decoder.decode(raw)

    async def get(self, session_id: str) -> Session | None:
        if not self.plausible(session_id):
            return None
        raw = await self.client.get(self._key(session_id))
        return self.decode(raw) if raw else None

    async def delete(self, session_id: str) -> None:
        await self.client.delete(self._key(session_id))

    async def delete_user(self, user_id: str) -> int:
        """End every session of a user (account deleted, password reset): how many there were."""
        ended = await self._end_all(keys=[self._user_key(user_id)], args=[f"{self.prefix}session:"])
        return int(ended)
