"""services/gateway/guarded.py: route handlers whose guards get the handler itself (no copy per request)
answer as Litestar's own do, guards run in order, and the gateway's hot routes use them."""

from __future__ import annotations

from typing import Any

import litestar
import pytest
from litestar import Controller, Litestar
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.params import JSONBody
from litestar.testing import TestClient

from services.gateway import guarded
from services.gateway.routes.profiles import ProfileRoutes
from services.gateway.routes.recommendations import RecommendationRoutes, market_figures

seen: list[tuple[str, BaseRouteHandler]] = []


async def first(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    seen.append(("first", handler))
    if connection.headers.get("who") is None:
        raise NotAuthorizedException(detail="sign in")


async def second(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    seen.append(("second", handler))
    if connection.headers.get("who") != "admin":
        raise PermissionDeniedException(detail="admins only")


def _app(get: Any, post: Any) -> Litestar:
    class Routes(Controller):
        path = "/r"
        guards = [first]

        @get("/", guards=[second], sync_to_thread=False)
        def read(self) -> dict[str, str]:
            return {"read": "ok"}

        @post("/", guards=[second], sync_to_thread=False)
        def write(self, data: JSONBody[dict[str, int]]) -> dict[str, int]:
            return data

    return Litestar([Routes], logging_config=None)


@pytest.mark.parametrize("who", [None, "user", "admin"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_answers_are_litestars(who: str | None, method: str) -> None:
    headers = {"who": who} if who else {}
    answers = []
    for get, post in ((litestar.get, litestar.post), (guarded.get, guarded.post)):
        seen.clear()
        with TestClient(_app(get, post)) as client:
            answer = client.request(
                method, "/r", headers=headers, json={"a": 1} if method == "POST" else None
            )
        answers.append((answer.status_code, answer.json(), [name for name, _ in seen]))
    assert answers[0] == answers[1]
    assert answers[1][2] == (["first"] if who is None else ["first", "second"])


def test_guards_get_the_registered_handler_itself() -> None:
    app = _app(guarded.get, guarded.post)
    registered = {h for route in app.routes for h in getattr(route, "route_handlers", [])}
    seen.clear()
    with TestClient(app) as client:
        assert client.get("/r", headers={"who": "admin"}).status_code == 200
        assert client.get("/r", headers={"who": "admin"}).status_code == 200
    handlers = [handler for _, handler in seen]
    assert len(handlers) == 4 and all(h in registered for h in handlers)
    assert len({id(h) for h in handlers}) == 1  # no copy per request or per guard


def test_the_hot_routes_use_them() -> None:
    assert isinstance(RecommendationRoutes.recommend, guarded.GuardedRouteHandler)
    assert isinstance(RecommendationRoutes.batch, guarded.GuardedRouteHandler)
    assert isinstance(ProfileRoutes.read, guarded.GuardedRouteHandler)
    assert isinstance(market_figures, guarded.GuardedRouteHandler)
