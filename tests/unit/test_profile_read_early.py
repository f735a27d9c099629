"""services/profile/profiles/routes.py: the profile read answered from its ``before_request`` hook gives
what the handler gave through Litestar's parameters, byte for byte: the same row read, the same status,
headers and body, the same refusals of a malformed owner header (random and odd headers and ids)."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID, uuid4

import pytest
from litestar import Controller, Litestar, Response, get
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, HeaderParameter
from litestar.testing import TestClient

from services.profile.deps import DatabaseDep
from services.profile.profiles.repository import ProfileRepository
from services.profile.profiles.routes import OWNER_HEADER, ProfileController
from shared.web.errors import exception_handlers


class FakeConnection:
    def __init__(self, rows: dict[str, dict[str, Any]], seen: list[tuple[Any, ...]]) -> None:
        self.rows, self.seen = rows, seen

    async def fetchrow(self, sql: str, profile_id: str, owner_id: str | None) -> dict[str, Any] | None:
        self.seen.append((sql, profile_id, owner_id))
        row = self.rows.get(profile_id)
        if row is None or (owner_id is not None and row["owner_id"] != owner_id):
            return None
        return {k: v for k, v in row.items() if k != "owner_id"}


class FakeDatabase:
    def __init__(self, rows: dict[str, dict[str, Any]]) -> None:
        self.rows = rows
        self.seen: list[tuple[Any, ...]] = []

    @asynccontextmanager
    async def read(self) -> AsyncIterator[FakeConnection]:
        yield FakeConnection(self.rows, self.seen)


class Former(Controller):
    """The read as it was: every parameter through Litestar, the same repository call, Litestar's Response."""

    path = "/profilex"  # as long as /profiles: the same content-length for an error naming its path

    @get("/{profile_id:uuid}")
    async def read(
        self,
        database: DatabaseDep,
        profile_id: FromPath[UUID],
        owner_id: Annotated[
            str | None, HeaderParameter(name=OWNER_HEADER, required=False, pattern=r"^[0-9a-f-]{36}$")
        ] = None,
    ) -> Response[Any]:
        async with database.read() as conn:
            profile = await ProfileRepository(conn).get(str(profile_id), owner_id)
        if profile is None:
            raise NotFoundException(detail="profile not found")
        return Response(profile, status_code=200, headers={"ETag": f'"{profile.version}"'})


def _row(rng: random.Random, profile_id: str, owner: str) -> dict[str, Any]:
    created = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.uniform(0, 3e7))
    skills = {f"skill-{i}": rng.randint(1, 4) for i in range(rng.randint(0, 12))}
    return {
        "id": profile_id,
        "owner_id": owner,
        "display_name": rng.choice(["Ada", "Zoë", "名前", 'a " quote']),
        "skills": json.dumps(skills),
        "years_experience": rng.choice([0.0, 3.0, 2.5, rng.uniform(0, 60)]),
        "target_role": rng.choice([None, "backend-developer"]),
        "version": rng.randint(1, 10**6),
        "created_at": created,
        "updated_at": created + timedelta(microseconds=rng.randint(0, 10**9)),
    }


@pytest.mark.parametrize("seed", [1, 2])
def test_the_early_read_answers_as_the_handler_did(seed: int) -> None:
    rng = random.Random(seed)
    owners = [str(uuid4()) for _ in range(5)]
    rows = {}
    for _ in range(60):
        pid = str(uuid4())
        rows[pid] = _row(rng, pid, rng.choice(owners))
    database = FakeDatabase(rows)
    app = Litestar(
        [ProfileController, Former],
        dependencies={
            "database": Provide(lambda: database, sync_to_thread=False),
            "db": Provide(lambda: None, sync_to_thread=False),  # the writes' (not called here)
        },
        exception_handlers=exception_handlers(),
        logging_config=None,
        openapi_config=None,
    )
    odd_owners = [
        "",
        "not-an-owner",
        owners[0].upper(),
        owners[0] + "0",
        owners[0][:-1],
        "-" * 36,
        " " + owners[0][1:],
    ]
    statuses = set()
    with TestClient(app) as client:
        for _ in range(400):
            pid = rng.choice([*rows, str(uuid4())])
            pick = rng.random()
            headers: list[tuple[str, str]] = []
            if pick < 0.5:
                headers = [(OWNER_HEADER, rows.get(pid, {}).get("owner_id") or rng.choice(owners))]
            elif pick < 0.7:
                headers = [(OWNER_HEADER, rng.choice(owners))]
            elif pick < 0.85:
                headers = [(OWNER_HEADER, rng.choice(odd_owners))]
            elif pick < 0.9:
                headers = [(OWNER_HEADER, rng.choice(owners)), (OWNER_HEADER, rng.choice(odd_owners))]
            before = len(database.seen)
            now = client.get(f"/profiles/{pid}", headers=headers)
            now_seen = database.seen[before:]
            former = client.get(f"/profilex/{pid}", headers=headers)
            former_seen = database.seen[before + len(now_seen) :]
            assert now.status_code == former.status_code
            statuses.add(now.status_code)
            assert now.headers.multi_items() == former.headers.multi_items()
            assert now.content.replace(b'"/profiles/', b'"/profilex/') == former.content
            assert now_seen == former_seen
    assert {200, 400, 404} <= statuses
