"""The hottest routes answered from the gateway's ``before_request`` hook, past Litestar's parameters.

For every request Litestar builds the handler's arguments (its kwargs model reads the path, query, header
and body parameters, resolves the dependencies, and its signature model converts them all again) before
calling the handler. A recommendation's body has been read, checked and converted strictly by then
(:func:`services.gateway.bodies.checked_body`), and a profile read has nothing to convert but its path's
UUID, which the router already parsed. A route whose handler names an *answer* in its ``opt``
(:func:`answered_by`) gets it called from the hook with the checked body; when the answer can give what
the handler would (it returns None otherwise: a header parameter to validate, a body Litestar must read
itself), Litestar skips the arguments and the handler and sends that answer through the same
``to_response``, hooks and exception handlers. Guards have run before the hook, as before.

Measured with callgrind on a served gateway (uvicorn included, 200 requests one after another against
the started system, 2026-11-30), together with the keep-alive pool's own deadline (shared/http.py) and
the profile passed on as bytes: gateway instructions a request, partner-key recommendation 1.178 M ->
1.093 M, signed-in 1.174 M -> 1.087 M, profile read 1.065 M -> 0.985 M (-7 %). Same answers:
tests/unit/test_gateway_shortcut.py sends random and odd requests both ways and compares status,
headers, body and what the upstream services received.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from litestar import MediaType, Request, Response
from litestar.types import Receive, Scope, Send

from services.gateway.bodies import checked_body

__all__ = ["ANSWER", "Answer", "PassedOn", "answered_by", "before_request", "dependency"]

ANSWER = "careerpath.answer"
"""The ``opt`` key naming a handler's answer from the hook."""

Answer = Callable[[Request[Any, Any, Any], Any], Awaitable[Response[Any] | None]]


def answered_by(answer: Answer) -> dict[str, Any]:
    """The ``opt`` of a handler that ``answer`` may answer for: ``answer(request, checked_body)`` returns
    the handler's response, or None to let Litestar call the handler as usual."""
    return {ANSWER: answer}


async def dependency(request: Request[Any, Any, Any], name: str) -> Any:
    """The value Litestar's dependency injection would give the handler's ``name`` parameter."""
    return await request.route_handler.resolve_dependencies()[name]()


async def before_request(request: Request[Any, Any, Any]) -> Response[Any] | None:
    """The gateway's ``before_request`` hook: the strict body checks, then the handler's answer if it has
    one (a truthy return makes Litestar send it instead of calling the handler)."""
    checked = await checked_body(request)
    answer = request.route_handler.opt.get(ANSWER)
    return None if answer is None else await answer(request, checked)


_JSON = MediaType.JSON.value.encode()
_OWN = frozenset({"content-type", "content-length"})


class _Sent:
    """An answer's two ASGI messages, as Litestar's ``ASGIResponse`` sends them."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body, "more_body": False})


class PassedOn(Response[bytes]):
    """An upstream service's JSON bytes passed on: Litestar's ``Response(content, media_type=JSON)``, whose
    ASGI answer is built directly when nothing else joins it (no cookies, layer headers, background task
    or HEAD): the same messages, header for header (``Response.to_asgi_response`` and ``ASGIResponse``
    cost ~19 us of CPU an answer, this ~1.5 us; tests/unit/test_gateway_shortcut.py compares the two).
    Callgrind, served gateway: recommendation 1.093 M -> 1.049 M instructions, profile read 0.985 M ->
    0.938 M."""

    def __init__(
        self, content: bytes, *, status_code: int | None = None, headers: dict[str, str] | None = None
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
        plain = (
            not (app or background or self.background or headers or self.cookies or is_head_response)
            and not cookies
            and encoded_headers is None
            and isinstance(self.content, bytes)
            and status >= 200
            and status not in (204, 304)
            and all(isinstance(v, str) and k.lower() not in _OWN for k, v in self.headers.items())
        )
        if not plain:
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
        body = self.content
        sent = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in self.headers.items()]
        sent += [(b"content-type", _JSON), (b"content-length", str(len(body)).encode())]
        return _Sent(status, sent, body)
