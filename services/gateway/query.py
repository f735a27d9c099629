"""Every query parameter of the API takes one value: a repeated one is refused (400), never guessed."""

from __future__ import annotations

from urllib.parse import parse_qsl

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from shared.contracts.common import ErrorDetail
from shared.web.errors import error_response, refuse

__all__ = ["SingleValueQueryMiddleware"]


class SingleValueQueryMiddleware(ASGIMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        raw = scope.get("query_string", b"")
        if raw and scope["type"] == ScopeType.HTTP:
            names = [name for name, _ in parse_qsl(raw.decode("latin-1"), keep_blank_values=True)]
            repeated = sorted({n for n in names if names.count(n) > 1})
            if repeated:
                errors = [ErrorDetail(field=n, message="give this query parameter once") for n in repeated]
                detail = "the request is not valid"
                response = error_response(400, "validation_error", detail, errors, instance=scope["path"])
                await refuse(scope, receive, send, response)
                return
        await next_app(scope, receive, send)
