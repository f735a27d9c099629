"""shared.http's connection pool against a real socket: reuse, server closes, timeouts, split and chunked
answers, many concurrent callers (an in-process asyncio server on loopback; no other service)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from shared.http import ConnectError, ConnectionPool, RemoteProtocolError

Reply = Callable[[bytes, asyncio.StreamWriter], Awaitable[bool]]  # False: close the connection afterwards
Serve = Callable[[Reply], Awaitable["Server"]]


class Server:
    """Reads one request head at a time and lets ``reply`` answer it; counts connections and requests."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.connections = 0
        self.requests = 0
        self.open = 0
        self.most_open = 0
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
                    return
                self.requests += 1
                if not await self.reply(head, writer):
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


def answer(body: bytes, *extra: bytes) -> bytes:
    head = [b"HTTP/1.1 200 OK", b"content-length: %d" % len(body), *extra]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


async def ok(head: bytes, writer: asyncio.StreamWriter) -> bool:
    writer.write(answer(head.split(b" ")[1]))
    return True


async def test_keep_alive_connections_are_reused(serve: Serve) -> None:
    server = await serve(ok)
    pool = ConnectionPool("127.0.0.1", server.port)
    for i in range(5):
        response = await pool.request("GET", f"/n{i}", timeout=5)
        assert (response.status_code, response.content) == (200, f"/n{i}".encode())
    assert (server.connections, server.requests) == (1, 5)
    await pool.aclose()


async def test_a_connection_the_server_closed_is_not_used_again(
    serve: Serve,
) -> None:
    async def close_after_answer(head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(answer(b"ok"))  # no "Connection: close": the pool learns it from the socket
        await writer.drain()
        return False

    server = await serve(close_after_answer)
    pool = ConnectionPool("127.0.0.1", server.port)
    for _ in range(3):
        assert (await pool.request("GET", "/", timeout=5)).content == b"ok"
        await asyncio.sleep(0.05)  # the close reaches the client
    assert server.connections == 3

    async def says_close(head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(answer(b"bye", b"connection: close"))
        return True  # the server would keep it: the header alone makes the pool drop it

    server = await serve(says_close)
    pool = ConnectionPool("127.0.0.1", server.port)
    for _ in range(2):
        assert (await pool.request("GET", "/", timeout=5)).content == b"bye"
    assert server.connections == 2
    await pool.aclose()


async def test_an_answer_cut_short_is_a_protocol_error(serve: Serve) -> None:
    async def cut(head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(answer(b"0123456789")[:-4])
        await writer.drain()
        return False

    server = await serve(cut)
    pool = ConnectionPool("127.0.0.1", server.port)
    with pytest.raises(RemoteProtocolError):
        await pool.request("GET", "/", timeout=5)
    await pool.aclose()


async def test_timeouts_bound_the_answer_and_the_connect(serve: Serve) -> None:
    async def silent(head: bytes, writer: asyncio.StreamWriter) -> bool:
        await asyncio.sleep(10)
        return False

    server = await serve(silent)
    pool = ConnectionPool("127.0.0.1", server.port)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(TimeoutError):
        await pool.request("GET", "/", timeout=0.2)
    assert loop.time() - started < 1.0
    assert not pool._idle  # the connection with an answer still owed is not pooled
    await pool.aclose()

    port = server.port
    assert server.server is not None
    server.server.close()
    await server.server.wait_closed()
    with pytest.raises(ConnectError):  # nothing listens there now
        await ConnectionPool("127.0.0.1", port).request("GET", "/", timeout=2)


async def test_split_and_chunked_answers_are_read_whole(serve: Serve) -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\n\r\n"
    )

    async def dribble(head: bytes, writer: asyncio.StreamWriter) -> bool:
        raw = chunked if b"/chunked" in head else answer(b'{"a": 1}', b'etag: "7"')
        for i in range(0, len(raw), 7):  # a few bytes at a time, head and body alike
            writer.write(raw[i : i + 7])
            await writer.drain()
            await asyncio.sleep(0.001)
        return True

    server = await serve(dribble)
    pool = ConnectionPool("127.0.0.1", server.port)
    response = await pool.request("GET", "/chunked", timeout=5)
    assert (response.status_code, response.content) == (200, b"hello world")
    response = await pool.request("GET", "/json", timeout=5)
    assert response.json() == {"a": 1} and response.headers["ETag"] == '"7"'
    assert server.connections == 1  # both answers were read to their end, so the connection was reused
    await pool.aclose()


async def test_many_concurrent_callers_share_a_bounded_pool(serve: Serve) -> None:
    async def slow_ok(head: bytes, writer: asyncio.StreamWriter) -> bool:
        await asyncio.sleep(0.005)
        return await ok(head, writer)

    server = await serve(slow_ok)
    pool = ConnectionPool("127.0.0.1", server.port, max_connections=8)
    answers = await asyncio.gather(*(pool.request("GET", f"/c{i}", timeout=10) for i in range(300)))
    assert [a.content for a in answers] == [f"/c{i}".encode() for i in range(300)]
    assert server.requests == 300 and server.most_open <= 8 and server.connections <= 8
    await pool.aclose()
