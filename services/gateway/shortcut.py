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

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, Response

from services.gateway.bodies import checked_body
from shared.serving import DirectJSON

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


class PassedOn(DirectJSON):
    """An upstream service's JSON bytes passed on (:class:`shared.serving.DirectJSON` with ``bytes``).
    Callgrind, served gateway: recommendation 1.093 M -> 1.049 M instructions, profile read 0.985 M ->
    0.938 M."""

    def __init__(
        self, content: bytes, *, status_code: int | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(content, status_code=status_code, headers=headers)
