"""Partner key rotation in real PostgreSQL: one successor per key, whatever the races; the replaced key
works until the end of its grace period, never past its own expiry; revoked and expired keys cannot
rotate; a key whose predecessor still works cannot rotate."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from services.profile.accounts.repository import (
    AccountRepository,
    KeyAlreadyRotated,
    KeyNotValid,
    PredecessorInGrace,
)
from shared.contracts.accounts import ApiKeyCreate, ApiKeyIssued
from shared.contracts.partner import RotatedKey
from shared.text import checked_email

HASH = "$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$0000000000000000000000"
DAY = 86400


async def _issue(conn: asyncpg.Connection, expires_at: datetime | None = None) -> ApiKeyIssued:
    repo = AccountRepository(conn)
    admin = await repo.create_user(checked_email(f"admin-{secrets.token_hex(4)}@corp.example"), HASH)
    body = ApiKeyCreate(
        name="Acme HR", scopes=["recommendations:write", "market:read"], expires_at=expires_at
    )
    return await repo.issue_key(body, admin.id)


async def _rotate(conn: asyncpg.Connection, key_id: str, grace: int = DAY) -> RotatedKey:
    async with conn.transaction():
        return await AccountRepository(conn).rotate_key(key_id, grace)


async def test_the_successor_keeps_scopes_owner_and_end_date_and_the_old_key_works_in_grace(
    conn: asyncpg.Connection,
) -> None:
    ends = datetime.now(UTC) + timedelta(days=30)
    issued = await _issue(conn, ends)
    rotated = await _rotate(conn, issued.api_key.id)
    new, old = rotated.rotation.api_key, rotated.rotation.previous
    assert rotated.rotation.key.startswith("cpk_") and rotated.rotation.key != issued.key
    assert (new.name, new.scopes, new.expires_at) == (old.name, old.scopes, ends)
    assert new.replaces == old.id and old.replaced_by == new.id
    assert new.family_id == old.family_id == issued.api_key.id
    owners = await conn.fetch(
        "SELECT DISTINCT created_by FROM api_keys WHERE id = ANY($1::uuid[])", [new.id, old.id]
    )
    assert len(owners) == 1 and owners[0]["created_by"] is not None
    assert old.retires_at is not None and old.retires_at > datetime.now(UTC) + timedelta(hours=23)
    repo = AccountRepository(conn)
    still = await repo.check_key(issued.key)
    assert still is not None and still.replaced_by == new.id
    assert (await repo.check_key(rotated.rotation.key)) is not None
    stored = await conn.fetchval(
        "SELECT count(*) FROM api_keys WHERE key_hash = $1", rotated.previous_key_hash
    )
    assert stored == 1  # the hash the gateway forgets is the old key's


async def test_grace_never_outlasts_the_keys_own_expiry(conn: asyncpg.Connection) -> None:
    ends = datetime.now(UTC) + timedelta(hours=1)
    issued = await _issue(conn, ends)
    rotated = await _rotate(conn, issued.api_key.id, grace=DAY)
    assert rotated.rotation.previous.retires_at == ends


async def test_a_replay_with_the_old_key_is_refused_and_names_the_one_successor(
    conn: asyncpg.Connection,
) -> None:
    issued = await _issue(conn)
    first = await _rotate(conn, issued.api_key.id)
    with pytest.raises(KeyAlreadyRotated) as refused:
        await _rotate(conn, issued.api_key.id)
    assert refused.value.successor == first.rotation.api_key.id
    assert await conn.fetchval("SELECT count(*) FROM api_keys WHERE replaces = $1", issued.api_key.id) == 1


async def test_the_new_key_cannot_rotate_while_its_predecessor_is_in_grace_and_can_after(
    conn: asyncpg.Connection,
) -> None:
    issued = await _issue(conn)
    first = await _rotate(conn, issued.api_key.id)
    second_id = first.rotation.api_key.id
    with pytest.raises(PredecessorInGrace) as refused:
        await _rotate(conn, second_id)
    assert refused.value.predecessor == issued.api_key.id
    assert await conn.fetchval("SELECT count(*) FROM api_keys WHERE replaces = $1", second_id) == 0
    # the grace period ends (moved to the past, as time would): the old key stops, the new may rotate
    await conn.execute(
        "UPDATE api_keys SET retires_at = now() - interval '1 second' WHERE id = $1", issued.api_key.id
    )
    assert await AccountRepository(conn).check_key(issued.key) is None
    third = await _rotate(conn, second_id)
    assert third.rotation.api_key.family_id == issued.api_key.id
    assert third.rotation.api_key.replaces == second_id


async def test_a_zero_grace_stops_the_old_key_at_once(conn: asyncpg.Connection) -> None:
    issued = await _issue(conn)
    rotated = await _rotate(conn, issued.api_key.id, grace=0)
    repo = AccountRepository(conn)
    assert await repo.check_key(issued.key) is None
    assert await repo.check_key(rotated.rotation.key) is not None
    with pytest.raises(KeyNotValid):  # a retired key cannot rotate either
        await _rotate(conn, issued.api_key.id)


async def test_revoked_expired_and_unknown_keys_cannot_rotate(conn: asyncpg.Connection) -> None:
    repo = AccountRepository(conn)
    revoked = await _issue(conn)
    await repo.revoke_key(revoked.api_key.id)
    expired = await _issue(conn)
    await conn.execute(
        "UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", expired.api_key.id
    )
    for key_id in (revoked.api_key.id, expired.api_key.id, "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(KeyNotValid):
            await _rotate(conn, key_id)
    count = await conn.fetchval(
        "SELECT count(*) FROM api_keys WHERE replaces = ANY($1::uuid[])",
        [revoked.api_key.id, expired.api_key.id],
    )
    assert count == 0


async def test_concurrent_rotations_of_one_key_make_exactly_one_successor(
    conn: asyncpg.Connection, module_db: str
) -> None:
    issued = await _issue(conn)
    connections = [await asyncpg.connect(module_db) for _ in range(8)]
    start = asyncio.Event()

    async def rotate(connection: asyncpg.Connection) -> RotatedKey | Exception:
        await start.wait()
        try:
            return await _rotate(connection, issued.api_key.id)
        except (KeyAlreadyRotated, KeyNotValid, asyncpg.PostgresError) as exc:
            return exc

    try:
        tasks = [asyncio.create_task(rotate(c)) for c in connections]
        await asyncio.sleep(0)  # every task waits at the start line
        start.set()
        outcomes = await asyncio.gather(*tasks)
    finally:
        for connection in connections:
            await connection.close()
    won = [o for o in outcomes if isinstance(o, RotatedKey)]
    lost = [o for o in outcomes if not isinstance(o, RotatedKey)]
    assert len(won) == 1
    assert all(isinstance(o, KeyAlreadyRotated) for o in lost), lost
    assert {o.successor for o in lost if isinstance(o, KeyAlreadyRotated)} == {won[0].rotation.api_key.id}
    rows = await conn.fetch("SELECT id::text AS id FROM api_keys WHERE replaces = $1", issued.api_key.id)
    assert [r["id"] for r in rows] == [won[0].rotation.api_key.id]
