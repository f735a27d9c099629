"""Recommender HTTP routes (internal: called by the gateway)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException, ValidationException
from litestar.params import JSONBody

from shared.catalog import load_catalog
from shared.contracts.market_document import MarketDocument
from shared.contracts.recommendations import (
    MEANINGS,
    BatchRequest,
    BatchResponse,
    BatchResult,
    MarketFigures,
    MarketInfo,
    RecommendationRequest,
    RecommendationResponse,
    RoleFit,
    RoleMarket,
    RoleMarketSummary,
    SkillDemand,
)
from shared.market import MarketReader

__all__ = [
    "MIN_CONFIDENT_SKILLS",
    "OUTDATED_AFTER_DAYS",
    "RecommendationController",
    "market_figures",
    "market_info",
]

OUTDATED_AFTER_DAYS = 365
MIN_CONFIDENT_SKILLS = 3
_HINT = (
    "Add the skills you use (at least {n}: say, a programming language, a database and how you deploy): "
    "with {have} no role stands out yet, so the ranking below is only a first guess."
)


def _age_days(as_of: str) -> int | None:
    try:
        return (dt.datetime.now(dt.UTC).date() - dt.date.fromisoformat(as_of[:10])).days
    except ValueError:
        return None


async def market_info(reader: MarketReader) -> tuple[MarketInfo, MarketDocument]:
    """The current market document and its summary; 503 when none is available at all."""
    try:
        doc = await reader.document()
    except Exception as exc:  # no document, Redis down or erroring, and no last good copy
        raise HTTPException(
            status_code=503,
            detail=f"market data unavailable: {type(exc).__name__}",
            headers={"Retry-After": "2"},
        ) from None
    as_of = doc.as_of
    age = _age_days(as_of)
    info = MarketInfo(
        version=str(doc.version),
        source=doc.source,
        as_of=as_of,
        stale=reader.stale,
        age_days=age,
        outdated=age is not None and age > OUTDATED_AFTER_DAYS,
    )
    return info, doc


class _PerDocument:
    """What every answer needs from a market document (pay, openings and growth per role; demand per
    skill), derived once per document: the reader hands out the same decoded document until the version
    moves, so a request does not rebuild them."""

    def __init__(self) -> None:
        self._doc: MarketDocument | None = None
        self.markets: dict[str, RoleMarketSummary] = {}
        self.demand: dict[str, float] = {}

    def of(self, doc: MarketDocument) -> _PerDocument:
        if doc is not self._doc:
            self.markets = {
                role: RoleMarketSummary(
                    salary_median=figures.salary_median,
                    openings=figures.openings,
                    growth_pct=figures.growth_pct,
                    occupation_title=figures.occupation_title,
                )
                for role, figures in doc.roles.items()
            }
            self.demand = {sid: float(v.demand) for sid, v in doc.skills.items()}
            self._doc = doc
        return self


_derived = _PerDocument()


def choose_target(roles: list[RoleFit], asked: str | None) -> tuple[str, list[str]]:
    """The plan's target (the role asked for, else the best-matching role not met yet) and the two or
    three nearest stretch roles (not met, not the target, highest readiness first)."""
    unmet = [r for r in roles if not r.meets]
    target = asked or (unmet[0].role if unmet else roles[0].role)
    stretch = sorted((r for r in unmet if r.role != target), key=lambda r: -r.readiness)[:3]
    return target, [r.role for r in stretch]


_batch_decoder = msgspec.json.Decoder(BatchRequest)


def _decode_batch(body: bytes) -> BatchRequest:
    """The body as a BatchRequest; a 400 naming the field (as Litestar's own decoding would) otherwise,
    and 422 naming the first repeated candidate id."""
    try:
        batch = _batch_decoder.decode(body)
    except msgspec.ValidationError as exc:
        raise ValidationException(detail=str(exc), extra=[{"message": str(exc), "source": "body"}]) from None
    except msgspec.DecodeError as exc:
        raise ValidationException(detail=f"the body is not valid JSON: {exc}") from None
    if (repeated := batch.repeated_id()) is not None:
        raise HTTPException(status_code=422, detail=repeated["message"], extra={"field": repeated["key"]})
    return batch


class RecommendationController(Controller):
    path = "/recommendations"
    tags = ["recommendations"]

    @post("/", summary="Rank roles for a skill vector; learning steps for the target role", status_code=200)
    async def recommend(
        self, request: Request[Any, Any, Any], data: JSONBody[RecommendationRequest]
    ) -> RecommendationResponse:
        info, doc = await market_info(request.app.state.market)
        scorer = request.app.state.scorer
        derived = _derived.of(doc)
        roles = scorer.rank(
            data.skills, data.years_experience, top=len(load_catalog().roles), markets=derived.markets
        )
        target, stretch = choose_target(roles, data.target_role)
        steps = scorer.learning_steps(data.skills, data.years_experience, target, derived.demand)
        have = sum(1 for v in data.skills.values() if v > 0)
        confident = have >= MIN_CONFIDENT_SKILLS
        return RecommendationResponse(
            roles=roles[: data.top],
            target_role=target,
            learning_steps=steps,
            model_version=scorer.model_version,
            market=info,
            attribution=list(doc.attribution),
            confident=confident,
            hint=None
            if confident
            else _HINT.format(n=MIN_CONFIDENT_SKILLS, have="no skills" if not have else f"only {have}"),
            stretch_roles=stretch,
            meanings=MEANINGS,
        )

    @post(
        "/batch",
        summary="Score up to 1,000 candidates in one call",
        status_code=200,
        description="The body is a BatchRequest (decoded here in one typed pass: a 200 kB body decoded to "
        "builtins and then converted cost twice as much).",
    )
    async def batch(self, request: Request[Any, Any, Any]) -> BatchResponse:
        data = _decode_batch(await request.body())
        info, doc = await market_info(request.app.state.market)
        scorer = request.app.state.scorer
        ranked = scorer.rank_batch(
            [(c.skills, c.years_experience) for c in data.candidates],
            data.top,
            data.role,
            _derived.of(doc).markets,
        )
        return BatchResponse(
            results=[BatchResult(id=c.id, roles=r) for c, r in zip(data.candidates, ranked, strict=True)],
            model_version=scorer.model_version,
            market=info,
            attribution=list(doc.attribution),
        )


@get("/market/figures", tags=["market"], summary="The market document in use")
async def market_figures(request: Request[Any, Any, Any]) -> MarketFigures:
    info, doc = await market_info(request.app.state.market)
    return MarketFigures(
        market=info,
        skills={
            sid: SkillDemand(demand=float(v.demand), trend=float(v.trend or 0.0))
            for sid, v in doc.skills.items()
        },
        roles={rid: msgspec.convert(v, RoleMarket, from_attributes=True) for rid, v in doc.roles.items()},
        attribution=list(doc.attribution),
    )
