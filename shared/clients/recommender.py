"""The recommender's operations, as the gateway calls them.

``recommend_json``, ``batch_json`` and ``market_figures_json`` return the recommender's bytes as they
came: the recommender encodes the same contract Structs, and the gateway passes them on without decoding
and encoding them again (measured: that round trip was most of the gateway's CPU on the hot path).
"""

from __future__ import annotations

import msgspec

from shared.clients import Transport
from shared.contracts.market import MarketVersions, RollbackRequest
from shared.contracts.market_series import MarketSeriesResponse
from shared.contracts.questionnaire import QuestionnaireRequest, QuestionnaireResponse
from shared.contracts.recommendations import BatchRequest, RecommendationRequest, RecommendationResponse
from shared.contracts.versions import MARKET_VERSION_HEADER, ServiceVersions

__all__ = ["RecommenderClient"]

_recommendation = msgspec.json.Decoder(RecommendationResponse)
_versions = msgspec.json.Decoder(MarketVersions, strict=False)  # a recommender before 1.3.0 sends Unix times
_service_versions = msgspec.json.Decoder(ServiceVersions)
_questionnaire = msgspec.json.Decoder(QuestionnaireResponse)
_series = msgspec.json.Decoder(MarketSeriesResponse)


def _pin(market_version: str | None) -> dict[str, str] | None:
    return {MARKET_VERSION_HEADER: market_version} if market_version is not None else None


class RecommenderClient:
    """Calls to the recommender service over ``transport``."""

    __slots__ = ("transport",)

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    async def recommend(self, body: RecommendationRequest) -> RecommendationResponse:
        """Ranked roles and learning steps for one skill vector."""
        return _recommendation.decode(await self.recommend_json(body))

    async def recommend_json(self, body: RecommendationRequest, market_version: str | None = None) -> bytes:
        """:meth:`recommend`, as the recommender's JSON bytes (a ``RecommendationResponse``), computed
        with the kept market version ``market_version`` (default: the live one)."""
        headers = _pin(market_version)
        return (await self.transport.request("POST", "/recommendations/", json=body, headers=headers)).content

    async def batch_json(self, body: BatchRequest | bytes, market_version: str | None = None) -> bytes:
        """Up to 1,000 candidates scored, as the recommender's JSON bytes (a ``BatchResponse``: per
        candidate its roles or its own error), with the kept market version ``market_version`` (default:
        the live one). ``body`` is a BatchRequest, or one as the JSON bytes a caller sent (passed on as
        they are: the recommender reads each candidate on its own)."""
        headers = _pin(market_version)
        sent = msgspec.Raw(body) if isinstance(body, bytes) else body
        answer = await self.transport.request("POST", "/recommendations/batch", json=sent, headers=headers)
        return answer.content

    async def next_question(self, body: QuestionnaireRequest) -> QuestionnaireResponse:
        """The role ranking for the answers so far and the next question to ask."""
        return _questionnaire.decode(await self.next_question_json(body))

    async def next_question_json(self, body: QuestionnaireRequest) -> bytes:
        """:meth:`next_question`, as the recommender's JSON bytes (a ``QuestionnaireResponse``)."""
        return (await self.transport.request("POST", "/questionnaire/next", json=body)).content

    async def versions(self) -> ServiceVersions:
        """The model and the market-data versions kept (and which is live)."""
        return _service_versions.decode((await self.transport.request("GET", "/versions")).content)

    async def market_figures_json(self) -> bytes:
        """The market figures in use, as the recommender's JSON bytes (a ``MarketFigures``)."""
        return (await self.transport.request("GET", "/market/figures")).content

    async def market_series(self) -> MarketSeriesResponse:
        """The monthly series of the market document in use (every skill and role it has)."""
        return _series.decode((await self.transport.request("GET", "/market/series")).content)

    async def market_versions(self) -> MarketVersions:
        """The published market-data versions kept for rollback, newest first."""
        return _versions.decode((await self.transport.request("GET", "/market/versions")).content)

    async def rollback(self, body: RollbackRequest) -> MarketVersions:
        """Serve an earlier kept market-data version again."""
        answer = await self.transport.request("POST", "/market/rollback", json=body)
        return _versions.decode(answer.content)
