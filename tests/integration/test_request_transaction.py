"""The profile service's per-request transaction dependency, in real PostgreSQL: commit, rollback, release."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from litestar import Litestar, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.testing import AsyncTestClient

from services.profile.db import DATABASE_ERROR_HANDLERS, request_transaction
from services.profile.deps import DbDep
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
        await db.execute("INSERT INTO marks VALUES ($1)", label)
        if label.startswith("fail"):
            raise NotFoundException(detail="refused after writing")
        if label.startswith("stall"):
            await db.execute("SET LOCAL statement_timeout = 50; SELECT pg_sleep(2)")

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
