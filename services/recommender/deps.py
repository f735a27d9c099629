"""What the recommender's handlers are given by Litestar's dependency injection.

``scorer`` (the trained model with its explanations), ``readiness`` (the readiness model) and ``catalog``
(skills and roles) are loaded once when the app is built, ``settings`` is the app's, ``redis`` the client
the lifespan opens. ``market`` (:class:`~services.recommender.market.MarketSource`) gives the request its
market data: ``await market.current()`` is the current document from Redis through the per-document
cache (or the last good copy; 503 when there is none). The handler reads it after its body was
validated, as before, so a malformed request is refused (400) without a round trip to Redis and even
while the market data is unavailable.

What a dependency costs. Every provider is a plain synchronous function run in the event loop (no thread
hop); the app-wide ones are cached (``use_cache``). Litestar resolves dependencies that do not depend on
each other concurrently, in an anyio task group (litestar-org/litestar#4563), which costs about 60 µs a
request, more than the rest of the injection together; so ``market`` declares ``scorer`` as a
sub-dependency and a handler that takes both has them resolved one after the other (about 3 µs).
"""

from __future__ import annotations

import redis.asyncio as aioredis
from litestar.di import NamedDependency, Provide
from litestar.params import SkipValidation

from services.recommender.market import MarketSource
from services.recommender.readiness import ReadinessModel
from services.recommender.scoring import Scorer
from services.recommender.settings import RecommenderSettings
from shared.catalog import Catalog

__all__ = [
    "CatalogDep",
    "MarketDep",
    "ReadinessDep",
    "RedisDep",
    "ScorerDep",
    "SettingsDep",
    "Wiring",
    "dependencies",
]

# What a handler declares to be given one (explicit, and not validated again on every request).
CatalogDep = NamedDependency[SkipValidation[Catalog]]
MarketDep = NamedDependency[SkipValidation[MarketSource]]
ReadinessDep = NamedDependency[SkipValidation[ReadinessModel]]
RedisDep = NamedDependency[SkipValidation[aioredis.Redis]]
ScorerDep = NamedDependency[SkipValidation[Scorer]]
SettingsDep = NamedDependency[SkipValidation[RecommenderSettings]]


class Wiring:
    """The resources the lifespan opens, for the providers to hand out."""

    __slots__ = ("market", "redis")

    market: MarketSource
    redis: aioredis.Redis


def dependencies(settings: RecommenderSettings, scorer: Scorer, wiring: Wiring) -> dict[str, Provide]:
    """The app-level providers."""

    def provide_settings() -> RecommenderSettings:
        return settings

    def provide_scorer() -> Scorer:
        return scorer

    def provide_readiness() -> ReadinessModel:
        return scorer.readiness

    def provide_catalog() -> Catalog:
        return scorer.catalog

    def provide_redis() -> aioredis.Redis:
        return wiring.redis

    def provide_market(scorer: ScorerDep) -> MarketSource:  # scorer: only to be resolved after it
        return wiring.market

    return {
        "settings": Provide(provide_settings, use_cache=True, sync_to_thread=False),
        "scorer": Provide(provide_scorer, use_cache=True, sync_to_thread=False),
        "readiness": Provide(provide_readiness, use_cache=True, sync_to_thread=False),
        "catalog": Provide(provide_catalog, use_cache=True, sync_to_thread=False),
        # not cached: these are the current lifespan's (an app started again opens new ones)
        "redis": Provide(provide_redis, sync_to_thread=False),
        "market": Provide(provide_market, sync_to_thread=False),
    }
