"""``/api/v1/admin``: partner API keys and the audit log (admin role only)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, JSONBody, QueryParameter
from redis.exceptions import RedisError

from services.gateway.audit import audit
from services.gateway.auth import PrincipalRequest, admin_guard
from services.gateway.deps import ProfilesDep, RedisDep, SettingsDep
from shared.contracts.accounts import ApiKey, ApiKeyCreate, ApiKeyIssued, AuditEntry
from shared.params import ActionFilter, Limit, Offset

__all__ = ["AdminRoutes", "unconfirmed"]

KeyNameConfirm = Annotated[
    str,
    QueryParameter(
        min_length=1,
        max_length=120,
        description="the key's name, exactly as GET /api/v1/admin/keys lists it (confirms which key)",
    ),
]


def unconfirmed(field: str, detail: str) -> HTTPException:
    """The 422 for a destructive admin call whose confirmation ``field`` is wrong (nothing was changed)."""
    return HTTPException(
        status_code=422, detail=detail, extra={"field": field, "code": "confirmation_required"}
    )


async def _flush_usage(profiles: ProfilesDep, redis: RedisDep, settings: SettingsDep) -> None:
    """Move the per-key use counts the gateway keeps in Redis into PostgreSQL."""
    key = f"{settings.redis_prefix}keyusage"
    try:
        async with redis.pipeline(transaction=True) as pipe:
            pipe.hgetall(key)
            pipe.delete(key)
            counts, _ = await pipe.execute()
    except RedisError:
        return
    if counts:
        await profiles.add_key_usage({k.decode(): int(v) for k, v in counts.items()})


class AdminRoutes(Controller):
    path = "/api/v1/admin"
    tags = ["admin"]
    guards = [admin_guard]
    security = [{"session": []}]

    @post(
        "/keys",
        summary="Issue a partner API key (the secret is shown once)",
        status_code=201,
        description=(
            "Creates a key with the given scopes (and expiry); the answer's `key` is the secret, shown "
            "this once only. Audited."
        ),
    )
    async def issue(
        self, request: PrincipalRequest, profiles: ProfilesDep, data: JSONBody[ApiKeyCreate]
    ) -> ApiKeyIssued:
        principal = request.user
        if data.expires_at is not None and data.expires_at <= datetime.now(UTC):
            raise HTTPException(
                status_code=422, detail="expires_at must be in the future", extra={"field": "expires_at"}
            )
        issued = await profiles.issue_key(data, principal.id)
        await audit(
            profiles,
            request,
            principal.email or principal.id,
            "api_key_issued",
            target=issued.api_key.id,
            name=data.name,
            scopes=",".join(data.scopes),
        )
        return issued

    @get(
        "/keys",
        summary="List partner API keys with their use counts",
        description=(
            "Every key with its scopes, expiry, revocation, last use and use count (never the secret)."
        ),
    )
    async def list_keys(
        self,
        profiles: ProfilesDep,
        redis: RedisDep,
        settings: SettingsDep,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> list[ApiKey]:
        await _flush_usage(profiles, redis, settings)
        return await profiles.keys(limit, offset)

    @delete(
        "/keys/{key_id:uuid}",
        summary="Revoke a partner API key (takes effect at once; confirm with the key's name)",
        status_code=200,
        description=(
            "Revokes the key: the next request with it is answered 401, on every gateway. Audited. "
            "Revoking cannot be undone, so the call must confirm which key it means: the query parameter "
            "`confirm` repeats the key's `name` exactly (`DELETE /api/v1/admin/keys/{id}?confirm=Acme%20HR`; "
            "a query parameter because a DELETE body is ignored by many clients and proxies). Missing: 400; "
            "not the key's name: 422 `confirmation_required` naming `confirm`. Either way the key keeps "
            "working."
        ),
    )
    async def revoke(
        self,
        request: PrincipalRequest,
        profiles: ProfilesDep,
        redis: RedisDep,
        settings: SettingsDep,
        key_id: FromPath[UUID],
        confirm: KeyNameConfirm,
    ) -> ApiKey:
        principal = request.user
        key = await profiles.key(str(key_id))  # 404 when unknown
        if confirm != key.name:
            raise unconfirmed(
                "confirm", "confirm must be the key's name, exactly as listed: nothing was revoked"
            )
        revoked = await profiles.revoke_key(str(key_id))
        if revoked.key_hash:
            await redis.delete(f"{settings.redis_prefix}apikey:{revoked.key_hash}")
        await audit(profiles, request, principal.email or principal.id, "api_key_revoked", target=str(key_id))
        return revoked.api_key

    @get(
        "/audit",
        summary="The audit log, newest first",
        description=(
            "Sign-ups, log-ins, key issues and revocations, market refreshes and rollbacks, account "
            "deletions; filter by `action`."
        ),
    )
    async def audit_log(
        self,
        profiles: ProfilesDep,
        limit: Limit = 50,
        offset: Offset = 0,
        action: ActionFilter = None,
    ) -> list[AuditEntry]:
        return await profiles.audit_log(limit, offset, action)
