"""``/api/v1/recommendations``: score inline skills, one candidate or a batch.

The recommender's answers are passed on as the bytes it sent (it encodes the same contract Structs the
documented return types name); decoding them only to encode them again cost CPU and bought nothing.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Litestar, Request, Response
from litestar import post as litestar_post
from litestar.datastructures import ResponseHeader
from litestar.openapi import OpenAPIConfig
from litestar.params import JSONBody

from services.gateway.auth import scope_guard
from services.gateway.conditional import PRIVATE_CACHE, conditional_json, etag_headers
from services.gateway.deps import RecommenderDep
from services.gateway.guarded import get, post
from services.gateway.routes.catalog import NOT_MODIFIED, IfNoneMatch
from services.gateway.routes.versions import MarketVersionPin, pinned_version
from services.gateway.shortcut import PassedOn, answered_by, dependency
from shared.batch import check_envelope
from shared.clients.recommender import RecommenderClient
from shared.contracts.recommendations import (
    BatchRequest,
    BatchResponse,
    MarketFigures,
    RecommendationRequest,
    RecommendationResponse,
)
from shared.contracts.versions import MARKET_VERSION_HEADER
from shared.web.openapi_document import finish_document

__all__ = ["ROLE_DEPRECATION", "RecommendationRoutes", "document_batch_body", "market_figures"]

BATCH_PATH = "/api/v1/recommendations/batch"
ROLE_DEPRECATION = {"Deprecation": "@1796083200"}  # RFC 9745: deprecated since 2026-12-01 (1.3.0)


def _as_is(content: bytes) -> Response[Any]:
    return PassedOn(content)


_PIN = MARKET_VERSION_HEADER.lower()


async def _recommend_checked(
    request: Request[Any, Any, Any], data: RecommendationRequest | None
) -> Response[Any] | None:
    """:meth:`RecommendationRoutes.recommend`'s answer from the strictly checked body
    (:mod:`services.gateway.shortcut`); None when the body was not converted as sent or the request pins a
    market version (its header is Litestar's to validate)."""
    if data is None or _PIN in request.headers:
        return None
    recommender: RecommenderClient = await dependency(request, "recommender")
    return _as_is(await recommender.recommend_json(data, pinned_version(None)))


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
        opt=answered_by(_recommend_checked),
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
        description="Each candidate gets its result or its own error (422, the fields at fault named as "
        "`candidates[i].<field>`), in the order sent; `succeeded` and `failed` count them, and the answer "
        "is 200 when the batch itself is well-formed. The batch as a whole is refused only when it is "
        "malformed: not a JSON object, no `candidates` list or more than 1,000 (400), or two candidates "
        "with one `id` (ids name the results; 422 naming `candidates[i].id`). The target role is "
        "`target_role`, as on the single call; `role` is its deprecated name (answered with a "
        "`Deprecation` header; giving both is 422 naming `role`).",
        status_code=200,
        response_headers=[
            ResponseHeader(
                name="Deprecation",
                description="The request used `role`, the deprecated name of `target_role` (RFC 9745: the "
                "date it was deprecated).",
                documentation_only=True,
                required=False,
            )
        ],
    )
    async def batch(
        self,
        request: Request[Any, Any, Any],
        recommender: RecommenderDep,
        market_version: MarketVersionPin = None,
    ) -> Response[BatchResponse]:
        # Read here, not as a `data` parameter: one bad candidate must not fail the whole batch. Only the
        # envelope is checked; the recommender reads each candidate from the body passed on as it came.
        body = await request.body()
        options = check_envelope(body)
        answer = _as_is(await recommender.batch_json(body, pinned_version(market_version)))
        if options.role is not None:
            answer.headers.update(ROLE_DEPRECATION)
        return answer


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


def document_batch_body(app: Litestar) -> None:
    """Declare the batch's body, a BatchRequest, in the app's finished OpenAPI document (call after
    ``document_errors``). The route reads its body itself, so Litestar does not know its type: the schemas
    come from a one-route app that takes a BatchRequest, finished the same way."""

    @litestar_post(BATCH_PATH, sync_to_thread=False)
    def typed(data: JSONBody[BatchRequest]) -> None: ...

    model = Litestar([typed], openapi_config=OpenAPIConfig(title="batch", version="1"), logging_config=None)
    finish_document(model)
    source, target = model.openapi_schema.to_schema(), app.openapi_schema.to_schema()
    target["paths"][BATCH_PATH]["post"]["requestBody"] = source["paths"][BATCH_PATH]["post"]["requestBody"]
    schemas = target.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in source["components"]["schemas"].items():
        schemas.setdefault(name, schema)
