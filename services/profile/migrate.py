"""Apply the ordered SQL migrations in ``migrations/`` once each, under an advisory lock.

Two ``careerpath migrate`` runs at once are safe: the second waits for the lock, then finds nothing to do.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from pathlib import Path

import asyncpg

__all__ = ["MIGRATIONS_DIR", "apply_migrations", "list_migrations", "main"]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
LOCK_ID = 0x636172656572  # "career"
log = logging.getLogger("careerpath.migrate")


def list_migrations(directory: Path = MIGRATIONS_DIR) -> list[tuple[int, str, str]]:
    """(number, name, sql) for every ``NNN_name.sql``, in order; numbers must be unique."""
    found: list[tuple[int, str, str]] = []
    for path in sorted(directory.glob("*.sql")):
        match = re.fullmatch(r"(\d{3})_([a-z0-9_]+)\.sql", path.name)
        if not match:
            raise ValueError(f"migration file name {path.name!r} is not NNN_name.sql")
        found.append((int(match.group(1)), path.name, path.read_text()))
    numbers = [n for n, _, _ in found]
    if len(numbers) != len(set(numbers)):
        raise ValueError("two migrations share a number")
    return found


async def apply_migrations(dsn: str, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply what is not applied yet; return the names applied now."""
    conn = await asyncpg.connect(dsn, timeout=10)
    applied_now: list[str] = []
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", LOCK_ID)
        try:
            await conn.execute(
                """CREATE TABLE IF NOT EXISTS schema_migrations (
                       version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                       applied_at timestamptz NOT NULL DEFAULT now())"""
            )
            done = {
                r["version"]: r["checksum"]
                for r in await conn.fetch("SELECT version, checksum FROM schema_migrations")
            }
            for number, name, sql in list_migrations(directory):
                checksum = hashlib.sha256(sql.encode()).hexdigest()
                if number in done:
                    if done[number] != checksum:
                        raise RuntimeError(f"migration {name} changed after it was applied")
                    continue
                async with conn.transaction():
                    await conn.execute(sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        number,
                        name,
                        checksum,
                    )
                applied_now.append(name)
                log.info("applied migration %s", name)
            if await conn.fetchval(
                "SELECT 1 FROM information_schema.columns"
                " WHERE table_name = 'users' AND column_name = 'email_skeleton'"
            ):
                from services.profile.accounts.repository import backfill_email_skeletons

                async with conn.transaction():
                    if filled := await backfill_email_skeletons(conn):
                        log.info("computed the e-mail skeleton of %d existing accounts", filled)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", LOCK_ID)
    finally:
        await conn.close()
    return applied_now


def main(dsn: str) -> int:
    applied = asyncio.run(apply_migrations(dsn))
    print(f"migrations applied: {', '.join(applied) if applied else 'none (up to date)'}")
    return 0
