"""The asyncpg pool, with timeouts everywhere, the ways a handler is given a connection, and the mapping of
database failures to HTTP answers.

A handler that writes is given the request's one transaction (:class:`RequestTransaction`, from the
generator dependency :func:`request_transaction`); its connection is taken when the handler first asks
for it, which is after Litestar has validated the request, so bad input is answered 400 naming the field
whatever the database's state. A handler that only reads takes a connection for its statements without
a transaction (:meth:`Database.read`): at READ COMMITTED every statement sees its own snapshot inside a
transaction or not, so a read-only BEGIN/COMMIT would only cost two round trips. The few handlers that
must not hold a connection throughout open short transactions themselves (:meth:`Database.transaction`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext, suppress
from typing import Any

import asyncpg
from asyncpg.transaction import Transaction
from litestar import Request, Response
from litestar.exceptions import HTTPException

from services.profile.settings import ProfileSettings
from shared.web.errors import exception_handlers

__all__ = [
    "DATABASE_ERROR_HANDLERS",
    "Database",
    "RequestTransaction",
    "create_pool",
    "keep_session",
    "request_transaction",
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


async def keep_session(conn: asyncpg.Connection) -> None:
    """The pool's reset of a connection given back: nothing past asyncpg's own (an open transaction is
    rolled back, listeners dropped), no query.

    asyncpg's default sends ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;`` on
    every release: a second round trip per profile read, ~25 % of the profile service's CPU samples under
    load (py-spy, 2026-11-30); without it a read through the service's ASGI app costs 257-285 instead of
    307-354 us of its CPU (in one process, alternating, 4 rounds of 3,000 reads, load ~3.8), and
    PostgreSQL's share of a read fell 0.12 -> 0.08 ms (careerpath bench). This service leaves no session
    state for it to undo: its settings are given when a connection is made (``server_settings``, which
    ``RESET ALL`` keeps), its advisory locks are transaction-scoped (``pg_advisory_xact_lock``), it
    neither listens nor declares cursors outside a transaction (tests/unit/test_profile_session_state.py
    fails if its SQL starts to), and migrations run on a connection of their own."""


async def create_pool(settings: ProfileSettings) -> asyncpg.Pool:
    """A pool that opens connections lazily, so the service starts (not ready) while PostgreSQL is down."""
    return await asyncpg.create_pool(
        settings.database_url,
        min_size=settings.db_pool_min,
        max_size=settings.db_pool_max,
        command_timeout=settings.db_command_timeout,
        timeout=settings.db_acquire_timeout,
        reset=keep_session,
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


def _not_storable(exc: BaseException) -> HTTPException:
    """A value PostgreSQL refuses to store (e.g. a NUL byte in text): the caller's input, 400."""
    return HTTPException(status_code=400, detail=f"value cannot be stored: {type(exc).__name__}")


@asynccontextmanager
async def _connection(
    pool: asyncpg.Pool, acquire_timeout: float, begin: bool
) -> AsyncIterator[asyncpg.Connection]:
    try:
        async with (
            pool.acquire(timeout=acquire_timeout) as conn,
            conn.transaction() if begin else nullcontext(),
        ):
            yield conn
    except UNAVAILABLE as exc:
        raise unavailable(exc) from exc
    except asyncpg.exceptions.DataError as exc:
        raise _not_storable(exc) from exc


class Database:
    """Connections a handler takes itself: short transactions, for handlers that must not hold a
    connection throughout (while a password is hashed, while a task is enqueued, an audit record kept
    whatever happens), and reads, for handlers that write nothing."""

    __slots__ = ("acquire_timeout", "pool")

    def __init__(self, pool: Callable[[], asyncpg.Pool], acquire_timeout: float) -> None:
        self.pool = pool
        self.acquire_timeout = acquire_timeout

    def transaction(self) -> AbstractAsyncContextManager[asyncpg.Connection]:
        """One connection and one transaction; database outages become 503 with Retry-After."""
        return _connection(self.pool(), self.acquire_timeout, begin=True)

    def read(self) -> AbstractAsyncContextManager[asyncpg.Connection]:
        """One connection and no transaction: each statement commits on its own (no BEGIN, no COMMIT)."""
        return _connection(self.pool(), self.acquire_timeout, begin=False)


class RequestTransaction:
    """The request's one connection and one transaction, taken when the handler first asks for it.

    Litestar resolves a handler's dependencies before it validates the handler's parameters (body,
    headers, query); a connection taken then would answer a bad body 503 while PostgreSQL is down, and
    hold a connection while it is refused. One task uses it at a time.
    """

    __slots__ = ("_acquire_timeout", "_conn", "_pool", "_tx")

    def __init__(self, pool: asyncpg.Pool, acquire_timeout: float) -> None:
        self._pool = pool
        self._acquire_timeout = acquire_timeout
        self._conn: asyncpg.Connection | None = None
        self._tx: Transaction | None = None

    async def connection(self) -> asyncpg.Connection:
        """The connection, inside the request's transaction (taken and begun on the first call)."""
        if self._conn is not None:
            return self._conn
        try:
            conn = await self._pool.acquire(timeout=self._acquire_timeout)
        except UNAVAILABLE as exc:
            raise unavailable(exc) from exc
        tx = conn.transaction()
        try:
            await tx.start()
        except BaseException as exc:
            with suppress(Exception):
                await self._pool.release(conn)
            if isinstance(exc, UNAVAILABLE):
                raise unavailable(exc) from exc
            raise
        self._conn, self._tx = conn, tx
        return conn

    async def commit(self) -> None:
        """Commit and give the connection back (nothing to do when it was never taken)."""
        if self._conn is None or self._tx is None:
            return
        try:
            await self._tx.commit()
        except UNAVAILABLE as exc:
            raise unavailable(exc) from exc
        except asyncpg.exceptions.DataError as exc:
            raise _not_storable(exc) from exc
        finally:
            await self._release()

    async def rollback(self) -> None:
        """Roll back and give the connection back; a failure here never replaces the request's own."""
        if self._tx is not None:
            with suppress(Exception):
                await self._tx.rollback()
        await self._release()

    async def _release(self) -> None:
        conn, self._conn, self._tx = self._conn, None, None
        if conn is not None:
            with suppress(Exception):
                await self._pool.release(conn)


def request_transaction(
    pool: Callable[[], asyncpg.Pool], acquire_timeout: float
) -> Callable[[], AsyncGenerator[RequestTransaction, None]]:
    """A generator dependency: the request's :class:`RequestTransaction`.

    It commits when the handler returns and rolls back when it raises; the handler's exception then
    goes on unchanged (Litestar turns an exception raised while cleaning up into a 500, so a failed
    rollback or release is not allowed to replace it), and :data:`DATABASE_ERROR_HANDLERS` answer a
    database failure inside the handler 503 or 400 as :meth:`Database.transaction` does.
    """

    async def provide_db() -> AsyncGenerator[RequestTransaction, None]:
        request_tx = RequestTransaction(pool(), acquire_timeout)
        try:
            yield request_tx
        except BaseException:
            await request_tx.rollback()
            raise
        await request_tx.commit()

    return provide_db


def _on_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return exception_handlers()[HTTPException](request, unavailable(exc))


def _on_data_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return exception_handlers()[HTTPException](request, _not_storable(exc))


# A database failure inside a handler that was given ``db``: the answers :class:`Database` gives.
DATABASE_ERROR_HANDLERS: dict[Any, Callable[..., Response[Any]]] = {
    **dict.fromkeys(UNAVAILABLE, _on_unavailable),
    asyncpg.exceptions.DataError: _on_data_error,
}
