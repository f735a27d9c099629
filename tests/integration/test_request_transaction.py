"""The profile service's per-request transaction dependency, in real PostgreSQL: commit, rollback, release;
and bad input answered 400 naming the field while PostgreSQL is down (the connection is taken after the
request is validated)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import uuid4

import asyncpg
import pytest
from litestar import Litestar, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.testing import AsyncTestClient

from services.profile.app import create_app
from services.profile.db import DATABASE_ERROR_HANDLERS, Database, request_transaction
from services.profile.deps import DbDep
from services.profile.settings import ProfileSettings
from shared.web.errors import exception_handlers


def _app(url: str) -> Litestar:
    pools: list[asyncpg.Pool] = []

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        pools.append(await asyncpg.create_pool(url, min_size=1, max_size=1))  # one: a leak would block
        await pools[0].execute("CREATE TABLE IF NOT EXISTS marks (label text); TRUNCATE marks")
        try:
            yield
        finally:
            await pools[0].close()

    @post("/mark/{label:str}", status_code=204)
    async def mark(db: DbDep, label: FromPath[str]) -> None:
        conn = await db.connection()
        await conn.execute("INSERT INTO marks VALUES ($1)", label)
        if label.startswith("fail"):
            raise NotFoundException(detail="refused after writing")
        if label.startswith("stall"):
            await conn.execute("SET LOCAL statement_timeout = 50; SELECT pg_sleep(2)")
        assert await db.connection() is conn  # one connection, one transaction for the request

    return Litestar(
        [mark],
        lifespan=[lifespan],
        dependencies={"db": Provide(request_transaction(lambda: pools[0], 2.0))},
        exception_handlers={**exception_handlers(), **DATABASE_ERROR_HANDLERS},
    )


async def test_commits_on_success_and_rolls_back_on_an_exception(module_db: str) -> None:
    async with AsyncTestClient(_app(module_db)) as client:
        assert (await client.post("/mark/kept")).status_code == 204
        refused = await client.post("/mark/failed")
        assert refused.status_code == 404  # the handler's own answer, unchanged
        assert refused.json()["detail"] == "refused after writing"
        stalled = await client.post("/mark/stalled")
        assert stalled.status_code == 503  # a statement timeout inside the handler: as transaction() answers
        assert stalled.headers["retry-after"] == "1"
        # a pool of one: each request gave its connection back, or this one could not get it
        assert (await client.post("/mark/again")).status_code == 204
    conn = await asyncpg.connect(module_db)
    try:
        rows = await conn.fetch("SELECT label FROM marks ORDER BY label")
    finally:
        await conn.close()
    assert [r["label"] for r in rows] == ["again", "kept"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


TOKEN = "test-service-token-0123456789"
SOME_ID = str(uuid4())
PROFILE = {"display_name": "Ada", "skills": {"python": 3}}
KEY = {"name": "partner", "scopes": ["market:read"]}
CLAIM = {"worker": "w1", "lease_seconds": 30}
OWNER = {"x-owner-id": SOME_ID}
MATCH = {"if-match": '"1"'}


@pytest.mark.parametrize(
    ("method", "path", "good", "bad", "field"),
    [  # (headers, body) of a good request and of a bad one
        ("POST", "/profiles", ({}, PROFILE), ({}, {**PROFILE, "skills": {"python": 9}}), "skills.python"),
        ("POST", "/profiles", ({}, PROFILE), ({}, {**PROFILE, "display_name": " "}), "display_name"),
        ("POST", "/profiles", (OWNER, PROFILE), ({"x-owner-id": "not-a-uuid"}, PROFILE), "X-Owner-Id"),
        (
            "PUT",
            f"/profiles/{SOME_ID}",
            (MATCH, PROFILE),
            (MATCH, {**PROFILE, "years_experience": -1}),
            "years_experience",
        ),
        ("GET", f"/profiles/{SOME_ID}", (OWNER, None), ({"x-owner-id": "not-a-uuid"}, None), "X-Owner-Id"),
        ("POST", "/keys", ({}, KEY), ({}, {"name": "partner"}), "scopes"),
        (
            "POST",
            f"/market/runs/{SOME_ID}/claim",
            ({}, CLAIM),
            ({}, {**CLAIM, "lease_seconds": -5}),
            "lease_seconds",
        ),
    ],
)
async def test_bad_input_is_refused_naming_the_field_while_the_database_is_down(
    method: str,
    path: str,
    good: tuple[dict[str, str], object],
    bad: tuple[dict[str, str], object],
    field: str,
) -> None:
    settings = ProfileSettings(
        database_url=f"postgresql://postgres@127.0.0.1:{_closed_port()}/down",
        service_token=TOKEN,
        db_acquire_timeout=1.0,
    )
    async with AsyncTestClient(create_app(settings)) as client:
        headers, body = bad
        refused = await client.request(method, path, headers={"x-service-token": TOKEN, **headers}, json=body)
        assert refused.status_code == 400, refused.text
        assert field in [e["field"] for e in refused.json()["errors"]], refused.text
        # the same request with good input reaches the database, which is down: 503, retry later
        headers, body = good
        down = await client.request(method, path, headers={"x-service-token": TOKEN, **headers}, json=body)
        assert down.status_code == 503, down.text
        assert down.headers["retry-after"] == "1"


async def test_reads_run_without_a_transaction_and_writes_inside_one(module_db: str) -> None:
    pool = await asyncpg.create_pool(module_db, min_size=1, max_size=1)
    try:
        database = Database(lambda: pool, 2.0)
        async with database.read() as conn:  # no BEGIN/COMMIT round trips for a read
            assert not conn.is_in_transaction()
            assert await conn.fetchval("SELECT 1") == 1
        async with database.transaction() as conn:
            assert conn.is_in_transaction()
    finally:
        await pool.close()
