"""Who is calling the gateway, and route guards that check it.

An authentication middleware (sessions for users, API keys for partners) puts a :class:`Principal` where
Litestar keeps the authenticated user, ``scope["user"]`` (``None`` for an anonymous ``/api/`` call);
guards read it, and a guarded handler takes it as ``request.user`` by declaring ``request:
PrincipalRequest``: read once by the middleware, checked once by the guard, no provider per request.
Guards are ``async`` although they never wait: Litestar runs a sync guard in a worker thread, a thread
hop per request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

__all__ = [
    "Principal",
    "PrincipalRequest",
    "admin_guard",
    "current_principal",
    "scope_guard",
    "user_guard",
    "visitor_or_scope_guard",
]


class Principal(msgspec.Struct, kw_only=True, frozen=True):
    """The authenticated caller: a signed-in user (maybe an admin) or a partner API key."""

    kind: Literal["user", "partner"]
    id: str
    role: Literal["user", "admin", "partner"] = "user"
    email: str | None = None
    scopes: frozenset[str] = frozenset()
    session_id: str | None = None
    partner: str | None = None  # a key's partner (the first key of its rotation chain): its rate limit


PrincipalRequest = Request[Principal, None, State]
"""A request a guard admitted: ``request.user`` is the caller."""


def current_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    principal: Principal | None = connection.scope.get("user")
    return principal


def _require(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    principal = current_principal(connection)
    if principal is None:
        raise NotAuthorizedException(detail="sign in or send an API key")
    return principal


async def user_guard(connection: ASGIConnection[Any, Any, Any, Any], _: Any) -> None:
    """A signed-in user (or admin) session."""
    if _require(connection).kind != "user":
        raise PermissionDeniedException(detail="this route is for signed-in users")


async def admin_guard(connection: ASGIConnection[Any, Any, Any, Any], _: Any) -> None:
    """An admin session."""
    if _require(connection).role != "admin":
        raise PermissionDeniedException(detail="admin role required")


def _check_scope(principal: Principal, scope: str) -> None:
    """A partner key must have been granted ``scope``; a session may do what its user may."""
    if principal.kind == "partner" and scope not in principal.scopes:
        raise PermissionDeniedException(detail=f"this API key lacks the scope {scope!r}")


def scope_guard(scope: str) -> Callable[[ASGIConnection[Any, Any, Any, Any], Any], Awaitable[None]]:
    """A user session, or a partner key granted ``scope``."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: Any) -> None:
        _check_scope(_require(connection), scope)

    return guard


def visitor_or_scope_guard(
    scope: str,
) -> Callable[[ASGIConnection[Any, Any, Any, Any], Any], Awaitable[None]]:
    """Anyone: a visitor without an account (limited per IP like every anonymous call), a user session,
    or a partner key granted ``scope``. For answers that read nothing stored and store nothing (the
    quick-start questions, a pasted CV), so a visitor gets results before signing up."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: Any) -> None:
        if (principal := current_principal(connection)) is not None:
            _check_scope(principal, scope)

    return guard
