"""Internal account routes: users, partner API keys, audit log (the gateway is the only caller)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException
from litestar.params import FromPath, HeaderParameter, JSONBody

from services.profile.accounts import AccountRepository, EmailTaken
from services.profile.db import transaction
from shared.contracts.accounts import (
    ApiKey,
    ApiKeyCreate,
    ApiKeyIssued,
    AuditEntry,
    AuditEvent,
    Credentials,
    KeyCheck,
    NewUser,
    User,
)
from shared.params import ActionFilter, Limit, Offset

__all__ = ["AccountController"]


def _pool(request: Request[Any, Any, Any]) -> Any:
    return request.app.state.pool


def _timeout(request: Request[Any, Any, Any]) -> float:
    return float(request.app.state.settings.db_acquire_timeout)


class AccountController(Controller):
    tags = ["accounts"]

    @post("/users", summary="Create a user", status_code=201)
    async def create_user(self, request: Request[Any, Any, Any], data: JSONBody[NewUser]) -> User:
        async with transaction(_pool(request), _timeout(request)) as conn:
            try:
                return await AccountRepository(conn).create_user(data)
            except EmailTaken:
                raise HTTPException(
                    status_code=409, detail="an account with this email exists", extra={"field": "email"}
                ) from None

    @post("/users/authenticate", summary="Check a password", status_code=200)
    async def authenticate(self, request: Request[Any, Any, Any], data: JSONBody[Credentials]) -> User:
        async with transaction(_pool(request), _timeout(request)) as conn:
            user = await AccountRepository(conn).authenticate(data.email, data.password)
        if user is None:
            raise NotAuthorizedException(detail="wrong email or password")
        return user

    @get("/users/{user_id:uuid}", summary="Read a user")
    async def get_user(self, request: Request[Any, Any, Any], user_id: FromPath[UUID]) -> User:
        async with transaction(_pool(request), _timeout(request)) as conn:
            user = await AccountRepository(conn).get_user(str(user_id))
        if user is None:
            raise NotFoundException(detail="user not found")
        return user

    @delete("/users/{user_id:uuid}", summary="Delete a user and everything they own", status_code=204)
    async def delete_user(self, request: Request[Any, Any, Any], user_id: FromPath[UUID]) -> None:
        async with transaction(_pool(request), _timeout(request)) as conn:
            if not await AccountRepository(conn).delete_user(str(user_id)):
                raise NotFoundException(detail="user not found")

    @post("/keys", summary="Issue a partner API key", status_code=201)
    async def issue_key(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ApiKeyCreate],
        created_by: Annotated[str | None, HeaderParameter(name="x-owner-id", required=False)] = None,
    ) -> ApiKeyIssued:
        async with transaction(_pool(request), _timeout(request)) as conn:
            return await AccountRepository(conn).issue_key(data, created_by)

    @get("/keys", summary="List partner API keys")
    async def list_keys(
        self, request: Request[Any, Any, Any], limit: Limit = 50, offset: Offset = 0
    ) -> list[ApiKey]:
        async with transaction(_pool(request), _timeout(request)) as conn:
            return await AccountRepository(conn).list_keys(limit, offset)

    @delete("/keys/{key_id:uuid}", summary="Revoke a partner API key", status_code=200)
    async def revoke_key(
        self, request: Request[Any, Any, Any], key_id: FromPath[UUID]
    ) -> Response[dict[str, Any]]:
        async with transaction(_pool(request), _timeout(request)) as conn:
            repo = AccountRepository(conn)
            key_hash = await repo.key_hash_of(str(key_id))
            key = await repo.revoke_key(str(key_id))
        if key is None:
            raise NotFoundException(detail="API key not found")
        return Response({"api_key": key, "key_hash": key_hash})

    @post("/keys/check", summary="Check a partner API key", status_code=200)
    async def check_key(self, request: Request[Any, Any, Any], data: JSONBody[KeyCheck]) -> ApiKey:
        async with transaction(_pool(request), _timeout(request)) as conn:
            key = await AccountRepository(conn).check_key(data.key)
        if key is None:
            raise NotAuthorizedException(detail="invalid, expired or revoked API key")
        return key

    @post("/keys/usage", summary="Add usage counted by the gateway", status_code=204)
    async def add_usage(self, request: Request[Any, Any, Any], data: JSONBody[dict[str, int]]) -> None:
        async with transaction(_pool(request), _timeout(request)) as conn:
            await AccountRepository(conn).add_usage(data)

    @post("/audit", summary="Append to the audit log", status_code=204)
    async def audit(self, request: Request[Any, Any, Any], data: JSONBody[AuditEvent]) -> None:
        async with transaction(_pool(request), _timeout(request)) as conn:
            await AccountRepository(conn).audit(data)

    @get("/audit", summary="Read the audit log, newest first")
    async def audit_log(
        self,
        request: Request[Any, Any, Any],
        limit: Limit = 50,
        offset: Offset = 0,
        action: ActionFilter = None,
    ) -> list[AuditEntry]:
        async with transaction(_pool(request), _timeout(request)) as conn:
            return await AccountRepository(conn).audit_log(limit, offset, action)
