"""``/api/v1/recommendations``: score inline skills, one candidate or a batch.

The recommender's answers are passed on as the bytes it sent (it encodes the same contract Structs the
documented return types name); decoding them only to encode them again cost CPU and bought nothing.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.exceptions import HTTPException
from litestar.params import JSONBody

from services.gateway.auth import scope_guard
from services.gateway.conditional import PRIVATE_CACHE, conditional_json, etag_headers
from services.gateway.deps import RecommenderDep
from services.gateway.routes.catalog import NOT_MODIFIED, IfNoneMatch
from services.gateway.routes.versions import MarketVersionPin, pinned_version
from shared.contracts.recommendations import (
    BatchRequest,
    BatchResponse,
    MarketFigures,
    RecommendationRequest,
    RecommendationResponse,
)

__all__ = ["RecommendationRoutes", "market_figures"]


def _as_is(content: bytes) -> Response[Any]:
    return Response(content, media_type=MediaType.JSON)


class RecommendationRoutes(Controller):
    path = "/api/v1/recommendations"
    tags = ["recommendations"]
    guards = [scope_guard("recommendations:write")]
    security = [{"bearer": []}, {"session": []}]

    @post(
        "/",
        summary="Rank roles for a skill vector, with learning steps",
        status_code=200,
        description=(
            "Scores a skill vector against every role of the catalogue: readiness (how much of each role's "
            "requirements is met) and match (how strongly the skills point to the role), best match first, "
            "with the learning steps toward `target_role` (or the best role not met yet) and the market "
            "figures in use. Needs scope `recommendations:write`. Nothing is stored."
        ),
    )
    async def recommend(
        self,
        recommender: RecommenderDep,
        data: JSONBody[RecommendationRequest],
        market_version: MarketVersionPin = None,
    ) -> Response[RecommendationResponse]:
        return _as_is(await recommender.recommend_json(data, pinned_version(market_version)))

    @post(
        "/batch",
        summary="Score up to 1,000 candidates in one call",
        description="Each candidate's `id` names its result, so two candidates may not share one (422 "
        "naming `candidates[i].id`).",
        status_code=200,
    )
    async def batch(
        self,
        recommender: RecommenderDep,
        data: JSONBody[BatchRequest],
        market_version: MarketVersionPin = None,
    ) -> Response[BatchResponse]:
        if (repeated := data.repeated_id()) is not None:
            raise HTTPException(status_code=422, detail=repeated["message"], extra={"field": repeated["key"]})
        return _as_is(await recommender.batch_json(data, pinned_version(market_version)))


@get(
    "/api/v1/market",
    tags=["market"],
    summary="Current market figures per skill and role, with their source",
    description=(
        "The job-market figures recommendations use now: demand per skill, and openings, pay (US dollars "
        "per year) and growth per role, with the version, source and date they come from and the credits "
        "to show. Needs scope `market:read`."
    ),
    guards=[scope_guard("market:read")],
    security=[{"bearer": []}, {"session": []}],
    response_headers=etag_headers(
        "these figures (it moves with the live version and their age)", PRIVATE_CACHE
    ),
    responses=NOT_MODIFIED,
)
async def market_figures(
    request: Request[Any, Any, Any], recommender: RecommenderDep, if_none_match: IfNoneMatch = None
) -> Response[MarketFigures]:
    return conditional_json(request, await recommender.market_figures_json(), PRIVATE_CACHE)
