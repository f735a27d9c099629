"""Market-data versions (internal): list the kept versions and roll back to one (the gateway's admin
routes), and what ``GET /api/v1/versions`` shows: the model and the kept versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
import redis.asyncio as aioredis
from litestar import Controller, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import JSONBody
from redis.exceptions import RedisError

from services.recommender.deps import MarketDep, RedisDep, ScorerDep, SettingsDep
from services.recommender.model.artefact import ModelArtefact
from shared.contracts.market import MarketVersion, MarketVersions, RollbackRequest
from shared.contracts.versions import MarketVersionInfo, ModelInfo, ServiceVersions
from shared.market import list_versions, rollback

__all__ = ["MarketVersionController", "model_info", "versions"]

MODEL_DATA = (
    "Stack Overflow Developer Survey 2023 (US respondents) profiles labelled by role, with the skills "
    "taxonomy and roles catalogue (shared/catalog)"
)


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
    kept = [
        msgspec.convert({**v, "published_at": _when(v.get("published_at"))}, MarketVersion) for v in versions
    ]
    return MarketVersions(current=current, versions=kept)


class MarketVersionController(Controller):
    path = "/market"
    tags = ["market"]

    @get("/versions", summary="Published market-data versions kept for rollback, newest first")
    async def versions(self, redis: RedisDep, settings: SettingsDep) -> MarketVersions:
        return await _versions(redis, settings.redis_prefix)

    @post("/rollback", summary="Point readers at an earlier kept version", status_code=200)
    async def rollback(
        self, redis: RedisDep, settings: SettingsDep, market: MarketDep, data: JSONBody[RollbackRequest]
    ) -> MarketVersions:
        try:
            found = await rollback(redis, settings.redis_prefix, data.version)
        except (RedisError, OSError) as exc:
            raise _unavailable(exc) from None
        finally:
            market.forget_live()  # this process's own move is seen at once, before the watch hears of it
        if not found:
            raise NotFoundException(detail=f"market-data version {data.version!r} is not kept")
        return await _versions(redis, settings.redis_prefix)


def model_info(artefact: ModelArtefact) -> ModelInfo:
    """The model as ``GET /api/v1/versions`` shows it."""
    metrics = {k: float(v) for k, v in artefact.metrics.items() if isinstance(v, int | float)}
    return ModelInfo(
        version=artefact.version,
        trained_at=_trained_at(artefact.trained_at),
        data_version=artefact.data_version,
        data=MODEL_DATA,
        metrics=metrics,
    )


def _when(epoch: Any) -> dt.datetime | None:
    """A version's ``published_at`` (Unix time in the stored document) as a UTC date-time, to the second."""
    if not isinstance(epoch, int | float) or isinstance(epoch, bool):
        return None
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC)


def _trained_at(text: str) -> dt.datetime:
    """The artefact's ``trained_at`` (ISO 8601); one written without a zone is UTC."""
    when = dt.datetime.fromisoformat(text)
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


@get("/versions", tags=["market"], summary="The model and the kept market-data versions")
async def versions(scorer: ScorerDep, redis: RedisDep, settings: SettingsDep) -> ServiceVersions:
    try:
        live, kept = await list_versions(redis, settings.redis_prefix)
    except (RedisError, OSError) as exc:
        raise _unavailable(exc) from None
    return ServiceVersions(
        model=model_info(scorer.artefact),
        market_live=live,
        market_versions=[
            MarketVersionInfo(
                version=v["version"],
                live=v["current"],
                as_of=v["as_of"],
                published_at=_when(v.get("published_at")),
                source=v["source"],
                synthetic=v["synthetic"],
                attribution=v["attribution"],
            )
            for v in kept
        ],
    )
