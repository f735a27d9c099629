"""Accounts in real PostgreSQL: look-alike addresses refused, skeletons filled in for old rows,
an address stored before normalisation still signs in."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from services.profile.accounts.repository import AccountRepository, EmailLooksAlike, EmailTaken
from services.profile.migrate import apply_migrations
from shared.text import BadText, checked_email

HASH = "$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$0000000000000000000000"


async def test_a_look_alike_of_an_existing_address_is_refused_and_not_stored(
    conn: asyncpg.Connection,
) -> None:
    repo = AccountRepository(conn)
    await repo.create_user(checked_email("boss@corp.example"), HASH)
    for copy in ("b0ss@corp.example", "BOSS@corp.example", "\uff42oss@corp.example"):
        email = checked_email(copy)
        with pytest.raises((EmailLooksAlike, EmailTaken)):
            async with conn.transaction():
                await AccountRepository(conn).create_user(email, HASH)
    # all-Cyrillic local part (one script: not "mixed"), same skeleton as a Latin one
    await repo.create_user(checked_email("coc@corp.example"), HASH)
    with pytest.raises(EmailLooksAlike):
        async with conn.transaction():
            await repo.create_user(checked_email("\u0441\u043e\u0441@corp.example"), HASH)
    stored = await conn.fetch("SELECT email FROM users WHERE email LIKE '%corp.example' ORDER BY email")
    assert [r["email"] for r in stored] == ["boss@corp.example", "coc@corp.example"]


async def test_concurrent_look_alike_sign_ups_keep_one(module_db: str) -> None:
    async def sign_up(address: str) -> str:
        connection = await asyncpg.connect(module_db)
        try:
            async with connection.transaction():
                await AccountRepository(connection).create_user(checked_email(address), HASH)
            return "created"
        except EmailLooksAlike:
            return "refused"
        finally:
            await connection.close()

    # Latin-only look-alikes (m / rn, 0 / o): four sign-ups at once, one account
    addresses = ("moon@x.example", "rnoon@x.example", "m00n@x.example", "rn0on@x.example")
    outcomes = await asyncio.gather(*(sign_up(a) for a in addresses))
    assert sorted(outcomes) == ["created", "refused", "refused", "refused"]


async def test_old_rows_get_their_skeleton_and_old_spellings_still_sign_in(
    module_db: str, conn: asyncpg.Connection
) -> None:
    # a row written before normalisation: mixed case and an eszett, no skeleton
    await conn.execute(
        "INSERT INTO users (email, password_hash) VALUES ('Stra\u00dfe@Old.example', $1)", HASH
    )
    await apply_migrations(module_db)  # fills in what is missing
    assert (
        await conn.fetchval("SELECT email_skeleton FROM users WHERE email = 'Stra\u00dfe@Old.example'")
        == "strasse@old.exarnple"
    )
    repo = AccountRepository(conn)
    typed = "Stra\u00dfe@Old.example"
    found = await repo.login_row(checked_email(typed), typed)
    assert found is not None and found.user.email == typed
    assert await repo.login_row(checked_email("nobody@old.example"), "nobody@old.example") is None
    # and its look-alikes are refused now
    with pytest.raises(EmailLooksAlike):
        async with conn.transaction():
            await repo.create_user(checked_email("strasse@o1d.example"), HASH)


async def test_create_admin_refuses_invisible_characters(conn: asyncpg.Connection) -> None:
    with pytest.raises(BadText):
        await AccountRepository(conn).set_admin("ro\u200bot@admin.example", "correct horse battery")
    assert await conn.fetchval("SELECT count(*) FROM users WHERE email LIKE '%admin.example'") == 0
