"""The gateway's per-request Redis scripts, sent on one pipelined connection of their own.

Every ``/api/`` request runs one Lua script (a partner key's look-up and counts, a session's look-up and
its rate limit, an anonymous caller's rate limit). Through redis-py's asyncio client one such call cost
the gateway ~60-70 us of CPU (its command packing in Python, a pool checkout, a task for the write's
timeout, retries and observability hooks around each command): ~28 % of the gateway's samples under
load. :class:`ScriptRunner` sends ``EVALSHA`` packed by hiredis (``hiredis.pack_command``) on one
connection that every request shares (Redis runs commands one at a time anyway), and reads the replies
with hiredis's parser in the order they come: 8-10 us of CPU a call in the same micro-benchmark (20,000
calls of the partner-key script from 32 tasks, 2 busy cores, 2026-11-30: redis-py 57-75 us with either
parser, this 8.4-9.6 us).

What redis-py did that still holds: each call is bounded by the Redis timeout (``TimeoutError``, a
``RedisError``), a Redis that cannot be reached or closes the connection is a ``ConnectionError`` (the
connection is made again on the next call; a call on a connection whose close had not reached us yet is
tried once more on a new one, as redis-py's retry did), an unknown script (a restarted Redis, ``SCRIPT
FLUSH``) is loaded and run again, and Redis's own error replies are ``ResponseError``. Answers are those
of redis-py's RESP2 parsing: bulk strings as bytes, integers as int, nil as None, arrays as lists
(tests/integration/test_redis_scripts.py runs each script both ways and compares). A TLS Redis
(``rediss://``) or a Unix socket is not handled here: :func:`script_runner` returns None and the callers
use redis-py.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, cast

import hiredis
import redis.asyncio as aioredis
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

__all__ = ["ScriptRunner", "script_runner"]


def _pack(*parts: Any) -> bytes:
    """One command in RESP (hiredis's C packer; its stub types the tuple as having one item)."""
    packed: bytes = hiredis.pack_command(cast(Any, parts))
    return packed


class _Pipe(asyncio.Protocol):
    """One connection: the commands of one event-loop step written together, replies handed out in
    order. Under load several requests reach their script in the same step; joining their commands saves
    a system call each (the write was ~15 % of the gateway's samples with one write per command)."""

    def __init__(self) -> None:
        self.reader = hiredis.Reader(replyError=ResponseError)
        self.waiters: deque[asyncio.Future[Any]] = deque()
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.used = False  # a reply came on it: its close may be news to a later request
        self.pending: list[bytes] = []  # commands of this event-loop step, sent together at its end

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_exception(RedisConnectionError("Redis closed the connection"))

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        try:
            while (reply := self.reader.gets()) is not False:
                self.used = True
                waiter = self.waiters.popleft()
                if not waiter.done():  # a caller that gave up (timeout, cancel) still had its place
                    waiter.set_result(reply)
        except (hiredis.ProtocolError, IndexError) as exc:  # not RESP, or a reply to no request
            self.fail(RedisConnectionError(f"bad reply from Redis: {exc}"))

    def send(self, command: bytes) -> asyncio.Future[Any]:
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self.closed or self.transport is None:
            waiter.set_exception(RedisConnectionError("the connection to Redis is closed"))
            return waiter
        self.waiters.append(waiter)
        if not self.pending:
            asyncio.get_running_loop().call_soon(self.flush)
        self.pending.append(command)
        return waiter

    def flush(self) -> None:
        """Send the commands of this event-loop step in one write (one system call for all of them)."""
        pending, self.pending = self.pending, []
        if pending and not self.closed and self.transport is not None:
            self.transport.write(pending[0] if len(pending) == 1 else b"".join(pending))

    def fail(self, exc: Exception) -> None:
        """Close the connection; every request waiting on it fails with ``exc``."""
        self.closed = True
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_exception(exc)
        if self.transport is not None:
            self.transport.close()


class ScriptRunner:
    """Runs registered scripts (``client.register_script``) on one pipelined connection to Redis."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        timeout: float,
        connect_timeout: float,
        db: int = 0,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.host, self.port, self.db = host, port, db
        self.timeout, self.connect_timeout = timeout, connect_timeout
        self.username, self.password = username, password
        self._pipe: _Pipe | None = None
        self._connecting: asyncio.Future[_Pipe] | None = None

    async def run(self, script: AsyncScript, keys: list[str], args: list[str | int]) -> Any:
        """``EVALSHA`` of ``script`` with ``keys`` and ``args``: its answer (RedisError on failure)."""
        command = _pack("EVALSHA", script.sha, len(keys), *keys, *args)
        reply = await self._call(command, retry=True)
        if isinstance(reply, ResponseError):
            if not str(reply).startswith("NOSCRIPT"):
                raise reply
            loaded = await self._call(_pack("SCRIPT", "LOAD", script.script))
            if isinstance(loaded, ResponseError):
                raise loaded
            reply = await self._call(command)
            if isinstance(reply, ResponseError):
                raise NoScriptError(str(reply)) if str(reply).startswith("NOSCRIPT") else reply
        return reply

    async def _call(self, command: bytes, retry: bool = False) -> Any:
        """One command's reply (an error reply is returned, not raised)."""
        pipe = self._pipe
        if pipe is None or pipe.closed:
            pipe = await self._connect()
        served = pipe.used
        try:
            return await self._exchange(pipe, command)
        except RedisConnectionError:
            if not (retry and served):
                raise
        # the connection had served requests and closed before this one was answered (a restarted
        # Redis whose close had not reached us): once more, on a new connection
        return await self._exchange(await self._connect(), command)

    async def _exchange(self, pipe: _Pipe, command: bytes) -> Any:
        waiter = pipe.send(command)
        try:
            async with asyncio.timeout(self.timeout):
                return await waiter
        except TimeoutError:  # replies after this one would be out of step: a new connection
            pipe.fail(RedisTimeoutError("Timeout reading from Redis"))
            raise RedisTimeoutError("Timeout reading from Redis") from None

    async def _connect(self) -> _Pipe:
        """The connection, made once for every caller that needs it meanwhile."""
        connecting = self._connecting
        if connecting is None or connecting.done():
            connecting = self._connecting = asyncio.ensure_future(self._open())
            connecting.add_done_callback(lambda done: done.cancelled() or done.exception())
        return await asyncio.shield(connecting)

    async def _open(self) -> _Pipe:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.connect_timeout):
                _, pipe = await loop.create_connection(_Pipe, self.host, self.port)
                setup: list[tuple[str | int, ...]] = []
                if self.password is not None:
                    who = (self.username,) if self.username else ()
                    setup.append(("AUTH", *who, self.password))
                if self.db:
                    setup.append(("SELECT", self.db))
                for command in setup:
                    reply = await pipe.send(_pack(*command))
                    if isinstance(reply, ResponseError):
                        pipe.fail(RedisConnectionError(str(reply)))
                        raise RedisConnectionError(f"Redis refused {command[0]}: {reply}")
        except TimeoutError:
            raise RedisTimeoutError(f"Timeout connecting to Redis at {self.host}:{self.port}") from None
        except OSError as exc:
            where = f"{self.host}:{self.port}"
            raise RedisConnectionError(f"Error connecting to Redis at {where}: {exc}") from None
        self._pipe = pipe
        return pipe

    async def aclose(self) -> None:
        if self._pipe is not None:
            self._pipe.fail(RedisConnectionError("closed"))
            self._pipe = None


def script_runner(client: aioredis.Redis, timeout: float) -> ScriptRunner | None:
    """A runner on the Redis that ``client`` talks to, or None when it is one this runner cannot reach
    (TLS, a Unix socket): the callers then use redis-py."""
    pool = client.connection_pool
    kwargs = pool.connection_kwargs
    if pool.connection_class is not aioredis.Connection or "host" not in kwargs:
        return None
    return ScriptRunner(
        str(kwargs["host"]),
        int(kwargs.get("port", 6379)),
        timeout=timeout,
        connect_timeout=float(kwargs.get("socket_connect_timeout") or timeout),
        db=int(kwargs.get("db") or 0),
        username=kwargs.get("username"),
        password=kwargs.get("password"),
    )
