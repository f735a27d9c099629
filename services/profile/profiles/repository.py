"""Profiles and their assessment history in PostgreSQL (inline SQL, contract Structs out)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import Any

import asyncpg
import msgspec

from shared.contracts.profiles import Assessment, AssessmentList, Profile, ProfileWrite

__all__ = ["IdempotencyConflict", "ProfileRepository", "VersionMismatch"]

_COLUMNS = (
    "id::text AS id, display_name, skills, years_experience, target_role, version, created_at, updated_at"
)


class VersionMismatch(Exception):
    """The caller's If-Match names an older version than the stored one."""

    def __init__(self, current: int) -> None:
        super().__init__(current)
        self.current = current


class IdempotencyConflict(Exception):
    """An Idempotency-Key was reused with a different request body."""


def _profile(row: Mapping[str, Any]) -> Profile:
    """A stored row (an asyncpg Record or a dict of its columns) as the contract's Profile."""
    data = dict(row)
    data["skills"] = json.loads(data["skills"])
    return msgspec.convert(data, Profile)


def _rated(skills: dict[str, int]) -> dict[str, int]:
    return {skill: level for skill, level in skills.items() if level > 0}


def _hash(body: ProfileWrite, owner_id: str | None) -> str:
    return hashlib.sha256(msgspec.json.encode([body, owner_id])).hexdigest()


class ProfileRepository:
    """All SQL about profiles, on one connection (the caller owns the transaction)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def create(
        self, body: ProfileWrite, owner_id: str | None = None, idempotency_key: str | None = None
    ) -> tuple[Profile, bool]:
        """Insert a profile and its first assessment; return (profile, created)."""
        request_hash = _hash(body, owner_id) if idempotency_key else None
        if idempotency_key:
            existing = await self.conn.fetchrow(
                f"SELECT {_COLUMNS}, request_hash FROM profiles"
                " WHERE idempotency_key = $1 AND owner_id IS NOT DISTINCT FROM $2::uuid",
                idempotency_key,
                owner_id,
            )
            if existing is not None:
                if existing["request_hash"] != request_hash:
                    raise IdempotencyConflict
                found = dict(existing)
                found.pop("request_hash")
                return _profile(found), False
        skills = json.dumps(body.skills, sort_keys=True)
        row: asyncpg.Record | None
        try:
            # A savepoint: when a concurrent request with the same key commits first, PostgreSQL may
            # report it on the one-profile-per-owner index rather than the key's (whichever it checks
            # last); the request's own transaction survives to read the winner's row below.
            async with self.conn.transaction():
                row = await self.conn.fetchrow(
                    f"""INSERT INTO profiles (id, owner_id, display_name, skills, years_experience,
                                              target_role, idempotency_key, request_hash)
                        VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8)
                        ON CONFLICT (owner_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
                        RETURNING {_COLUMNS}""",
                    uuid.uuid4(),
                    uuid.UUID(owner_id) if owner_id else None,
                    body.display_name,
                    skills,
                    body.years_experience,
                    body.target_role,
                    idempotency_key,
                    request_hash,
                )
        except asyncpg.exceptions.UniqueViolationError:
            if not idempotency_key or not await self._has_key(idempotency_key, owner_id):
                raise  # the owner has a profile made without this key: a real conflict
            row = None
        if row is None:  # a concurrent request with the same key won the race
            return await self.create(body, owner_id, idempotency_key)
        await self._record_assessment(row["id"], 1, skills, body)
        return _profile(row), True

    async def _has_key(self, idempotency_key: str, owner_id: str | None) -> bool:
        return bool(
            await self.conn.fetchval(
                "SELECT 1 FROM profiles"
                " WHERE idempotency_key = $1 AND owner_id IS NOT DISTINCT FROM $2::uuid",
                idempotency_key,
                owner_id,
            )
        )

    async def _record_assessment(
        self, profile_id: str, version: int, skills: str, body: ProfileWrite
    ) -> None:
        await self.conn.execute(
            """INSERT INTO assessments (profile_id, version, skills, years_experience, target_role)
               VALUES ($1::uuid, $2, $3::jsonb, $4, $5)""",
            profile_id,
            version,
            skills,
            body.years_experience,
            body.target_role,
        )

    async def get(self, profile_id: str, owner_id: str | None = None) -> Profile | None:
        row = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM profiles"
            " WHERE id = $1::uuid AND ($2::uuid IS NULL OR owner_id = $2::uuid)",
            profile_id,
            owner_id,
        )
        return _profile(row) if row else None

    async def get_by_owner(self, owner_id: str) -> Profile | None:
        row = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM profiles WHERE owner_id = $1::uuid ORDER BY created_at LIMIT 1", owner_id
        )
        return _profile(row) if row else None

    async def update(
        self, profile_id: str, body: ProfileWrite, expected_version: int, owner_id: str | None = None
    ) -> Profile | None:
        """Replace the profile if ``expected_version`` is current; None when absent.

        Every accepted update bumps ``version`` (the ETag), whatever it changes, so ``If-Match`` guards
        concurrent edits as before. An assessment is recorded only when the skills or the years of
        experience differ from the current ones (a level of 0 counts as not rated): saving the same
        answers again, renaming or choosing another target role is not a new assessment, so the
        history's versions may skip numbers.
        """
        current = await self.conn.fetchrow(
            """SELECT version, skills, years_experience = $3::double precision AS same_years FROM profiles
               WHERE id = $1::uuid AND ($2::uuid IS NULL OR owner_id = $2::uuid) FOR UPDATE""",
            profile_id,
            owner_id,
            body.years_experience,
        )
        if current is None:
            return None
        if current["version"] != expected_version:
            raise VersionMismatch(current["version"])
        reassessed = not current["same_years"] or _rated(json.loads(current["skills"])) != _rated(body.skills)
        skills = json.dumps(body.skills, sort_keys=True)
        row = await self.conn.fetchrow(
            f"""UPDATE profiles SET display_name = $2, skills = $3::jsonb, years_experience = $4,
                       target_role = $5, version = version + 1, updated_at = now()
                WHERE id = $1::uuid RETURNING {_COLUMNS}""",
            profile_id,
            body.display_name,
            skills,
            body.years_experience,
            body.target_role,
        )
        assert row is not None
        if reassessed:
            await self._record_assessment(profile_id, row["version"], skills, body)
        return _profile(row)

    async def delete(
        self, profile_id: str, expected_version: int | None, owner_id: str | None = None
    ) -> bool:
        current = await self.conn.fetchval(
            """SELECT version FROM profiles WHERE id = $1::uuid AND ($2::uuid IS NULL OR owner_id = $2::uuid)
               FOR UPDATE""",
            profile_id,
            owner_id,
        )
        if current is None:
            return False
        if expected_version is not None and current != expected_version:
            raise VersionMismatch(current)
        await self.conn.execute("DELETE FROM profiles WHERE id = $1::uuid", profile_id)
        return True

    async def history(
        self, profile_id: str, limit: int, owner_id: str | None = None, before: int | None = None
    ) -> list[Assessment] | None:
        """Up to ``limit`` assessments, newest first (older than version ``before`` if given)."""
        page = await self.history_page(profile_id, limit, owner_id, before)
        return None if page is None else page.assessments

    async def history_page(
        self, profile_id: str, limit: int, owner_id: str | None = None, before: int | None = None
    ) -> AssessmentList | None:
        """A page of the history, newest first, and the cursor (``next_before``, ``next_cursor``) of the next.

        Keyset paging on the primary key (profile_id, version): a page costs the same however deep it
        is, and an assessment saved meanwhile (a higher version) never shifts the pages already read.
        """
        exists = await self.conn.fetchval(
            "SELECT 1 FROM profiles WHERE id = $1::uuid AND ($2::uuid IS NULL OR owner_id = $2::uuid)",
            profile_id,
            owner_id,
        )
        if not exists:
            return None
        rows = await self.conn.fetch(
            """SELECT version, skills, years_experience, target_role, created_at FROM assessments
               WHERE profile_id = $1::uuid AND ($3::integer IS NULL OR version < $3::integer)
               ORDER BY version DESC LIMIT $2""",
            profile_id,
            limit + 1,
            before,
        )
        out: list[Assessment] = []
        for row in rows[:limit]:
            data: dict[str, Any] = dict(row)
            data["skills"] = json.loads(data["skills"])
            out.append(msgspec.convert(data, Assessment))
        next_before = out[-1].version if len(rows) > limit else None
        next_cursor = None if next_before is None else str(next_before)
        return AssessmentList(
            profile_id=profile_id, assessments=out, next_before=next_before, next_cursor=next_cursor
        )
