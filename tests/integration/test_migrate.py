"""Migrations against real PostgreSQL: idempotent and safe when two run at once."""

from __future__ import annotations

import asyncio
import secrets

import asyncpg

from services.profile.migrate import apply_migrations, list_migrations
from tests.conftest import _admin, _with_database


async def test_two_concurrent_migrations_apply_each_file_once(database_server: str) -> None:
    name = f"careerpath_mig_{secrets.token_hex(4)}"
    await _admin(database_server, f'CREATE DATABASE "{name}"')
    url = _with_database(database_server, name)
    try:
        first, second = await asyncio.gather(apply_migrations(url), apply_migrations(url))
        assert sorted(first + second) == sorted(n for _, n, _ in list_migrations())
        assert await apply_migrations(url) == []
        conn = await asyncpg.connect(url)
        try:
            assert await conn.fetchval("SELECT count(*) FROM schema_migrations") == len(list_migrations())
        finally:
            await conn.close()
    finally:
        await _admin(database_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
