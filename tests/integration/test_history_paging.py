"""History pages past 200 in real PostgreSQL: a cursor (``before`` / ``next_before``) walks it all."""

from __future__ import annotations

import asyncpg

from services.profile.profiles.repository import ProfileRepository
from shared.contracts.profiles import ProfileWrite

FIRST = ProfileWrite(display_name="Pager", skills={"python": 3}, years_experience=4.1)
MANY = 450


async def _with_history(conn: asyncpg.Connection, count: int) -> str:
    """A profile with ``count`` assessments (versions 1..count), the extra ones inserted directly."""
    profile, _ = await ProfileRepository(conn).create(FIRST)
    await conn.execute(
        """INSERT INTO assessments (profile_id, version, skills, years_experience)
           SELECT $1::uuid, v, jsonb_build_object('python', 1 + v % 4), v / 10.0
           FROM generate_series(2, $2::integer) AS v""",
        profile.id,
        count,
    )
    await conn.execute("UPDATE profiles SET version = $2 WHERE id = $1::uuid", profile.id, count)
    return profile.id


async def test_the_cursor_walks_past_200_newest_first(conn: asyncpg.Connection) -> None:
    repo = ProfileRepository(conn)
    profile_id = await _with_history(conn, MANY)
    seen: list[int] = []
    before: int | None = None
    pages = 0
    while True:
        page = await repo.history_page(profile_id, 200, before=before)
        assert page is not None
        seen += [a.version for a in page.assessments]
        pages += 1
        if page.next_before is None:
            break
        assert page.next_before == page.assessments[-1].version
        before = page.next_before
    assert pages == 3
    assert seen == list(range(MANY, 0, -1))
    oldest = (await repo.history(profile_id, 1, before=2) or [])[0]
    assert oldest.version == 1 and oldest.years_experience == 4.1  # double precision: as sent


async def test_a_page_that_ends_exactly_has_no_cursor(conn: asyncpg.Connection) -> None:
    repo = ProfileRepository(conn)
    profile_id = await _with_history(conn, 10)
    page = await repo.history_page(profile_id, 10)
    assert page is not None and len(page.assessments) == 10 and page.next_before is None
    page = await repo.history_page(profile_id, 4, before=5)
    assert page is not None and [a.version for a in page.assessments] == [4, 3, 2, 1]
    assert page.next_before is None
    assert await repo.history_page(profile_id, 5, owner_id="00000000-0000-0000-0000-000000000000") is None


async def test_old_real_years_read_back_as_sent_after_the_migration(conn: asyncpg.Connection) -> None:
    """Migration 005 converts real through numeric: 4.1 saved before reads 4.1 after, not 4.0999999."""
    converted = await conn.fetchval("SELECT 4.1::real::numeric::double precision")
    assert converted == 4.1
    assert await conn.fetchval("SELECT 4.1::real::double precision") != 4.1  # what a plain cast would give
