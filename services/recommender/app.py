"""The recommender service: ranks roles and learning steps from a trained model and market data."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import msgspec
import redis.asyncio as aioredis
from litestar import Litestar, Request

from services.recommender.deps import Wiring, dependencies
from services.recommender.fast_path import install
from services.recommender.market import MarketSource, PointerWatch
from services.recommender.market_routes import MarketVersionController, versions
from services.recommender.model.artefact import DEFAULT_MODEL_DIR, load_latest
from services.recommender.questionnaire import Questionnaire, training_table
from services.recommender.questionnaire_routes import next_question, provide_questionnaire
from services.recommender.routes import RecommendationController, market, market_figures, market_series
from services.recommender.scoring import Scorer
from services.recommender.settings import RecommenderSettings
from shared.catalog import load_catalog, load_snapshot
from shared.contracts.market_document import MarketDocument
from shared.logging import configure_logging
from shared.market import MarketReader, publish
from shared.settings import load_settings
from shared.web.internal import internal_app

__all__ = ["create_app"]
log = logging.getLogger("careerpath.recommender")


async def seed_market(client: aioredis.Redis, prefix: str) -> None:
    """Publish the bundled snapshot when Redis holds no market data yet (the refresh worker replaces it)."""
    try:
        if not await client.exists(prefix + "market:current"):
            version = await publish(client, prefix, msgspec.convert(load_snapshot(), MarketDocument))
            log.info("published bundled market snapshot %s", version)
    except Exception as exc:  # noqa: BLE001 - Redis may be down at start; the reader retries per request
        log.warning("could not seed market data: %s", exc)


def create_app(settings: RecommenderSettings | None = None) -> Litestar:
    settings = settings or load_settings(RecommenderSettings)
    configure_logging("recommender", settings.log_level)
    model_dir = Path(settings.model_dir) if settings.model_dir else DEFAULT_MODEL_DIR
    catalog, artefact = load_catalog(), load_latest(model_dir)
    scorer = Scorer(catalog, artefact)
    questionnaire = Questionnaire(
        scorer, training_table(catalog, artefact.seed, train_rows=artefact.train_rows)
    )
    wiring = Wiring()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        client = aioredis.Redis.from_url(
            settings.redis_url,
            socket_timeout=settings.redis_timeout,
            socket_connect_timeout=settings.redis_timeout,
            health_check_interval=5,
        )
        wiring.redis = client
        # the watch is trusted while it hears from Redis every two heartbeats (see PointerWatch)
        heartbeat = max(0.25, 2 * settings.redis_timeout)
        watch = PointerWatch(client, settings.redis_prefix + "market:current", heartbeat=heartbeat)
        wiring.market = MarketSource(MarketReader(client, settings.redis_prefix), watch)
        await seed_market(client, settings.redis_prefix)
        watch.start()
        try:
            yield
        finally:
            await watch.stop()
            await client.aclose()

    async def checks(request: Request[Any, Any, Any]) -> dict[str, str]:
        try:
            await wiring.redis.ping()
            redis_state = "ok"
        except Exception as exc:  # noqa: BLE001
            redis_state = f"unavailable: {type(exc).__name__}"
        return {"redis": redis_state, "model": "ok"}  # without a usable model there is no app

    app = internal_app(
        "recommender",
        "Role fit, learning steps and market-data versions (internal).",
        settings,
        [
            RecommendationController,
            MarketVersionController,
            market,
            market_figures,
            market_series,
            versions,
            next_question,
        ],
        lifespan,
        checks,
        {**dependencies(settings, scorer, wiring), **provide_questionnaire(questionnaire)},
    )
    # POST /recommendations/ answered in front of the router when nothing is unusual (fast_path.py)
    if not install(app, scorer, lambda: wiring.market, settings.service_token, settings.max_body_bytes):
        log.warning("recommendations are answered through Litestar's router only (unexpected app layout)")
    return app
