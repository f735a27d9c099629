"""The asyncpg pool, with timeouts everywhere, and the mapping of database failures to HTTP answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from typing import Any

import asyncpg
from litestar import Request, Response
from litestar.exceptions import HTTPException

from services.profile.settings import ProfileSettings
from shared.web.errors import exception_handlers

__all__ = [
    "DATABASE_ERROR_HANDLERS",
    "Transactions",
    "create_pool",
    "request_transaction",
    "transaction",
    "unavailable",
]

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


def request_transaction(
    pool: Callable[[], asyncpg.Pool], acquire_timeout: float
) -> Callable[[], AsyncGenerator[asyncpg.Connection, None]]:
    """A generator dependency: one connection and one transaction for the request.

    It commits when the handler returns and rolls back when it raises; the handler's exception then
    goes on unchanged (Litestar turns an exception raised while cleaning up into a 500, so a failed
    rollback or release is not allowed to replace it), and :data:`DATABASE_ERROR_HANDLERS` answer a
    database failure inside the handler 503 or 400 as :func:`transaction` does.
    """

    async def provide_db() -> AsyncGenerator[asyncpg.Connection, None]:
        try:
            conn = await pool().acquire(timeout=acquire_timeout)
        except UNAVAILABLE as exc:
            raise unavailable(exc) from exc
        tx = conn.transaction()
        try:
            await tx.start()
        except BaseException as exc:
            with suppress(Exception):
                await pool().release(conn)
            if isinstance(exc, UNAVAILABLE):
                raise unavailable(exc) from exc
            raise
        try:
            yield conn
        except BaseException:
            with suppress(Exception):
                await tx.rollback()
            with suppress(Exception):
                await pool().release(conn)
            raise
        try:
            await tx.commit()
        except UNAVAILABLE as exc:
            raise unavailable(exc) from exc
        except asyncpg.exceptions.DataError as exc:
            raise HTTPException(
                status_code=400, detail=f"value cannot be stored: {type(exc).__name__}"
            ) from exc
        finally:
            with suppress(Exception):
                await pool().release(conn)

    return provide_db


def _on_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return exception_handlers()[HTTPException](request, unavailable(exc))


def _on_data_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    refused = HTTPException(status_code=400, detail=f"value cannot be stored: {type(exc).__name__}")
    return exception_handlers()[HTTPException](request, refused)


# A database failure inside a handler that was given ``db``: the answers :func:`transaction` gives.
DATABASE_ERROR_HANDLERS: dict[Any, Callable[..., Response[Any]]] = {
    **dict.fromkeys(UNAVAILABLE, _on_unavailable),
    asyncpg.exceptions.DataError: _on_data_error,
}


class Transactions:
    """Transactions a handler opens itself, for handlers that must not hold a connection throughout
    (while a password is hashed, while a task is enqueued, an audit record kept whatever happens)."""

    __slots__ = ("acquire_timeout", "pool")

    def __init__(self, pool: Callable[[], asyncpg.Pool], acquire_timeout: float) -> None:
        self.pool = pool
        self.acquire_timeout = acquire_timeout

    def __call__(self) -> AbstractAsyncContextManager[asyncpg.Connection]:
        """One connection and one transaction (see :func:`transaction`)."""
        return transaction(self.pool(), self.acquire_timeout)
