"""A small HTTP/1.1 client for calls between careerpath's own services: a keep-alive pool and timeouts.

httpx asks the operating system about every pooled connection on each request (a readability check per
idle socket); under 32 concurrent requests that alone was most of the gateway's CPU. Here a connection
learns that its peer closed it from asyncio's callbacks, so taking one from the pool costs nothing.
Answers are parsed by httptools (llhttp, the parser uvicorn uses): ``Content-Length``, chunked (trailers
are dropped) or a body that runs to the close. A connection goes back to the pool only when the parser
says the answer keeps it alive (HTTP/1.1 without ``Connection: close``) and nothing came after the
answer. No redirects, no upgrades; an answer to HEAD ends with its head and its connection is closed
(httptools cannot be told that an answer has no body).

It stays because it costs the gateway less than aiohttp. Measured 2026-11-29 with ``careerpath bench
--only "http client"`` (tools/bench/clients.py): shared.http and aiohttp 3.14.5's ``ClientSession``
send the same 5,000 POSTs (2 KB JSON answers) to one Litestar app under uvicorn on loopback, keep-alive,
at most 100 connections, each client in its own uvloop process; medians of 3 rounds; 2 cores (AMD EPYC)
that other work kept at a load average near 5. Client CPU ms per request, shared.http / aiohttp, in
three runs: 1 caller 0.071 / 0.167, 0.076 / 0.167, 0.074 / 0.177 (0.42-0.45x); 32 callers
0.046 / 0.095, 0.048 / 0.089, 0.053 / 0.106 (0.48-0.54x). Requests/s were 1.7-2.5x aiohttp's with one
caller and 1.4-1.6x with 32, where the one-process upstream sets the pace.

The benchmark's load generator uses :func:`connect` and :func:`encode_request` directly.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import httptools
import msgspec

__all__ = [
    "ConnectError",
    "ConnectTimeout",
    "ConnectionPool",
    "HTTPConnection",
    "HTTPError",
    "Headers",
    "RemoteProtocolError",
    "Response",
    "connect",
    "encode_request",
]

RawHeaders = list[tuple[bytes, bytes]]


class HTTPError(Exception):
    """The exchange failed (timeouts raise the built-in ``TimeoutError``)."""


class ConnectError(HTTPError):
    """No connection could be made: nothing was sent, so any request may be tried again."""


class ConnectTimeout(ConnectError, TimeoutError):
    """Connecting took longer than the connect timeout."""


class RemoteProtocolError(HTTPError):
    """The peer closed the connection before a whole answer, or answered something that is not HTTP/1.1."""


class Headers(Mapping[str, str]):
    """Response headers by lower-case name (repeated headers joined with ``", "``)."""

    def __init__(self, raw: RawHeaders) -> None:
        self._items: dict[str, str] = {}
        for name, value in raw:
            key, text = name.decode("latin-1").lower(), value.decode("latin-1")
            self._items[key] = f"{self._items[key]}, {text}" if key in self._items else text

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


class Response:
    """A whole answer: status, headers and body (the headers read from the raw ones when first asked for:
    the gateway passes most answers on without looking at them)."""

    __slots__ = ("_headers", "_raw", "content", "status_code")

    def __init__(self, status_code: int, headers: Headers | RawHeaders, content: bytes) -> None:
        self.status_code = status_code
        self._headers: Headers | None = headers if isinstance(headers, Headers) else None
        self._raw: RawHeaders | None = None if isinstance(headers, Headers) else headers
        self.content = content

    @property
    def headers(self) -> Headers:
        if self._headers is None:
            assert self._raw is not None
            self._headers, self._raw = Headers(self._raw), None
        return self._headers

    def json(self) -> Any:
        return msgspec.json.decode(self.content)


def encode_request(
    method: str, target: str, host: str, headers: Iterable[tuple[str, str]] = (), body: bytes = b""
) -> bytes:
    """The bytes of one request; ``Content-Length`` is set for a body and for POST/PUT/PATCH.

    Raises ValueError for a line break in the target or a header (it would smuggle another request).
    """
    lines = [f"{method} {target} HTTP/1.1", f"host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if any("\r" in line or "\n" in line for line in lines):
        raise ValueError("line break in a request line or header")
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"content-length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class _Unasked(Exception):
    """Bytes of an answer to no request (raised inside the parser, which then stops)."""


class HTTPConnection(asyncio.Protocol):
    """One keep-alive connection; at most one request in flight (see :func:`connect`).

    ``closed`` is set as soon as the connection is lost, ``reusable`` cleared once something other than
    one whole keep-alive answer per request has been seen; the pool reuses it only while neither is so.
    """

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[Response] | None = None
        self.no_body = False
        self.closed = False
        self.reusable = True
        self.idle_since = time.monotonic()
        self._head: RawHeaders | None = None  # the answer's headers, once they are all in
        self._headers: RawHeaders = []
        self._body: list[bytes] = []

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        if self._head is not None and not any(
            name.lower() in (b"content-length", b"transfer-encoding") for name, _ in self._head
        ):  # no length given: the body ran to the close, and it is whole
            self._answer(self._head)
            return
        where = "in its head" if self._head is None else "in its body"
        why = f" ({exc})" if exc else ""
        waiter.set_exception(RemoteProtocolError(f"the server closed the connection {where}{why}"))

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except (httptools.HttpParserError, httptools.HttpParserUpgrade) as exc:
            self.reusable = False
            if self.waiter is not None and not self.waiter.done():
                self.waiter.set_exception(RemoteProtocolError(f"not an HTTP/1.1 answer: {exc}"))
            self.close()

    # httptools.HttpResponseParser

    def on_message_begin(self) -> None:
        if self.waiter is None or self.waiter.done():
            raise _Unasked
        self._head, self._headers, self._body = None, [], []

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        self._head, self._headers = self._headers, []  # what follows the body is trailers: dropped
        if self.no_body:
            self.reusable = False
            self._answer(self._head)

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        if self.parser.get_status_code() < 200:  # 1xx: the answer proper follows
            return
        if not self.parser.should_keep_alive():
            self.reusable = False
        assert self._head is not None
        self._answer(self._head)

    def _answer(self, head: RawHeaders) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            body = self._body[0] if len(self._body) == 1 else b"".join(self._body)
            waiter.set_result(Response(self.parser.get_status_code(), head, body))

    # the pool's side

    def exchange(self, raw: bytes, no_body: bool) -> asyncio.Future[Response]:
        """Send one request; the future is the whole answer (RemoteProtocolError if there is none)."""
        assert self.transport is not None
        self.waiter = waiter = asyncio.get_running_loop().create_future()
        self.no_body = no_body
        if self.closed:
            waiter.set_exception(RemoteProtocolError("the connection was closed before the request"))
        else:
            self.transport.write(raw)
        return waiter

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


def _expire(waiter: asyncio.Future[Response]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


async def connect(
    host: str,
    port: int,
    timeout: float,  # noqa: ASYNC109 - bounds the connect only
    tls: ssl.SSLContext | None = None,
) -> HTTPConnection:
    """A new connection; ConnectError (ConnectTimeout after ``timeout`` seconds) when there is none."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout):
            _, conn = await loop.create_connection(HTTPConnection, host, port, ssl=tls)
    except TimeoutError:
        raise ConnectTimeout(f"connecting to {host}:{port} timed out") from None
    except OSError as exc:
        raise ConnectError(f"cannot connect to {host}:{port}: {exc.strerror or exc}") from None
    return conn


class ConnectionPool:
    """Up to ``max_connections`` keep-alive connections to one ``host:port``; idle ones are reused newest
    first and dropped after ``idle_timeout`` seconds (below uvicorn's 5 s keep-alive, so the server does
    not close one just as a request goes out on it).

    The pool does not send a request twice: when the server closes a connection as the request goes out
    on it, the request fails with RemoteProtocolError and the caller decides whether to try again (the
    gateway does for GET and HEAD). A connection whose close has already reached us is never used again.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        max_connections: int = 100,
        connect_timeout: float = 5.0,
        idle_timeout: float = 4.0,
        tls: bool = False,
    ) -> None:
        self.host, self.port = host, port
        self.authority = f"{host}:{port}"
        self.connect_timeout = connect_timeout
        self.idle_timeout = idle_timeout
        self.tls = ssl.create_default_context() if tls else None
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: list[HTTPConnection] = []

    def _take(self) -> HTTPConnection | None:
        now = time.monotonic()
        while self._idle:
            conn = self._idle.pop()
            if not conn.closed and now - conn.idle_since < self.idle_timeout:
                return conn
            conn.close()
        return None

    async def request(
        self,
        method: str,
        target: str,
        *,
        headers: Iterable[tuple[str, str]] = (),
        body: bytes = b"",
        timeout: float = 10.0,  # noqa: ASYNC109 - one deadline for the wait, the connect and the answer
    ) -> Response:
        """Send one request and read the whole answer within ``timeout`` seconds (waiting for a free
        connection included)."""
        raw = encode_request(method, target, self.authority, headers, body)
        if self._slots.locked():
            return await self._request(method, raw, timeout)
        conn = self._take()
        if conn is None:
            return await self._request(method, raw, timeout)
        # The usual case: a free slot (taken at once) and an idle connection, so the only wait is for the
        # answer. Its deadline is a timer that fails the answer's future, not asyncio.timeout's
        # cancellation of this task (the same TimeoutError, with less work per request).
        await self._slots.acquire()
        try:
            waiter = conn.exchange(raw, no_body=method == "HEAD")
            timer = asyncio.get_running_loop().call_later(timeout, _expire, waiter)
            try:
                response = await waiter
            finally:
                timer.cancel()
        except BaseException:
            conn.close()
            raise
        finally:
            self._slots.release()
        self._keep(conn)
        return response

    async def _request(self, method: str, raw: bytes, timeout: float) -> Response:  # noqa: ASYNC109
        """:meth:`request` when it may wait for a slot or a connection: one asyncio.timeout for it all."""
        conn: HTTPConnection | None = None
        async with asyncio.timeout(timeout), self._slots:
            try:
                conn = self._take() or await connect(self.host, self.port, self.connect_timeout, self.tls)
                response = await conn.exchange(raw, no_body=method == "HEAD")
            except BaseException:
                if conn is not None:
                    conn.close()
                raise
            self._keep(conn)
            return response

    def _keep(self, conn: HTTPConnection) -> None:
        """Back to the idle connections if it may carry another request, else closed."""
        if conn.reusable and not conn.closed:
            conn.idle_since = time.monotonic()
            self._idle.append(conn)
        else:
            conn.close()

    async def aclose(self) -> None:
        while self._idle:
            self._idle.pop().close()
