"""Ending every session of a user (password reset, account deleted) in real Redis: all of theirs, no one
else's, and a session made afterwards is indexed anew."""

from __future__ import annotations

import secrets

import redis.asyncio as aioredis

from services.gateway.sessions import SessionStore


async def test_every_session_of_the_user_ends_and_no_one_elses(redis_server: str) -> None:
    client = aioredis.Redis.from_url(redis_server)
    store = SessionStore(client, f"cp-sessions-{secrets.token_hex(4)}:", 600, "s" * 32)
    try:
        theirs = [(await store.create("user-a", "a@example.com", "user"))[0] for _ in range(3)]
        other, _ = await store.create("user-b", "b@example.com", "user")
        assert all([await store.get(s) for s in theirs])

        assert await store.delete_user("user-a") == 3
        assert [await store.get(s) for s in theirs] == [None, None, None]
        assert await store.get(other) is not None
        assert await store.delete_user("user-a") == 0  # nothing left, no error

        again, _ = await store.create("user-a", "a@example.com", "user")  # signed in with the new password
        assert await store.get(again) is not None
        assert await store.delete_user("user-a") == 1
        assert await store.get(again) is None
    finally:
        await client.aclose()
