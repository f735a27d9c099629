"""``/api/v1/profiles``: profile CRUD, history and composed recommendations."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import Parameter

from shared.contracts.profiles import AssessmentList, Profile, ProfileWrite
from shared.contracts.recommendations import RecommendationRequest, RecommendationResponse
from shared.validation import check_role, check_skills

__all__ = ["ProfileRoutes"]

IfMatch = Annotated[str | None, Parameter(header="if-match", required=False, description="the ETag you read")]
IdempotencyKey = Annotated[
    str | None, Parameter(header="idempotency-key", required=False, min_length=1, max_length=128)
]


def _forward(upstream_response: Any, type_: type) -> Response[Any]:
    body = msgspec.json.decode(upstream_response.content, type=type_)
    headers = {"ETag": upstream_response.headers["etag"]} if "etag" in upstream_response.headers else None
    return Response(body, status_code=upstream_response.status_code, headers=headers)


class ProfileRoutes(Controller):
    path = "/api/v1/profiles"
    tags = ["profiles"]

    @post("/", summary="Create a profile", description="Send Idempotency-Key to make retries safe.")
    async def create(self, request: Request[Any, Any, Any], data: ProfileWrite,
                     idempotency_key: IdempotencyKey = None) -> Response[Profile]:
        check_skills(data.skills)
        check_role(data.target_role)
        headers = {"idempotency-key": idempotency_key} if idempotency_key else None
        answer = await request.app.state.profile.request("POST", "/profiles/", json=data, headers=headers)
        return _forward(answer, Profile)

    @get("/{profile_id:uuid}", summary="Read a profile (ETag in the response)")
    async def read(self, request: Request[Any, Any, Any], profile_id: UUID) -> Response[Profile]:
        answer = await request.app.state.profile.request("GET", f"/profiles/{profile_id}")
        return _forward(answer, Profile)

    @put("/{profile_id:uuid}", summary="Update a profile (If-Match required: 412 when stale)")
    async def update(self, request: Request[Any, Any, Any], profile_id: UUID, data: ProfileWrite,
                     if_match: IfMatch = None) -> Response[Profile]:
        check_skills(data.skills)
        check_role(data.target_role)
        headers = {"if-match": if_match} if if_match is not None else None
        answer = await request.app.state.profile.request("PUT", f"/profiles/{profile_id}", json=data, headers=headers)
        return _forward(answer, Profile)

    @delete("/{profile_id:uuid}", summary="Delete a profile and its history", status_code=204)
    async def remove(self, request: Request[Any, Any, Any], profile_id: UUID, if_match: IfMatch = None) -> None:
        headers = {"if-match": if_match} if if_match is not None else None
        await request.app.state.profile.request("DELETE", f"/profiles/{profile_id}", headers=headers)

    @get("/{profile_id:uuid}/assessments", summary="Assessment history, newest first")
    async def history(self, request: Request[Any, Any, Any], profile_id: UUID,
                      limit: Annotated[int, Parameter(ge=1, le=200)] = 50) -> AssessmentList:
        answer = await request.app.state.profile.request(
            "GET", f"/profiles/{profile_id}/assessments", params={"limit": limit}
        )
        return msgspec.json.decode(answer.content, type=AssessmentList)

    @get("/{profile_id:uuid}/recommendations", summary="Ranked roles and learning steps for a profile")
    async def recommendations(
        self, request: Request[Any, Any, Any], profile_id: UUID,
        target_role: Annotated[str | None, Parameter(query="target_role", required=False, max_length=64)] = None,
    ) -> RecommendationResponse:
        check_role(target_role)
        answer = await request.app.state.profile.request("GET", f"/profiles/{profile_id}")
        profile = msgspec.json.decode(answer.content, type=Profile)
        body = RecommendationRequest(
            skills=profile.skills, years_experience=profile.years_experience,
            target_role=target_role or profile.target_role,
        )
        scored = await request.app.state.recommender.request("POST", "/recommendations/", json=body)
        return msgspec.json.decode(scored.content, type=RecommendationResponse)
