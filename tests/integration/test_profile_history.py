"""Assessment history in real PostgreSQL: a save adds an assessment only when skills or years change."""

from __future__ import annotations

import asyncpg
import pytest

from services.profile.profiles.repository import ProfileRepository, VersionMismatch
from shared.contracts.profiles import ProfileWrite

FIRST = ProfileWrite(display_name="Ada", skills={"python": 3, "sql": 2}, years_experience=2.3)


@pytest.fixture
def repo(conn: asyncpg.Connection) -> ProfileRepository:
    return ProfileRepository(conn)


def _with(body: ProfileWrite, **changes: object) -> ProfileWrite:
    return ProfileWrite(**{**{f: getattr(body, f) for f in body.__struct_fields__}, **changes})  # type: ignore[arg-type]


async def _versions(repo: ProfileRepository, profile_id: str) -> list[int]:
    history = await repo.history(profile_id, 50)
    assert history is not None
    return [a.version for a in history]


async def test_only_a_change_of_skills_or_years_is_a_new_assessment(repo: ProfileRepository) -> None:
    profile, _ = await repo.create(FIRST)
    # the same answers again (2.3 years, stored exactly as double precision), a new name, a target
    # role, a level of 0 for a skill not rated: the version (ETag) moves, the history does not
    same = await repo.update(profile.id, FIRST, 1)
    renamed = await repo.update(profile.id, _with(FIRST, display_name="Ada L."), 2)
    targeted = await repo.update(profile.id, _with(FIRST, target_role="devops-engineer"), 3)
    zero = await repo.update(profile.id, _with(FIRST, skills={**FIRST.skills, "go": 0}), 4)
    assert [p.version for p in (same, renamed, targeted, zero) if p] == [2, 3, 4, 5]
    assert targeted is not None and targeted.target_role == "devops-engineer"
    assert await _versions(repo, profile.id) == [1]

    # a stale version is still refused, changed or not
    with pytest.raises(VersionMismatch):
        await repo.update(profile.id, FIRST, 4)

    skill = await repo.update(profile.id, _with(FIRST, skills={"python": 4, "sql": 2}), 5)
    years = await repo.update(profile.id, _with(FIRST, skills={"python": 4, "sql": 2}, years_experience=3), 6)
    assert skill is not None and years is not None
    assert await _versions(repo, profile.id) == [7, 6, 1]
    latest = (await repo.history(profile.id, 1) or [])[0]
    assert latest.skills == {"python": 4, "sql": 2} and latest.years_experience == 3
