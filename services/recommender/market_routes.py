"""Market-data versions (internal: the gateway's admin routes): list the kept versions, roll back to one."""

from __future__ import annotations

import msgspec
import redis.asyncio as aioredis
from litestar import Controller, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import JSONBody
from redis.exceptions import RedisError

from services.recommender.deps import RedisDep, SettingsDep
from shared.contracts.market import MarketVersion, MarketVersions, RollbackRequest
from shared.market import list_versions, rollback

__all__ = ["MarketVersionController"]


def _unavailable(exc: Exception) -> HTTPException:
    return HTTPException(
        status_code=503,
        detail=f"market data store unavailable: {type(exc).__name__}",
        headers={"Retry-After": "2"},
    )


async def _versions(redis: aioredis.Redis, prefix: str) -> MarketVersions:
    try:
        current, versions = await list_versions(redis, prefix)
    except (RedisError, OSError) as exc:
        raise _unavailable(exc) from None
    return MarketVersions(current=current, versions=[msgspec.convert(v, MarketVersion) for v in versions])


class MarketVersionController(Controller):
    path = "/market"
    tags = ["market"]

    @get("/versions", summary="Published market-data versions kept for rollback, newest first")
    async def versions(self, redis: RedisDep, settings: SettingsDep) -> MarketVersions:
        return await _versions(redis, settings.redis_prefix)

    @post("/rollback", summary="Point readers at an earlier kept version", status_code=200)
    async def rollback(
        self, redis: RedisDep, settings: SettingsDep, data: JSONBody[RollbackRequest]
    ) -> MarketVersions:
        try:
            found = await rollback(redis, settings.redis_prefix, data.version)
        except (RedisError, OSError) as exc:
            raise _unavailable(exc) from None
        if not found:
            raise NotFoundException(detail=f"market-data version {data.version!r} is not kept")
        return await _versions(redis, settings.redis_prefix)
