"""shared.http's request encoding and how a connection reads answers (httptools), without a socket: the
bytes are handed to the connection as asyncio would hand them. The pool against real sockets is in
tests/integration/test_http_pool.py."""

from __future__ import annotations

import asyncio

import pytest

from shared.http import Headers, HTTPConnection, RemoteProtocolError, Response, encode_request
from tools.bench.load import LoadSpec, run_load


class Wire(asyncio.Transport):
    """Keeps what the connection sends; closing it tells the connection, as a closed socket would."""

    def __init__(self, conn: HTTPConnection) -> None:
        super().__init__()
        self.conn = conn
        self.sent = bytearray()
        self.closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.sent += data

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        if not self.closing:
            self.closing = True
            self.conn.connection_lost(None)


def wired() -> tuple[HTTPConnection, Wire]:
    conn = HTTPConnection()
    wire = Wire(conn)
    conn.connection_made(wire)
    return conn, wire


def ask(conn: HTTPConnection, *pieces: bytes, no_body: bool = False) -> asyncio.Future[Response]:
    """Send a request and hand the connection ``pieces`` as the answer's bytes."""
    waiter = conn.exchange(b"GET / HTTP/1.1\r\nhost: h\r\n\r\n", no_body)
    for piece in pieces:
        conn.data_received(piece)
    return waiter


def test_encode_request_sets_host_headers_and_length() -> None:
    headers = [("content-type", "application/json")]
    raw = encode_request("POST", "/x?a=1", "127.0.0.1:8000", headers, b'{"a":1}')
    assert raw == (
        b"POST /x?a=1 HTTP/1.1\r\nhost: 127.0.0.1:8000\r\ncontent-type: application/json\r\n"
        b'content-length: 7\r\n\r\n{"a":1}'
    )
    assert b"content-length: 0" in encode_request("PUT", "/x", "h")
    assert b"content-length" not in encode_request("GET", "/x", "h")


@pytest.mark.parametrize("bad", [("x-a", "1\r\nx-b: 2"), ("x-a\n", "1")])
def test_encode_request_refuses_line_breaks(bad: tuple[str, str]) -> None:
    with pytest.raises(ValueError):
        encode_request("GET", "/", "h", [bad])
    with pytest.raises(ValueError):
        encode_request("GET", "/a\r\nb", "h")


async def test_a_content_length_answer_split_anywhere_is_read_whole_and_the_connection_kept() -> None:
    raw = b'HTTP/1.1 200 OK\r\nContent-Length: 12\r\nETag: "3"\r\n\r\n{"a": "bc"}\n'
    conn, wire = wired()
    waiter = ask(conn, *(raw[i : i + 1] for i in range(len(raw) - 1)))
    assert not waiter.done()  # one byte short
    conn.data_received(raw[-1:])
    answer = waiter.result()
    assert (answer.status_code, answer.content, answer.headers["etag"]) == (200, b'{"a": "bc"}\n', '"3"')
    assert wire.sent.startswith(b"GET / HTTP/1.1\r\n")
    assert conn.reusable and not conn.closed
    again = ask(conn, b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n{}").result()  # same connection
    assert (again.status_code, again.content) == (201, b"{}") and conn.reusable


async def test_a_chunked_answer_is_joined_and_its_trailers_dropped() -> None:
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    raw = head + b"3\r\nabc\r\n2;x=1\r\nde\r\n0\r\nX-Sum: 9\r\n\r\n"
    conn, _ = wired()
    waiter = ask(conn, raw[:50])
    assert not waiter.done()
    conn.data_received(raw[50:])
    answer = waiter.result()
    assert answer.content == b"abcde" and dict(answer.headers) == {"transfer-encoding": "chunked"}
    assert conn.reusable


@pytest.mark.parametrize(
    "head",
    [
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n",
        b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n",
    ],
)
async def test_an_answer_that_does_not_keep_the_connection_alive(head: bytes) -> None:
    conn, _ = wired()
    assert ask(conn, head + b"ok").result().content == b"ok"
    assert not conn.reusable


async def test_answers_without_a_body() -> None:
    conn, _ = wired()
    for status in (b"204 No Content", b"304 Not Modified"):
        answer = ask(conn, b"HTTP/1.1 " + status + b"\r\nContent-Length: 10\r\n\r\n").result()
        assert answer.content == b"" and answer.headers["content-length"] == "10"
    assert conn.reusable
    head = ask(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", no_body=True).result()
    assert (head.status_code, head.content) == (200, b"")
    assert not conn.reusable  # the parser still expects ten bytes: the connection cannot be reused


async def test_an_interim_answer_is_skipped() -> None:
    conn, _ = wired()
    answer = ask(conn, b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nx").result()
    assert (answer.status_code, answer.content) == (200, b"x") and conn.reusable


async def test_bytes_after_the_answer_close_the_connection() -> None:
    conn, wire = wired()
    first = ask(conn, b"HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nxHTTP/1.1 200 OK\r\n")
    assert first.result().content == b"x"  # the answer asked for stands ...
    assert not conn.reusable and wire.closing  # ... but a connection that says more is not trusted
    idle, idle_wire = wired()
    idle.data_received(b"HTTP/1.1 408 Request Timeout\r\n\r\n")  # nothing was asked
    assert idle.closed and idle_wire.closing


async def test_an_answer_cut_short_is_a_protocol_error() -> None:
    for cut, where in [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123", "in its body"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", "in its body"),
        (b"HTTP/1.1 200 OK\r\nContent-Le", "in its head"),
        (b"", "in its head"),
    ]:
        conn, wire = wired()
        waiter = ask(conn, cut)
        wire.close()
        with pytest.raises(RemoteProtocolError, match=where):
            waiter.result()


async def test_an_answer_without_a_length_ends_at_the_close() -> None:
    conn, wire = wired()
    waiter = ask(conn, b"HTTP/1.1 200 OK\r\n\r\nall of ", b"it")
    assert not waiter.done()
    wire.close()
    assert waiter.result().content == b"all of it" and conn.closed


async def test_garbage_and_closed_connections_are_protocol_errors() -> None:
    conn, wire = wired()
    with pytest.raises(RemoteProtocolError, match="not an HTTP/1.1 answer"):
        ask(conn, b"SSH-2.0-OpenSSH_9.6\r\n").result()
    assert wire.closing and not conn.reusable
    with pytest.raises(RemoteProtocolError, match="closed before the request"):
        ask(conn).result()  # nothing is written to a closed connection
    assert wire.sent.count(b"GET /") == 1


def test_headers_join_repeats_case_insensitively() -> None:
    headers = Headers([(b"Vary", b"a"), (b"vary", b"b")])
    assert headers["VARY"] == "a, b" and dict(headers) == {"vary": "a, b"} and len(headers) == 1
    assert "Vary" in headers and 1 not in headers


def test_load_generator_refuses_non_loopback_targets() -> None:
    with pytest.raises(ValueError, match="loopback"):
        run_load(LoadSpec(host="10.0.0.1", port=80, connections=[]))
