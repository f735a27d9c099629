"""Fixtures the integration tests share: a fresh migrated database per test module, and a connection."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from tests.refresh_support import fresh_database


@pytest.fixture(scope="module")
def module_db(database_server: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A new migrated database for this test module alone, dropped after it."""
    label = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    url, drop = fresh_database(database_server, label)
    yield url
    drop()


@pytest.fixture
async def conn(module_db: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the module's database, closed after the test."""
    connection = await asyncpg.connect(module_db)
    try:
        yield connection
    finally:
        await connection.close()
