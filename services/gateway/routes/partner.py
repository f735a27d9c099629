"""``/api/v1/partner``: what a partner key can do for itself: read its own usage and quota, rotate.

Only a partner key is admitted (a browser session gets 403), and only about itself: the key is the
caller's, never one named in the request, so there is nothing to ask about another partner's keys.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from redis.exceptions import RedisError

from services.gateway.audit import audit
from services.gateway.auth import PrincipalRequest, current_principal
from services.gateway.clients import UpstreamError
from services.gateway.deps import ProfilesDep, RedisDep, SettingsDep
from services.gateway.ratelimit import RateLimiter
from services.gateway.usage import day_counts_key, partner_bucket
from shared.contracts.partner import ENDPOINT_CLASSES, KeyRotation, PartnerUsage, RateLimitWindow

__all__ = ["PartnerRoutes", "partner_guard"]


async def partner_guard(connection: ASGIConnection[Any, Any, Any, Any], _: Any) -> None:
    """A partner API key (any scope)."""
    principal = current_principal(connection)
    if principal is None:
        raise NotAuthorizedException(detail="send your API key: Authorization: Bearer cpk_...")
    if principal.kind != "partner":
        raise PermissionDeniedException(detail="this route is for partner API keys")


def _actor(key_id: str) -> str:
    return f"api_key:{key_id}"


class PartnerRoutes(Controller):
    path = "/api/v1/partner"
    tags = ["partner"]
    guards = [partner_guard]
    security = [{"bearer": []}]

    @get(
        "/usage",
        summary="The calling key's own usage and quota",
        description="Requests made today (UTC) by endpoint class, refused ones included; the rate limit's "
        "current window (this request counted); the key's scopes, expiry and, once rotated, the end of "
        "its grace period. Counts and the rate limit follow the partner: a key and the key that "
        "replaced it share them.",
    )
    async def usage(
        self, request: PrincipalRequest, profiles: ProfilesDep, redis: RedisDep, settings: SettingsDep
    ) -> PartnerUsage:
        key = await profiles.key(request.user.id)
        partner = key.family_id or key.id
        limiter = RateLimiter(redis, settings.redis_prefix)
        day = datetime.now(UTC).date()
        try:
            async with redis.pipeline(transaction=False) as pipe:
                pipe.hgetall(day_counts_key(settings.redis_prefix, partner, day))
                pipe.get(limiter.key(partner_bucket(partner)))
                counts, used = await pipe.execute()
        except RedisError:
            raise HTTPException(
                status_code=503, detail="usage counts are unavailable (redis)", headers={"Retry-After": "2"}
            ) from None
        by_class = dict.fromkeys(ENDPOINT_CLASSES, 0)
        for name, count in counts.items():
            if name.decode() in by_class:
                by_class[name.decode()] = int(count)
        quota = settings.key_rate_per_minute
        used_now = int(used or 0)
        return PartnerUsage(
            key_id=key.id,
            name=key.name,
            prefix=key.prefix,
            scopes=key.scopes,
            created_at=key.created_at,
            expires_at=key.expires_at,
            retires_at=key.retires_at,
            replaces=key.replaces,
            replaced_by=key.replaced_by,
            partner_id=partner,
            day=day,
            requests_today=by_class,
            requests_today_total=sum(by_class.values()),
            rate_limit=RateLimitWindow(
                limit=quota,
                used=used_now,
                remaining=max(0, quota - used_now),
                window_seconds=limiter.window,
                resets_in_seconds=limiter.seconds_left(),
            ),
        )

    @post(
        "/keys/rotate",
        summary="Replace the calling key by a new one (the secret is shown once)",
        description="The new key has the same name, scopes, owner and expiry date. The calling key keeps "
        "working for the grace period (`previous.retires_at`), then stops. A key is rotated once: "
        "rotating it again answers 409 naming its successor; so does rotating the new key while the "
        "old one is still in its grace period.",
        status_code=201,
    )
    async def rotate(
        self, request: PrincipalRequest, profiles: ProfilesDep, redis: RedisDep, settings: SettingsDep
    ) -> KeyRotation:
        key_id = request.user.id
        try:
            rotated = await profiles.rotate_key(key_id)
        except UpstreamError as exc:
            if exc.status_code == 409:
                await audit(
                    profiles, request, _actor(key_id), "api_key_rotation_refused", target=key_id, status=409
                )
            raise
        rotation = rotated.rotation
        try:  # forget the cached copy at once, so its end date is read on the next request
            await redis.delete(f"{settings.redis_prefix}apikey:{rotated.previous_key_hash}")
        except RedisError:
            pass  # the cache keeps it at most a minute, and never past its end date
        retires = rotation.previous.retires_at.isoformat() if rotation.previous.retires_at else None
        await audit(
            profiles,
            request,
            _actor(key_id),
            "api_key_rotated",
            target=key_id,
            successor=rotation.api_key.id,
            retires_at=retires,
        )
        await audit(
            profiles,
            request,
            _actor(key_id),
            "api_key_issued",
            target=rotation.api_key.id,
            name=rotation.api_key.name,
            scopes=",".join(rotation.api_key.scopes),
            replaces=key_id,
        )
        return rotation
