"""Recommender HTTP routes (internal: called by the gateway)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import HeaderParameter, JSONBody

from services.recommender.deps import MarketDep, ScorerDep
from services.recommender.fit_bytes import batch_json
from services.recommender.market import Market
from services.recommender.scoring import Scorer, Standing, gc_paused
from shared.batch import read_batch
from shared.contracts.market_series import MarketSeriesResponse, from_document
from shared.contracts.recommendations import (
    MEANINGS,
    BatchCandidate,
    BatchOptions,
    BatchResponse,
    BatchResult,
    MarketFigures,
    MarketInfo,
    RecommendationRequest,
    RecommendationResponse,
    RoleFit,
    SkillDemand,
)
from shared.contracts.versions import MARKET_VERSION_HEADER

__all__ = [
    "MIN_CONFIDENT_SKILLS",
    "RecommendationController",
    "answer",
    "market",
    "market_figures",
    "market_series",
]

MIN_CONFIDENT_SKILLS = 3
_HINT = (
    "Add the skills you use (at least {n}: say, a programming language, a database and how you deploy): "
    "with {have} no role stands out yet, so the ranking below is only a first guess."
)


def choose_target(roles: Sequence[Standing | RoleFit], asked: str | None) -> tuple[str, list[str]]:
    """The plan's target (the role asked for, else the best-matching role not met yet) and the two or
    three nearest stretch roles (not met, not the target, highest readiness first)."""
    unmet = [r for r in roles if not r.meets]
    target = asked or (unmet[0].role if unmet else roles[0].role)
    stretch = sorted((r for r in unmet if r.role != target), key=lambda r: -r.readiness)[:3]
    return target, [r.role for r in stretch]


PinnedVersion = Annotated[
    str | None,
    HeaderParameter(
        name=MARKET_VERSION_HEADER,
        required=False,
        description="A kept market-data version to answer with (default: the live one); the gateway has "
        "checked its form",
    ),
]


def answer(scorer: Scorer, current: Market, data: RecommendationRequest) -> RecommendationResponse:
    """The answer to one request: the `top` roles explained (not every role), the target and stretch roles
    from every role's standing, the learning steps when asked for."""
    roles, standing = scorer.rank_overview(data.skills, data.years_experience, data.top, current.roles)
    target, stretch = choose_target(standing, data.target_role)
    steps = (
        scorer.learning_steps(data.skills, data.years_experience, target, current.demand)
        if data.learning_plan
        else []
    )
    have = sum(1 for v in data.skills.values() if v > 0)
    confident = have >= MIN_CONFIDENT_SKILLS
    return RecommendationResponse(
        roles=roles,
        target_role=target,
        learning_steps=steps,
        model_version=scorer.model_version,
        market=current.info,
        attribution=list(current.document.attribution),
        confident=confident,
        hint=None
        if confident
        else _HINT.format(n=MIN_CONFIDENT_SKILLS, have="no skills" if not have else f"only {have}"),
        stretch_roles=stretch,
        meanings=MEANINGS,
    )


class RecommendationController(Controller):
    path = "/recommendations"
    tags = ["recommendations"]

    @post("/", summary="Rank roles for a skill vector; learning steps for the target role", status_code=200)
    async def recommend(
        self,
        data: JSONBody[RecommendationRequest],
        scorer: ScorerDep,
        market: MarketDep,
        market_version: PinnedVersion = None,
    ) -> RecommendationResponse:
        current = await market.get(market_version)
        return answer(scorer, current, data)

    @post(
        "/batch",
        summary="Score up to 1,000 candidates in one call",
        status_code=200,
        description="The body is a BatchRequest, read as sent (shared.batch): the envelope in one typed "
        "pass (a malformed batch is refused whole), then each candidate on its own (a bad one gets its own "
        "error).",
    )
    async def batch(
        self, request: Request[Any, Any, Any], scorer: ScorerDep, market: MarketDep
    ) -> Response[BatchResponse]:
        # the collector paused while the batch is read and answered (not across an await): its ~1,000
        # candidates, alive until the answer is written, would otherwise be carried into the oldest
        # generation and set off a collection of the whole heap every few batches
        body = await request.body()
        with gc_paused():
            options, items = read_batch(body)
        current = await market.get(request.headers.get(MARKET_VERSION_HEADER))
        with gc_paused():
            return _answer_batch(scorer, current, options, items)


def _answer_batch(
    scorer: Scorer, current: Market, options: BatchOptions, items: list[BatchCandidate | BatchResult]
) -> Response[BatchResponse]:
    """The answer to a batch read (`read_batch`) with this market data."""
    good = [c for c in items if isinstance(c, BatchCandidate)]
    envelope = BatchResponse(
        results=[],
        succeeded=len(good),
        failed=len(items) - len(good),
        model_version=scorer.model_version,
        market=current.info,
        attribution=list(current.document.attribution),
    )
    # the answer's bytes, written without building its ~3,000 fits (services/recommender/fit_bytes.py;
    # the same bytes as the BatchResponse encoded); documented as the BatchResponse they are
    body: Any
    if options.explain:
        fits = scorer.rank_batch_json(
            [(c.skills, c.years_experience) for c in good],
            options.top,
            options.target,
            current.roles,
        )
        body = batch_json(items, fits, envelope)
    else:  # figures only: the whole answer in one join
        body = scorer.batch_figures_json(items, envelope, options.top, options.target, current.roles)
    return Response(content=body, media_type=MediaType.JSON, status_code=200)


@get("/market", tags=["market"], summary="The market-data version in use")
async def market(market: MarketDep) -> MarketInfo:
    return (await market.current()).info


@get("/market/figures", tags=["market"], summary="The market document in use")
async def market_figures(market: MarketDep) -> MarketFigures:
    current = await market.current()
    doc = current.document
    return MarketFigures(
        market=current.info,
        skills={
            sid: SkillDemand(demand=float(v.demand), trend=float(v.trend or 0.0))
            for sid, v in doc.skills.items()
        },
        roles=current.figures,
        attribution=list(doc.attribution),
    )


@get("/market/series", tags=["market"], summary="The monthly series of the market document in use")
async def market_series(market: MarketDep) -> MarketSeriesResponse:
    current = await market.current()
    doc = current.document
    return from_document(current.info, doc.series, list(doc.attribution))
