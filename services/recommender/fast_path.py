"""``POST /recommendations/`` answered without Litestar's per-request machinery when nothing is unusual.

Litestar's path for one recommendation (routing, the service-credential middleware, reading the body to a
dict then converting it, dependency injection, the header parameter, building and encoding the
``Response``) cost about a sixth of the recommender's instructions per request (callgrind: ~0.45 M of
2.91 M). :class:`FastRecommend` sits between the app-level exception middleware and Litestar's router and
answers a request itself only when it would surely have succeeded the same way: the credential matches
(``presents_credential``, the check ``ServiceTokenMiddleware`` makes), the body arrived whole within the
size limit, and it decodes *strictly* as a ``RecommendationRequest`` (Litestar converts leniently, so
whatever decodes strictly converts to the same value). Everything else - a wrong credential, a bad or
lenient-only body, an oversized or interrupted one - goes to Litestar as it came (the body read is
replayed), so every refusal keeps its status and body. An exception while answering (the market data
unavailable, a pinned version not kept) is raised to the exception middleware with the route's handlers in
scope, as Litestar's router would have set them: the same error answer, without reading the market data a
second time. The answer is ``routes.answer`` encoded as Litestar encodes it (msgspec), sent with the same
two headers. The route itself stays registered: the OpenAPI document, the slow path and the tests that
call it directly are unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
from litestar._asgi.utils import is_valid_host
from litestar.enums import ScopeType
from litestar.utils.scope.state import ScopeState

from services.recommender.routes import answer
from shared.contracts.recommendations import RecommendationRequest
from shared.contracts.versions import MARKET_VERSION_HEADER
from shared.web.middleware import ServiceTokenMiddleware, presents_credential

if TYPE_CHECKING:
    from collections.abc import Callable

    from litestar import Litestar
    from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

    from services.recommender.market import MarketSource
    from services.recommender.scoring import Scorer

__all__ = ["PATHS", "FastRecommend", "install"]

PATHS = frozenset({"/recommendations", "/recommendations/"})
_VERSION = MARKET_VERSION_HEADER.lower().encode("latin-1")
_LENGTH = b"content-length"
_HOST = b"host"
_decoder = msgspec.json.Decoder(RecommendationRequest)
_encoder = msgspec.json.Encoder()
_JSON = (b"content-type", b"application/json")


class FastRecommend:
    """The ASGI layer answering ``POST /recommendations/`` itself when it can (see the module docstring);
    ``enabled`` False sends every request to Litestar (the equivalence tests compare both)."""

    __slots__ = ("app", "enabled", "handlers", "market", "max_body", "route", "scorer", "token")

    def __init__(
        self,
        app: ASGIApp,
        scorer: Scorer,
        market: Callable[[], MarketSource],
        token: str,
        max_body: int,
        route: tuple[Any, str, str],
    ) -> None:
        self.app, self.scorer, self.market = app, scorer, market
        self.token, self.max_body = token.encode(), max_body
        self.route = route  # the route handler, its path and its path template, as the router finds them
        self.handlers = route[0].resolve_exception_handlers()
        self.enabled = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            not self.enabled
            or scope["type"] != ScopeType.HTTP
            or scope.get("method") != "POST"
            or scope["path"] not in PATHS
            or scope.get("root_path")
            or not presents_credential(scope, self.token)
        ):
            await self.app(scope, receive, send)
            return
        version: str | None = None
        length = b""
        for name, value in scope["headers"]:
            if name == _VERSION and version is None:  # the first one, as Litestar's header parameter reads it
                version = value.decode("latin-1")
            elif name == _LENGTH:
                length = value
            elif name == _HOST and not is_valid_host(value):
                length = b"-"  # the router refuses it
        if length and not (length.isdigit() and int(length) <= self.max_body):
            await self.app(scope, receive, send)  # Litestar refuses it (or reads it) as before
            return
        messages: list[ReceiveMessage] = []
        body = await self._read(receive, messages)
        data = None
        if body is not None:
            try:
                data = _decoder.decode(body)
            except msgspec.DecodeError:  # includes ValidationError: Litestar names every invalid field
                data = None
        if data is None:
            await self.app(scope, _replay(messages, receive), send)
            return
        # what Litestar's router puts in scope before the route runs (the access log and error answers read
        # the path; the app-level exception middleware answers with the route's handlers, as the route's own)
        scope["route_handler"], scope["path"], scope["path_template"] = self.route
        scope["path_params"] = {}
        ScopeState.from_scope(scope).exception_handlers = self.handlers
        current = await self.market().get(version)
        content = _encoder.encode(answer(self.scorer, current, data))
        headers = [_JSON, (b"content-length", str(len(content)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": content, "more_body": False})

    async def _read(self, receive: Receive, messages: list[ReceiveMessage]) -> bytes | None:
        """The whole body (None when it is not a plain one within the limit); every message kept."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _replay(messages: list[ReceiveMessage], receive: Receive) -> Receive:
    """``receive`` giving the messages already read first, then the connection's own."""
    pending = list(messages)

    async def replay() -> ReceiveMessage:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


def install(
    app: Litestar, scorer: Scorer, market: Callable[[], MarketSource], token: str, max_body: int
) -> bool:
    """Put :class:`FastRecommend` in front of ``app``'s router (inside its request-id and exception
    layers); False (nothing changed) when the app is not built as expected, or when the route has a hook,
    a guard or a middleware other than the credential check (the fast path would skip them)."""
    outer = getattr(app.asgi_handler, "app", None)  # RequestIds -> the exception middleware
    router = getattr(outer, "app", None)
    if outer is None or router is not app.asgi_router:
        return False
    _, handler, path, _, template = app.asgi_router.handle_routing(path="/recommendations", method="POST")
    middleware = handler.resolve_middleware()
    plain = (  # nothing the fast path would skip: no hooks or guards, only the credential check it repeats
        handler.resolve_before_request() is None
        and getattr(handler, "after_request", None) is None
        and handler.resolve_after_response() is None
        and not handler.resolve_guards()
        and len(middleware) == 1
        and isinstance(middleware[0], ServiceTokenMiddleware)
    )
    if not plain:
        return False
    outer.app = FastRecommend(router, scorer, market, token, max_body, (handler, path, template))
    return True
