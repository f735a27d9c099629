"""``/api/v1/admin``: partner API keys and the audit log (admin role only)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, JSONBody
from redis.exceptions import RedisError

from services.gateway.audit import audit
from services.gateway.auth import admin_guard, current_principal
from shared.contracts.accounts import ApiKey, ApiKeyCreate, ApiKeyIssued, AuditEntry
from shared.params import ActionFilter, Limit, Offset

__all__ = ["AdminRoutes"]


class _Revoked(msgspec.Struct):
    api_key: ApiKey
    key_hash: str | None = None


def _actor(request: Request[Any, Any, Any]) -> str:
    principal = current_principal(request)
    assert principal is not None
    return principal.email or principal.id


async def _flush_usage(request: Request[Any, Any, Any]) -> None:
    """Move the per-key use counts the gateway keeps in Redis into PostgreSQL."""
    state = request.app.state
    key = f"{state.settings.redis_prefix}keyusage"
    try:
        async with state.redis.pipeline(transaction=True) as pipe:
            pipe.hgetall(key)
            pipe.delete(key)
            counts, _ = await pipe.execute()
    except RedisError:
        return
    if counts:
        usage = {k.decode(): int(v) for k, v in counts.items()}
        await state.profile.request("POST", "/keys/usage", json=usage)


class AdminRoutes(Controller):
    path = "/api/v1/admin"
    tags = ["admin"]
    guards = [admin_guard]
    security = [{"session": []}]

    @post("/keys", summary="Issue a partner API key (the secret is shown once)", status_code=201)
    async def issue(self, request: Request[Any, Any, Any], data: JSONBody[ApiKeyCreate]) -> ApiKeyIssued:
        if data.expires_at is not None and data.expires_at <= datetime.now(UTC):
            raise HTTPException(
                status_code=422, detail="expires_at must be in the future", extra={"field": "expires_at"}
            )
        principal = current_principal(request)
        assert principal is not None
        answer = await request.app.state.profile.request(
            "POST", "/keys", json=data, headers={"x-owner-id": principal.id}
        )
        issued = msgspec.json.decode(answer.content, type=ApiKeyIssued)
        await audit(
            request,
            _actor(request),
            "api_key_issued",
            target=issued.api_key.id,
            name=data.name,
            scopes=",".join(data.scopes),
        )
        return issued

    @get("/keys", summary="List partner API keys with their use counts")
    async def list_keys(
        self, request: Request[Any, Any, Any], limit: Limit = 50, offset: Offset = 0
    ) -> list[ApiKey]:
        await _flush_usage(request)
        answer = await request.app.state.profile.request(
            "GET", "/keys", params={"limit": limit, "offset": offset}
        )
        return msgspec.json.decode(answer.content, type=list[ApiKey])

    @delete("/keys/{key_id:uuid}", summary="Revoke a partner API key (takes effect at once)", status_code=200)
    async def revoke(self, request: Request[Any, Any, Any], key_id: FromPath[UUID]) -> ApiKey:
        answer = await request.app.state.profile.request("DELETE", f"/keys/{key_id}")
        revoked = msgspec.json.decode(answer.content, type=_Revoked)
        if revoked.key_hash:
            await request.app.state.redis.delete(
                f"{request.app.state.settings.redis_prefix}apikey:{revoked.key_hash}"
            )
        await audit(request, _actor(request), "api_key_revoked", target=str(key_id))
        return revoked.api_key

    @get("/audit", summary="The audit log, newest first")
    async def audit_log(
        self,
        request: Request[Any, Any, Any],
        limit: Limit = 50,
        offset: Offset = 0,
        action: ActionFilter = None,
    ) -> list[AuditEntry]:
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if action:
            params["action"] = action
        answer = await request.app.state.profile.request("GET", "/audit", params=params)
        return msgspec.json.decode(answer.content, type=list[AuditEntry])
