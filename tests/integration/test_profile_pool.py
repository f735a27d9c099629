"""The profile service's pool in real PostgreSQL: a connection given back without asyncpg's reset query
(services.profile.db.keep_session) keeps the settings it was made with and is never lent out inside a
transaction its last user left open."""

from __future__ import annotations

import asyncpg

from services.profile.db import keep_session


async def test_a_connection_given_back_is_clean_and_keeps_its_settings(module_db: str) -> None:
    pool = await asyncpg.create_pool(
        module_db, min_size=1, max_size=1, reset=keep_session, server_settings={"statement_timeout": "1234"}
    )
    try:
        async with pool.acquire() as conn:
            first = conn.get_server_pid()
            await conn.execute("BEGIN")  # left open, as a handler that raised might
            await conn.execute("CREATE TABLE pool_leak (x int)")
            assert conn.is_in_transaction()
        async with pool.acquire() as conn:
            assert conn.get_server_pid() == first  # the one connection, given back and lent again
            assert not conn.is_in_transaction()
            assert await conn.fetchval("SELECT to_regclass('pool_leak')") is None  # rolled back
            assert await conn.fetchval("SHOW statement_timeout") == "1234ms"
    finally:
        await pool.close()
