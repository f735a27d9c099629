"""The asyncpg pool, with timeouts everywhere, and the mapping of database failures to HTTP answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from litestar.exceptions import HTTPException

from services.profile.settings import ProfileSettings

__all__ = ["create_pool", "transaction", "unavailable"]

# Failures that mean "the database is not there right now": answer 503 and let the client retry.
UNAVAILABLE = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.ConnectionFailureError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.QueryCanceledError,
    asyncpg.exceptions.LockNotAvailableError,
    # a connection cut mid-query (PostgreSQL restarting) can leave asyncpg's protocol state confused;
    # returning it to the pool then fails with this instead of a connection error
    asyncpg.exceptions.InternalClientError,
)


async def create_pool(settings: ProfileSettings) -> asyncpg.Pool:
    """A pool that opens connections lazily, so the service starts (not ready) while PostgreSQL is down."""
    return await asyncpg.create_pool(
        settings.database_url,
        min_size=settings.db_pool_min,
        max_size=settings.db_pool_max,
        command_timeout=settings.db_command_timeout,
        timeout=settings.db_acquire_timeout,
        max_inactive_connection_lifetime=60,
        server_settings={
            "statement_timeout": str(settings.db_statement_timeout_ms),
            "lock_timeout": str(settings.db_statement_timeout_ms),
            "idle_in_transaction_session_timeout": "30000",
            "application_name": "careerpath-profile",
        },
    )


def unavailable(exc: BaseException) -> HTTPException:
    timeout = isinstance(exc, (asyncio.TimeoutError, asyncpg.exceptions.QueryCanceledError))
    return HTTPException(
        status_code=503,
        detail=f"database {'timed out' if timeout else 'unavailable'}: {type(exc).__name__}",
        headers={"Retry-After": "1"},
    )


@asynccontextmanager
async def transaction(pool: asyncpg.Pool, acquire_timeout: float) -> AsyncIterator[asyncpg.Connection]:
    """One connection and one transaction; database outages become 503 with Retry-After."""
    try:
        async with pool.acquire(timeout=acquire_timeout) as conn, conn.transaction():
            yield conn
    except UNAVAILABLE as exc:
        raise unavailable(exc) from exc
    except asyncpg.exceptions.DataError as exc:  # e.g. a NUL byte PostgreSQL cannot store
        raise HTTPException(status_code=400, detail=f"value cannot be stored: {type(exc).__name__}") from exc
