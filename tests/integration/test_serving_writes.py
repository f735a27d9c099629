"""shared.serving's coalesced writes against a real uvicorn on loopback: answers small and large arrive
whole and in order on a kept-alive connection, and a closing connection sends what is pending first (one
send per small answer: tests/unit/test_serving_writes.py)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import uvicorn

from shared.serving import COALESCE_BYTES, capped_protocol
from tests.integration.test_http_pool import eventually

SMALL = b'{"message": "hello"}'
LARGE = b"x" * (4 * COALESCE_BYTES)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = LARGE if scope["path"] == "/large" else SMALL
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@contextlib.asynccontextmanager
async def served() -> AsyncIterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, http=capped_protocol(32_768, "httptools"), lifespan="off", log_config=None)
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await eventually(lambda: server.started)
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        await serving


async def read_answer(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    sizes = [line for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:")]
    return head, await reader.readexactly(int(sizes[0].split(b":")[1]))


async def test_answers_leave_whole_and_in_order() -> None:
    async with served() as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for path in ("/small", "/large", "/small"):  # keep-alive: one after the other on one connection
            writer.write(f"GET {path} HTTP/1.1\r\nhost: t\r\n\r\n".encode())
            head, body = await read_answer(reader)
            assert head.startswith(b"HTTP/1.1 200") and body == (LARGE if path == "/large" else SMALL)
        writer.write(b"GET /small HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n")
        assert (await read_answer(reader))[1] == SMALL  # sent before the connection closed
        assert await reader.read() == b""
        writer.close()
