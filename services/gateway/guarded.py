"""Route handlers whose guards are given the handler itself rather than a copy made for each request.

Litestar's ``authorize_connection`` passes ``copy(handler)`` to every guard of a route on every request:
16 us of the gateway's CPU a request for the recommendation route's handler (``copy.copy`` of it, 20,000
times, 2026-11-30), ~3 % of a recommendation's gateway CPU. The gateway's guards
(:mod:`services.gateway.auth`) read only the caller and never look at the handler, so the hot routes
are declared with :func:`get` and :func:`post` from here: Litestar's own handler class
(``HTTPRouteHandler``, what its ``get`` and ``post`` make, with the same defaults) running the same
guards in the same order, with the same answers (tests/unit/test_guarded.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import HttpMethod
from litestar.connection import ASGIConnection
from litestar.handlers import HTTPRouteHandler

__all__ = ["GuardedRouteHandler", "get", "post"]


class GuardedRouteHandler(HTTPRouteHandler):
    """An HTTP route handler whose guards get the handler as it is (they must not change it)."""

    async def authorize_connection(self, connection: ASGIConnection[Any, Any, Any, Any]) -> None:
        for guard in self.resolve_guards():
            await guard(connection, self)  # type: ignore[misc] # async: Litestar wraps every guard so


def get(path: str | Sequence[str] | None = None, **kwargs: Any) -> GuardedRouteHandler:
    """Litestar's ``@get``, as a :class:`GuardedRouteHandler`."""
    return GuardedRouteHandler(path, http_method=HttpMethod.GET, **kwargs)


def post(path: str | Sequence[str] | None = None, **kwargs: Any) -> GuardedRouteHandler:
    """Litestar's ``@post``, as a :class:`GuardedRouteHandler`."""
    return GuardedRouteHandler(path, http_method=HttpMethod.POST, **kwargs)
