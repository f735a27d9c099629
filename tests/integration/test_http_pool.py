"""shared.http's connection pool against real sockets: reuse, connections the server closes, timeouts,
answers cut short, chunked answers, many concurrent callers.

The servers are real: asyncio servers written here (to misbehave on purpose) on loopback, and uvicorn
serving a small ASGI app in the test's own event loop. Timeouts are asserted by the exception they raise;
elapsed times are bounded only loosely (a multiple of the configured timeout), so a starved machine
does not fail them.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import uvicorn

from shared.http import ConnectError, ConnectionPool, ConnectTimeout, RemoteProtocolError

# True: keep the connection; False: close it; None: say nothing and wait until the client hangs up
Reply = Callable[[bytes, asyncio.StreamWriter], Awaitable[bool | None]]
Serve = Callable[[Reply], Awaitable["Server"]]
PoolTo = Callable[..., ConnectionPool]  # a pool to 127.0.0.1:port with options, closed after the test

SLACK = 25  # an elapsed time may be this many times the configured timeout (a busy machine), no more


class Server:
    """Reads one request head at a time and lets ``reply`` answer it; counts connections and requests."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.connections = 0
        self.requests = 0
        self.open = 0
        self.most_open = 0
        self.hung_up = asyncio.Event()  # a client closed a connection
        self.server: asyncio.Server | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open += 1
        self.most_open = max(self.most_open, self.open)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    self.hung_up.set()
                    return
                self.requests += 1
                keep = await self.reply(head, writer)
                if keep is None:
                    with contextlib.suppress(ConnectionError):
                        await reader.read()
                    self.hung_up.set()
                    return
                if not keep:
                    return
        finally:
            self.open -= 1
            writer.close()

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    started: list[Server] = []

    async def start(reply: Reply) -> Server:
        server = Server(reply)
        server.server = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        started.append(server)
        return server

    yield start
    for server in started:
        assert server.server is not None
        server.server.close()


@pytest.fixture
async def pool_to() -> AsyncIterator[PoolTo]:
    pools: list[ConnectionPool] = []

    def make(port: int, **options: Any) -> ConnectionPool:
        pools.append(ConnectionPool("127.0.0.1", port, **options))
        return pools[-1]

    yield make
    for pool in pools:
        await pool.aclose()


def answer(body: bytes, *extra: bytes) -> bytes:
    head = [b"HTTP/1.1 200 OK", b"content-length: %d" % len(body), *extra]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


async def ok(head: bytes, writer: asyncio.StreamWriter) -> bool:
    writer.write(answer(head.split(b" ")[1]))
    return True


async def eventually(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Wait until ``condition()`` holds (an event the loop has yet to deliver), failing after ``within``."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        await asyncio.sleep(0.005)


# reuse


async def test_keep_alive_connections_are_reused(serve: Serve, pool_to: PoolTo) -> None:
    server = await serve(ok)
    pool = pool_to(server.port)
    for i in range(5):
        response = await pool.request("GET", f"/n{i}", timeout=5)
        assert (response.status_code, response.content) == (200, f"/n{i}".encode())
    assert (server.connections, server.requests) == (1, 5)
    assert len(pool._idle) == 1


async def test_a_connection_idle_past_the_idle_timeout_is_replaced(serve: Serve, pool_to: PoolTo) -> None:
    server = await serve(ok)
    pool = pool_to(server.port, idle_timeout=0.05)
    await pool.request("GET", "/a", timeout=5)
    await asyncio.sleep(0.1)  # longer than the idle timeout, so the pool must not use it again
    await pool.request("GET", "/b", timeout=5)
    assert (server.connections, server.requests) == (2, 2)
    await eventually(lambda: server.open == 1)  # the stale one was closed, not left open


# connections the server closes


async def test_a_connection_the_server_closed_between_requests_is_not_used_again(
    serve: Serve, pool_to: PoolTo
) -> None:
    async def close_after_answer(head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(answer(b"ok"))  # no "Connection: close": the pool learns it from the socket
        await writer.drain()
        return False

    server = await serve(close_after_answer)
    pool = pool_to(server.port)
    for _ in range(3):
        assert (await pool.request("GET", "/", timeout=5)).content == b"ok"
        await eventually(lambda: all(conn.closed for conn in pool._idle))  # the close reached us
    assert (server.connections, server.requests) == (3, 3)


async def test_connection_close_and_http_1_0_answers_are_not_kept(serve: Serve, pool_to: PoolTo) -> None:
    async def says_close(head: bytes, writer: asyncio.StreamWriter) -> bool:
        if b"/old" in head:
            writer.write(b"HTTP/1.0 200 OK\r\ncontent-length: 3\r\n\r\nold")
        else:
            writer.write(answer(b"bye", b"connection: close"))
        return True  # the server would keep it: the answer alone makes the pool drop it

    server = await serve(says_close)
    pool = pool_to(server.port)
    for path in ("/", "/", "/old", "/old"):
        assert (await pool.request("GET", path, timeout=5)).status_code == 200
        assert not pool._idle
    assert server.connections == 4


async def test_a_close_as_the_request_goes_out_fails_clearly_and_is_not_retried(
    serve: Serve, pool_to: PoolTo
) -> None:
    """The race with a server's keep-alive timeout: the request may have been acted on, so the pool does
    not send it again; it raises RemoteProtocolError (the gateway retries GETs) and drops the connection."""

    async def hang_up_on_the_second(head: bytes, writer: asyncio.StreamWriter) -> bool:
        if b"/second" in head:
            return False  # read it, then close without a word
        return await ok(head, writer)

    server = await serve(hang_up_on_the_second)
    pool = pool_to(server.port)
    await pool.request("GET", "/first", timeout=5)
    with pytest.raises(RemoteProtocolError, match="closed the connection"):
        await pool.request("POST", "/second", body=b"{}", timeout=5)
    assert server.requests == 2 and not pool._idle
    assert (await pool.request("GET", "/third", timeout=5)).content == b"/third"
    assert (server.connections, server.requests) == (2, 3)


async def test_uvicorn_closing_idle_keep_alive_connections(pool_to: PoolTo) -> None:
    """A real uvicorn with a keep-alive timeout shorter than the pool's idle timeout: every request after
    the server closed the previous connection goes out on a new one and is answered."""
    opened: list[object] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == "/stream":  # no length: uvicorn sends it chunked
            await send({"type": "http.response.start", "status": 200, "headers": []})
            for part in (b"one ", b"two ", b"three"):
                await send({"type": "http.response.body", "body": part, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
            return
        opened.append(scope["client"])
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"ok"})

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", timeout_keep_alive=0.1, lifespan="off")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await eventually(lambda: server.started)
        pool = pool_to(port, idle_timeout=30)
        streamed = await pool.request("GET", "/stream", timeout=5)
        assert (streamed.content, streamed.headers["transfer-encoding"]) == (b"one two three", "chunked")
        for _ in range(3):
            await eventually(lambda: all(conn.closed for conn in pool._idle))  # uvicorn's timeout
            assert (await pool.request("GET", "/", timeout=5)).content == b"ok"
        assert len(set(map(str, opened))) == 3  # three client ports: three connections
    finally:
        server.should_exit = True
        await serving
        sock.close()


# timeouts


async def test_an_answer_that_never_comes_times_out(serve: Serve, pool_to: PoolTo) -> None:
    async def silent(head: bytes, writer: asyncio.StreamWriter) -> None:
        return None

    server = await serve(silent)
    pool = pool_to(server.port)
    started = time.monotonic()
    with pytest.raises(TimeoutError) as raised:
        await pool.request("GET", "/", timeout=0.2)
    assert not isinstance(raised.value, ConnectError)  # it connected: the answer is what was late
    assert 0.15 <= time.monotonic() - started < 0.2 * SLACK
    assert not pool._idle  # a connection with an answer still owed is not pooled ...
    await asyncio.wait_for(server.hung_up.wait(), 10)  # ... but closed


async def test_a_reused_connection_whose_answer_never_comes_times_out(serve: Serve, pool_to: PoolTo) -> None:
    """The usual request (a free slot, an idle connection) has its own deadline on the answer: the same
    TimeoutError, the connection dropped, its slot given back."""

    async def not_second(head: bytes, writer: asyncio.StreamWriter) -> bool | None:
        if head.startswith(b"GET /second "):
            return None  # say nothing
        return await ok(head, writer)

    server = await serve(not_second)
    pool = pool_to(server.port, max_connections=1)
    assert (await pool.request("GET", "/first", timeout=5)).content == b"/first"
    assert len(pool._idle) == 1  # kept: the next request takes it
    started = time.monotonic()
    with pytest.raises(TimeoutError) as raised:
        await pool.request("GET", "/second", timeout=0.2)
    assert not isinstance(raised.value, ConnectError)
    assert 0.15 <= time.monotonic() - started < 0.2 * SLACK
    assert not pool._idle and server.connections == 1
    await asyncio.wait_for(server.hung_up.wait(), 10)  # closed
    assert not pool._slots.locked()  # its one slot is free again: a new connection answers
    assert (await pool.request("GET", "/third", timeout=5)).content == b"/third"
    assert server.connections == 2


async def test_a_cancelled_request_on_a_reused_connection_drops_it(serve: Serve, pool_to: PoolTo) -> None:
    answered = 0

    async def once(head: bytes, writer: asyncio.StreamWriter) -> bool | None:
        nonlocal answered
        if answered:
            return None
        answered += 1
        return await ok(head, writer)

    server = await serve(once)
    pool = pool_to(server.port, max_connections=1)
    await pool.request("GET", "/first", timeout=5)
    task = asyncio.create_task(pool.request("GET", "/second", timeout=30))
    await eventually(lambda: server.requests == 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not pool._idle and not pool._slots.locked()
    await asyncio.wait_for(server.hung_up.wait(), 10)


async def test_a_connect_that_never_completes_times_out(pool_to: PoolTo) -> None:
    """A listening socket that accepts nothing and whose backlog is full: the kernel drops the SYNs, so
    connecting hangs until the pool's connect timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    filler = socket.create_connection(("127.0.0.1", port))  # fills the backlog of one
    try:
        pool = pool_to(port, connect_timeout=0.2)
        started = time.monotonic()
        with pytest.raises(ConnectTimeout):
            await pool.request("GET", "/", timeout=30)
        assert 0.15 <= time.monotonic() - started < 0.2 * SLACK
        with pytest.raises(TimeoutError):  # the request's own deadline bounds the connect too
            await pool_to(port, connect_timeout=30).request("GET", "/", timeout=0.2)
    finally:
        filler.close()
        listener.close()


async def test_nothing_listening_is_a_connect_error(serve: Serve, pool_to: PoolTo) -> None:
    server = await serve(ok)
    port = server.port
    assert server.server is not None
    server.server.close()
    await server.server.wait_closed()
    with pytest.raises(ConnectError) as raised:
        await pool_to(port).request("GET", "/", timeout=5)
    assert not isinstance(raised.value, TimeoutError)


async def test_waiting_for_a_free_connection_counts_against_the_timeout(
    serve: Serve, pool_to: PoolTo
) -> None:
    async def stuck_or_ok(head: bytes, writer: asyncio.StreamWriter) -> bool | None:
        return None if b"/stuck" in head else await ok(head, writer)

    server = await serve(stuck_or_ok)
    pool = pool_to(server.port, max_connections=1)
    stuck = asyncio.create_task(pool.request("GET", "/stuck", timeout=30))
    await eventually(lambda: server.requests == 1)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await pool.request("GET", "/next", timeout=0.2)
    assert time.monotonic() - started < 0.2 * SLACK
    assert server.connections == 1  # it waited for the one connection; it did not open another
    stuck.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stuck
    assert (await pool.request("GET", "/after", timeout=5)).content == b"/after"


# answers cut short or garbled, chunked answers


@pytest.mark.parametrize(
    ("cut", "where"),
    [
        (answer(b"0123456789")[:-4], "in its body"),  # Content-Length not reached
        (b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nwor", "in its body"),
        (b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n", "in its body"),  # no 0
        (b"HTTP/1.1 200 OK\r\ncontent-len", "in its head"),
        (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", "not an HTTP/1.1 answer"),  # not cut, but garbage
    ],
)
async def test_an_answer_cut_short_or_garbled_is_a_protocol_error_and_its_connection_dropped(
    serve: Serve, pool_to: PoolTo, cut: bytes, where: str
) -> None:
    async def cut_the_first(head: bytes, writer: asyncio.StreamWriter) -> bool:
        if b"/first" not in head:
            return await ok(head, writer)
        writer.write(cut)
        await writer.drain()
        return False

    server = await serve(cut_the_first)
    pool = pool_to(server.port)
    with pytest.raises(RemoteProtocolError, match=where):
        await pool.request("GET", "/first", timeout=5)
    assert not pool._idle
    assert (await pool.request("GET", "/again", timeout=5)).content == b"/again"
    assert server.connections == 2


async def test_split_and_chunked_answers_are_read_whole(serve: Serve, pool_to: PoolTo) -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\nx-checksum: 1\r\n\r\n"
    )

    async def dribble(head: bytes, writer: asyncio.StreamWriter) -> bool:
        raw = chunked if b"/chunked" in head else answer(b'{"a": 1}', b'etag: "7"')
        for i in range(0, len(raw), 7):  # a few bytes at a time, head and body alike
            writer.write(raw[i : i + 7])
            await writer.drain()
            await asyncio.sleep(0.001)
        return True

    server = await serve(dribble)
    pool = pool_to(server.port)
    response = await pool.request("GET", "/chunked", timeout=5)
    assert (response.status_code, response.content) == (200, b"hello world")
    assert "x-checksum" not in response.headers  # a trailer, not a header
    response = await pool.request("GET", "/json", timeout=5)
    assert response.json() == {"a": 1} and response.headers["ETag"] == '"7"'
    assert server.connections == 1  # both answers were read to their end, so the connection was reused


async def test_head_answers_have_no_body(serve: Serve, pool_to: PoolTo) -> None:
    async def head_answer(head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n")
        return True

    server = await serve(head_answer)
    pool = pool_to(server.port)
    for _ in range(2):
        response = await pool.request("HEAD", "/", timeout=5)
        assert (response.status_code, response.content, response.headers["content-length"]) == (
            200,
            b"",
            "1000",
        )
    assert server.connections == 2  # httptools cannot be told there is no body: not reused


# many callers


async def test_many_concurrent_callers_share_a_bounded_pool(serve: Serve, pool_to: PoolTo) -> None:
    async def slow_ok(head: bytes, writer: asyncio.StreamWriter) -> bool:
        await asyncio.sleep(0.005)
        return await ok(head, writer)

    server = await serve(slow_ok)
    pool = pool_to(server.port, max_connections=8)
    answers = await asyncio.gather(*(pool.request("GET", f"/c{i}", timeout=30) for i in range(200)))
    assert [a.content for a in answers] == [f"/c{i}".encode() for i in range(200)]
    assert server.requests == 200 and server.most_open <= 8 and server.connections <= 8


async def test_many_concurrent_callers_while_the_server_closes_some_connections(
    serve: Serve, pool_to: PoolTo
) -> None:
    async def close_every_fifth(head: bytes, writer: asyncio.StreamWriter) -> bool:
        await asyncio.sleep(0.002)
        n = int(head.split(b" ")[1][2:])
        writer.write(answer(b"%d" % n, *([b"connection: close"] if n % 5 == 0 else [])))
        await writer.drain()
        return n % 5 != 0

    server = await serve(close_every_fifth)
    pool = pool_to(server.port, max_connections=8)
    answers = await asyncio.gather(*(pool.request("GET", f"/c{i}", timeout=30) for i in range(200)))
    assert [a.content for a in answers] == [b"%d" % i for i in range(200)]
    assert server.requests == 200 and server.most_open <= 8
    assert server.connections >= 40  # each closed connection was replaced by a new one
