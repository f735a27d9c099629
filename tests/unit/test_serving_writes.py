"""shared.serving's coalesced writes, with the bytes handed to a transport that keeps them (each ``write``
it receives is one ``send``); against a real uvicorn: tests/integration/test_serving_writes.py."""

from __future__ import annotations

import asyncio

from shared.serving import COALESCE_BYTES, _Coalesced


class Wire(asyncio.Transport):
    """Keeps each write it is given, as the socket would get them."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.events: list[str] = []
        self.closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closing

    def get_write_buffer_size(self) -> int:
        return 0

    def close(self) -> None:
        self.closing = True
        self.events.append("close")

    def abort(self) -> None:
        self.closing = True
        self.events.append("abort")


async def turn() -> None:
    await asyncio.sleep(0)


async def test_the_writes_of_one_step_leave_as_one() -> None:
    wire = Wire()
    out = _Coalesced(wire)
    out.write(b"HTTP/1.1 200 OK\r\n\r\n")
    out.write(b'{"a": 1}')
    assert wire.writes == [] and out.get_write_buffer_size() == 27
    await turn()
    assert wire.writes == [b'HTTP/1.1 200 OK\r\n\r\n{"a": 1}']
    out.write(b"next")
    await turn()
    assert wire.writes[1:] == [b"next"]


async def test_a_large_write_leaves_at_once_after_what_is_pending() -> None:
    wire = Wire()
    out = _Coalesced(wire)
    large = b"x" * (COALESCE_BYTES + 1)
    out.write(b"head")
    out.write(large)
    assert wire.writes == [b"head", large] and wire.writes[1] is large  # not copied
    await turn()
    assert len(wire.writes) == 2


async def test_closing_sends_what_is_pending_and_aborting_drops_it() -> None:
    wire = Wire()
    out = _Coalesced(wire)
    out.write(b"answer")
    out.close()
    assert (wire.writes, wire.events) == ([b"answer"], ["close"])
    out.write(b"late")  # after the close: dropped, as the transport would
    await turn()
    assert wire.writes == [b"answer"]
    dropped = Wire()
    out = _Coalesced(dropped)
    out.write(b"answer")
    out.abort()
    await turn()
    assert (dropped.writes, dropped.events) == ([], ["abort"])
