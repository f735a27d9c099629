"""Serve a careerpath app with uvicorn: a byte cap on request headers, and proxies named, not assumed.

The cap (``CAREERPATH_MAX_HEADER_BYTES``: the request line and every header field of one request) is
enforced inside the HTTP parser's protocol, not in ASGI: by the time an ASGI middleware sees ``scope``,
the parser has buffered every byte of every header (four 48 MB headers cost the gateway 400 MB). Here
the bytes of a head still arriving are counted as they come; past the cap the connection answers 431,
stops buffering (later bytes are read and dropped) and closes. Both of uvicorn's HTTP/1.1 parsers are
covered: httptools (the default when installed) and h11.

``X-Forwarded-For`` / ``X-Forwarded-Proto`` are believed only from ``trusted_proxies`` (addresses or
networks; a gateway setting); with none, they are ignored, whatever uvicorn's ``FORWARDED_ALLOW_IPS`` says.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import uuid
from collections.abc import Iterable
from typing import Any

import h11
import msgspec
from litestar import MediaType, Request, Response
from litestar.serialization import get_serializer
from litestar.types import Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from shared.contracts.common import ErrorDetail
from shared.web.errors import PROBLEM_JSON, problem_body

__all__ = ["CappedH11Protocol", "DirectJSON", "capped_protocol", "refusal_431", "serve"]

log = logging.getLogger("careerpath.web")
LINGER_SECONDS = 2.0  # after a 431, drop what the client still sends for this long, so it reads the answer


def refusal_431(limit: int) -> bytes:
    """The whole HTTP/1.1 answer: 431 with the problem details every careerpath error has, and a request
    id of its own (the request never reached the app: its headers were not read)."""
    detail = f"the request line and headers exceed {limit} bytes"
    request_id = uuid.uuid4().hex
    errors = [ErrorDetail(field="headers", message=detail)]
    body = msgspec.json.encode(problem_body(431, "headers_too_large", detail, errors, request_id=request_id))
    head = (
        "HTTP/1.1 431 Request Header Fields Too Large\r\n"
        f"content-type: {PROBLEM_JSON}\r\n"
        f"content-length: {len(body)}\r\n"
        f"x-request-id: {request_id}\r\n"
        "cache-control: no-store\r\n"
        "x-content-type-options: nosniff\r\n"
        "x-frame-options: DENY\r\n"
        "referrer-policy: same-origin\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class _HeadTooLarge(Exception):
    """Raised inside a parser callback to stop the parse; the 431 is already written."""


class _Cap:
    """What both capped protocols share: the limit, the refusal, and dropping bytes after it."""

    max_header_bytes = 32_768
    transport: asyncio.Transport
    client: tuple[str, int] | None
    _refused = False

    def _refuse(self) -> None:
        if self._refused:
            return
        self._refused = True
        log.warning(
            "refused a request from %s: headers over %d bytes",
            self.client[0] if self.client else "?",
            self.max_header_bytes,
        )
        self.transport.write(refusal_431(self.max_header_bytes))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        asyncio.get_running_loop().call_later(LINGER_SECONDS, self.transport.close)


COALESCE_BYTES = 65_536  # writes up to this size, made in one event-loop step, leave as one


class _Coalesced:
    """A connection's transport whose small writes of one event-loop step leave in one ``send``.

    uvicorn writes an answer's head and its body separately, each a system call that on loopback also
    delivers to (and wakes) the reader; a small answer now goes as one. A write over ``COALESCE_BYTES``
    sends what is pending, then itself, at once (no copy of a large body); closing, ``write_eof`` and
    aborting send or drop what is pending first. Everything else is the transport's."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._pending: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if len(data) > COALESCE_BYTES:
            self.flush()
            self._transport.write(data)
            return
        if not self._pending:
            asyncio.get_running_loop().call_soon(self.flush)
        self._pending.append(bytes(data))

    def writelines(self, lines: Any) -> None:
        for data in lines:
            self.write(data)

    def flush(self) -> None:
        """Send what is pending (dropped when the connection is closing)."""
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending = []
        if not self._transport.is_closing():
            self._transport.write(data)

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(len(p) for p in self._pending)

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending = []
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


_JSON = MediaType.JSON.value.encode()
_OWN = frozenset({"content-type", "content-length"})
_JSON_TYPE = MediaType.JSON.value


class _Sent:
    """An answer's two ASGI messages, as Litestar's ``ASGIResponse`` sends them."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body, "more_body": False})


class DirectJSON(Response[Any]):
    """Litestar's ``Response(content, media_type=JSON)`` whose ASGI answer is built directly when nothing
    else joins it (no cookies, layer headers, background task or HEAD, a status with a body): the same
    two messages, header for header, the body rendered by the response's own ``render`` with the same
    serializer (``bytes`` as they are). ``Response.to_asgi_response`` and ``ASGIResponse`` cost ~19 us of
    CPU an answer, this ~1.5 us (2026-11-30); anything else takes Litestar's way
    (tests/unit/test_gateway_shortcut.py compares the two)."""

    def __init__(
        self, content: Any, *, status_code: int | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(content, status_code=status_code, headers=headers, media_type=MediaType.JSON)

    def to_asgi_response(
        self,
        app: Any,
        request: Request[Any, Any, Any],
        *,
        background: Any = None,
        cookies: Iterable[Any] | None = None,
        encoded_headers: Iterable[tuple[bytes, bytes]] | None = None,
        headers: dict[str, str] | None = None,
        is_head_response: bool = False,
        media_type: Any = None,
        status_code: int | None = None,
        type_encoders: Any = None,
    ) -> Any:
        status = self.status_code or status_code or 200
        joined = app or background or cookies or headers or encoded_headers is not None or is_head_response
        if joined or not self._plain(status):
            return super().to_asgi_response(
                app,
                request,
                background=background,
                cookies=cookies,
                encoded_headers=encoded_headers,
                headers=headers,
                is_head_response=is_head_response,
                media_type=media_type,
                status_code=status_code,
                type_encoders=type_encoders,
            )
        if isinstance(self.content, bytes):
            body = self.content
        else:  # as Response.to_asgi_response renders it
            own = self.response_type_encoders
            encoders = {**type_encoders, **(own or {})} if type_encoders else own
            body = self.render(self.content, _JSON_TYPE, get_serializer(encoders))
        sent = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in self.headers.items()]
        sent += [(b"content-type", _JSON), (b"content-length", str(len(body)).encode())]
        return _Sent(status, sent, body)

    def _plain(self, status: int) -> bool:
        """Nothing of the response's own joins its body and headers (see the class)."""
        return (
            not (self.background or self.cookies)
            and status >= 200
            and status not in (204, 304)
            and all(isinstance(v, str) and k.lower() not in _OWN for k, v in self.headers.items())
        )


def _httptools_protocol() -> type[asyncio.Protocol] | None:
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # httptools not installed: uvicorn would use h11
        return None

    class CappedHttpToolsProtocol(_Cap, HttpToolsProtocol):
        """httptools (llhttp) has no header limit of its own and accumulates each header value in memory.

        Counted twice: exactly, from the parser's callbacks (the URL in pieces, each header once whole),
        and coarsely, by every byte received while a head is incomplete, so one header sent slowly in many
        pieces is cut off after the cap plus one read, before httptools has joined it."""

        _in_head = False
        _streamed = 0
        _exact = 0

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(_Coalesced(transport))  # type: ignore[arg-type]

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            super().data_received(data)
            if self._in_head and not self._refused:
                self._streamed += len(data)
                if self._streamed > self.max_header_bytes:
                    self._refuse()

        def send_400_response(self, msg: str) -> None:
            if not self._refused:  # a parse stopped by _HeadTooLarge already has its answer
                super().send_400_response(msg)

        def on_message_begin(self) -> None:
            self._in_head, self._streamed, self._exact = True, 0, 0
            super().on_message_begin()

        def _count(self, size: int) -> None:
            self._exact += size
            if self._exact > self.max_header_bytes:
                self._refuse()
                raise _HeadTooLarge

        def on_url(self, url: bytes) -> None:
            self._count(len(url))
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._count(len(name) + len(value) + 4)
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            self._in_head = False
            super().on_headers_complete()

    return CappedHttpToolsProtocol


class _CappedConnection(h11.Connection):
    """h11 refuses an incomplete head over ``max_incomplete_event_size`` itself (hint 431); a complete
    one that arrived in a single read is measured here. Either way ``too_large`` tells the protocol."""

    too_large = False

    def __init__(self, max_header_bytes: int) -> None:
        super().__init__(h11.SERVER, max_incomplete_event_size=max_header_bytes)
        self.max_header_bytes = max_header_bytes

    def next_event(self) -> Any:
        try:
            event = super().next_event()
        except h11.RemoteProtocolError as exc:
            self.too_large = exc.error_status_hint == 431
            raise
        if isinstance(event, h11.Request):
            size = len(event.method) + len(event.target) + sum(len(n) + len(v) + 4 for n, v in event.headers)
            if size > self.max_header_bytes:
                self.too_large = True
                raise h11.RemoteProtocolError("request headers too large", error_status_hint=431)
        return event


class CappedH11Protocol(_Cap, H11Protocol):
    """uvicorn's h11 protocol answering 431 (not 400) when the head is over the cap."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conn = _CappedConnection(self.max_header_bytes)

    def data_received(self, data: bytes) -> None:
        if not self._refused:
            super().data_received(data)

    def send_400_response(self, msg: str) -> None:
        if isinstance(self.conn, _CappedConnection) and self.conn.too_large:
            self._refuse()
        else:
            super().send_400_response(msg)


def capped_protocol(max_header_bytes: int, parser: str = "auto") -> type[asyncio.Protocol]:
    """The protocol class uvicorn would pick for ``parser`` ("auto", "httptools", "h11"), capped."""
    base: type[Any] | None = _httptools_protocol() if parser in ("auto", "httptools") else None
    if base is None:
        if parser == "httptools":
            raise RuntimeError("httptools is not installed")
        base = CappedH11Protocol
    return type(base.__name__, (base,), {"max_header_bytes": max_header_bytes})


def serve(app: Any, settings: Any, parser: str = "auto") -> None:
    """Run ``app`` under uvicorn with the header cap and the trusted proxies from ``settings``."""
    import uvicorn

    trusted = [  # uvicorn takes a non-canonical network ("10.0.0.1/8") for a literal host name: normalise
        str(ipaddress.ip_network(entry, strict=False)) if "/" in entry else entry
        for entry in getattr(settings, "trusted_proxies", ())
    ]
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        http=capped_protocol(settings.max_header_bytes, parser),
        h11_max_incomplete_event_size=settings.max_header_bytes,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=5,
        server_header=False,
    )
