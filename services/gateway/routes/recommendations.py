"""``/api/v1/recommendations``: score inline skills, one candidate or a batch."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, post

from shared.contracts.recommendations import (
    BatchRequest,
    BatchResponse,
    RecommendationRequest,
    RecommendationResponse,
)
from shared.validation import check_role, check_skills

__all__ = ["RecommendationRoutes"]


class RecommendationRoutes(Controller):
    path = "/api/v1/recommendations"
    tags = ["recommendations"]

    @post("/", summary="Rank roles for a skill vector, with learning steps", status_code=200)
    async def recommend(self, request: Request[Any, Any, Any], data: RecommendationRequest) -> RecommendationResponse:
        check_skills(data.skills)
        check_role(data.target_role)
        answer = await request.app.state.recommender.request("POST", "/recommendations/", json=data)
        return msgspec.json.decode(answer.content, type=RecommendationResponse)

    @post("/batch", summary="Score up to 1,000 candidates in one call", status_code=200)
    async def batch(self, request: Request[Any, Any, Any], data: BatchRequest) -> BatchResponse:
        for i, candidate in enumerate(data.candidates):
            check_skills(candidate.skills, field=f"candidates[{i}].skills")
        check_role(data.role, field="role")
        answer = await request.app.state.recommender.request("POST", "/recommendations/batch", json=data)
        return msgspec.json.decode(answer.content, type=BatchResponse)
