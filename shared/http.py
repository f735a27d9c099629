"""A small HTTP/1.1 client for calls between careerpath's own services: a keep-alive pool and timeouts.

httpx asks the operating system about every pooled connection on each request (a readability check per
idle socket); under 32 concurrent requests that alone was most of the gateway's CPU. Here a connection
learns that its peer closed it from asyncio's callbacks, so taking one from the pool costs nothing. It
speaks what our uvicorn services answer: ``Content-Length`` or chunked bodies; no redirects, no upgrades.

The benchmark's load generator uses :func:`connect` and :func:`encode_request` directly.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

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
    "parse_response",
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
    """A whole answer: status, headers and body."""

    __slots__ = ("content", "headers", "status_code")

    def __init__(self, status_code: int, headers: Headers, content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content

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


def parse_response(buffer: bytearray, no_body: bool = False) -> tuple[int, RawHeaders, bytes, int] | None:
    """(status, headers, body, bytes used) of the complete answer at the start of ``buffer``; None if partial.

    Raises ValueError when the bytes are not an HTTP/1.1 answer.
    """
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = bytes(buffer[:end]).split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
        raise ValueError(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
    status = int(parts[1])
    headers: RawHeaders = []
    length, chunked = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        value = value.strip()
        headers.append((name, value))
        lowered = name.lower()
        if lowered == b"content-length":
            length = int(value)
        elif lowered == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    start = end + 4
    if no_body or status in (204, 304) or status < 200:
        return status, headers, b"", start
    if not chunked:
        if len(buffer) < start + length:
            return None
        with memoryview(buffer) as view:  # one copy of a large body, not two
            body = bytes(view[start : start + length])
        return status, headers, body, start + length
    chunks, pos = bytearray(), start
    while True:  # size CRLF data CRLF ... 0 CRLF CRLF (no trailers from our servers)
        line_end = buffer.find(b"\r\n", pos)
        if line_end < 0:
            return None
        size = int(bytes(buffer[pos:line_end]).split(b";")[0], 16)
        if len(buffer) < line_end + 2 + size + 2:
            return None
        chunks += buffer[line_end + 2 : line_end + 2 + size]
        pos = line_end + 2 + size + 2
        if size == 0:
            return status, headers, bytes(chunks), pos


_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*([0-9]+)", re.IGNORECASE)


def _known_size(buffer: bytearray) -> int:
    """The whole answer's size once its head is in and names a Content-Length; 0 until then."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return 0
    found = _CONTENT_LENGTH.search(buffer, 0, end)
    return end + 4 + int(found.group(1)) if found else 0


class HTTPConnection(asyncio.Protocol):
    """One keep-alive connection; at most one request in flight (see :func:`connect`)."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.need = 0  # bytes the answer in flight needs, once known: no parsing before they are in
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[Response] | None = None
        self.no_body = False
        self.closed = False
        self.reusable = True
        self.idle_since = time.monotonic()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(RemoteProtocolError("the server closed the connection mid-answer"))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is None or self.waiter.done() or len(self.buffer) < self.need:
            return
        try:
            parsed = parse_response(self.buffer, self.no_body)
        except ValueError as exc:
            self.reusable = False
            self.waiter.set_exception(RemoteProtocolError(str(exc)))
            return
        if parsed is None:
            self.need = 0 if self.no_body else _known_size(self.buffer)
            return
        self.need = 0
        status, raw, body, used = parsed
        del self.buffer[:used]
        headers = Headers(raw)
        if headers.get("connection", "").lower() == "close" or self.buffer:
            self.reusable = False
        self.waiter.set_result(Response(status, headers, body))

    def exchange(self, raw: bytes, no_body: bool) -> asyncio.Future[Response]:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.no_body = no_body
        self.transport.write(raw)
        return self.waiter

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


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
    not close one just as a request goes out on it)."""

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
        conn: HTTPConnection | None = None
        async with asyncio.timeout(timeout), self._slots:
            try:
                conn = self._take() or await connect(self.host, self.port, self.connect_timeout, self.tls)
                response = await conn.exchange(raw, no_body=method == "HEAD")
            except BaseException:
                if conn is not None:
                    conn.close()
                raise
            if conn.reusable and not conn.closed:
                conn.idle_since = time.monotonic()
                self._idle.append(conn)
            else:
                conn.close()
            return response

    async def aclose(self) -> None:
        while self._idle:
            self._idle.pop().close()
