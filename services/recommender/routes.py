"""Recommender HTTP routes (internal: called by the gateway)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException, ValidationException
from litestar.params import JSONBody

from shared.catalog import load_catalog
from shared.contracts.recommendations import (
    BatchRequest,
    BatchResponse,
    BatchResult,
    MarketFigures,
    MarketInfo,
    RecommendationRequest,
    RecommendationResponse,
)
from shared.market import MarketReader

__all__ = ["RecommendationController", "market_figures", "market_info"]


async def market_info(reader: MarketReader) -> tuple[MarketInfo, dict[str, Any]]:
    """The current market document and its summary; 503 when none is available at all."""
    try:
        doc = await reader.current()
    except (LookupError, OSError, ConnectionError) as exc:
        raise HTTPException(
            status_code=503,
            detail=f"market data unavailable: {type(exc).__name__}",
            headers={"Retry-After": "2"},
        ) from None
    except Exception as exc:  # redis errors without a last good copy
        raise HTTPException(
            status_code=503,
            detail=f"market data unavailable: {type(exc).__name__}",
            headers={"Retry-After": "2"},
        ) from None
    info = MarketInfo(
        version=str(doc.get("version")),
        source=str(doc.get("source", "")),
        as_of=str(doc.get("as_of", "")),
        stale=reader.stale,
    )
    return info, doc


def _demand(doc: dict[str, Any]) -> dict[str, float]:
    return {sid: float(v.get("demand", 0.0)) for sid, v in doc.get("skills", {}).items()}


_batch_decoder = msgspec.json.Decoder(BatchRequest)


def _decode_batch(body: bytes) -> BatchRequest:
    """The body as a BatchRequest; a 400 naming the field (as Litestar's own decoding would) otherwise."""
    try:
        return _batch_decoder.decode(body)
    except msgspec.ValidationError as exc:
        raise ValidationException(detail=str(exc), extra=[{"message": str(exc), "source": "body"}]) from None
    except msgspec.DecodeError as exc:
        raise ValidationException(detail=f"the body is not valid JSON: {exc}") from None


class RecommendationController(Controller):
    path = "/recommendations"
    tags = ["recommendations"]

    @post("/", summary="Rank roles for a skill vector; learning steps for the target role", status_code=200)
    async def recommend(
        self, request: Request[Any, Any, Any], data: JSONBody[RecommendationRequest]
    ) -> RecommendationResponse:
        info, doc = await market_info(request.app.state.market)
        scorer = request.app.state.scorer
        roles = scorer.rank(data.skills, data.years_experience, top=len(load_catalog().roles))
        target = data.target_role or roles[0].role
        steps = scorer.learning_steps(data.skills, data.years_experience, target, _demand(doc))
        return RecommendationResponse(
            roles=roles[: data.top],
            target_role=target,
            learning_steps=steps,
            model_version=scorer.model_version,
            market=info,
            attribution=list(doc.get("attribution", [])),
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
            [(c.skills, c.years_experience) for c in data.candidates], data.top, data.role
        )
        return BatchResponse(
            results=[BatchResult(id=c.id, roles=r) for c, r in zip(data.candidates, ranked, strict=True)],
            model_version=scorer.model_version,
            market=info,
            attribution=list(doc.get("attribution", [])),
        )


@get("/market/figures", tags=["market"], summary="The market document in use")
async def market_figures(request: Request[Any, Any, Any]) -> MarketFigures:
    info, doc = await market_info(request.app.state.market)
    return msgspec.convert(
        {
            "market": info,
            "skills": doc.get("skills", {}),
            "roles": doc.get("roles", {}),
            "attribution": doc.get("attribution", []),
        },
        MarketFigures,
        from_attributes=True,
    )
