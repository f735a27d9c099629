"""``OPTIONS`` on an API path answers with the methods the OpenAPI document lists for it.

Litestar's automatic OPTIONS handler lists only some of a controller path's methods; this answers from
the document instead, so ``Allow`` and the documentation agree. CORS preflights are left to CORS.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar, Request, Response
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

__all__ = ["AllowMiddleware"]

_METHODS = ("get", "put", "post", "delete", "patch")
_PREFLIGHT = b"access-control-request-method"  # a CORS preflight (the headers are read for OPTIONS only)


class AllowMiddleware(ASGIMiddleware):
    def __init__(self) -> None:
        self._table: list[tuple[re.Pattern[str], str]] | None = None

    def _build(self, app: Litestar) -> list[tuple[re.Pattern[str], str]]:
        table = []
        for path, item in (app.openapi_schema.paths or {}).items():
            methods = [m.upper() for m in _METHODS if getattr(item, m, None) is not None]
            segments = ("[^/]+" if part.startswith("{") else re.escape(part) for part in path.split("/"))
            pattern = re.compile("^" + "/".join(segments) + "/?$")
            table.append((pattern, ", ".join([*methods, "OPTIONS"])))
        return table

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope.get("method") != "OPTIONS" or b"access-control-request-method" in dict(
            scope.get("headers", [])
        ):
            await next_app(scope, receive, send)
            return
        if self._table is None:
            self._table = self._build(scope["litestar_app"])
        path = scope.get("path", "")
        for pattern, allow in self._table:
            if pattern.match(path):
                response = Response(None, status_code=204, headers={"Allow": allow})
                request: Request[Any, Any, Any] = Request(scope, receive, send)
                await response.to_asgi_response(app=None, request=request)(scope, receive, send)
                return
        await next_app(scope, receive, send)
