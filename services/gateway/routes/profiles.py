"""``/api/v1/profiles``: profile CRUD, history and composed recommendations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.openapi.spec import Operation, Parameter
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from services.gateway.auth import current_principal, user_guard
from shared.contracts.common import RoleId
from shared.contracts.profiles import AssessmentList, Profile, ProfileWrite
from shared.contracts.recommendations import RecommendationRequest, RecommendationResponse
from shared.params import NEWEST, HistoryCursor, Limit

__all__ = ["IfMatchRequired", "ProfileRoutes"]

IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="if-match",
        required=False,
        pattern=r'^\s*(W/)?"?[0-9]{1,9}"?\s*$',
        description='the ETag you read, e.g. "3"',
    ),
]


@dataclass
class IfMatchRequired(Operation):
    """An operation whose ``If-Match`` header the OpenAPI document marks required.

    The handler still declares the header optional, so a request without it reaches the handler and is
    answered 428 Precondition Required (RFC 6585) rather than Litestar's generic 400 for a missing
    parameter; the document says what the server enforces.
    """

    def __post_init__(self) -> None:
        for parameter in self.parameters or []:
            if isinstance(parameter, Parameter) and parameter.name.lower() == "if-match":
                parameter.required = True


TargetRole = Annotated[
    RoleId | None, QueryParameter(name="target_role", required=False, description="a role id")
]
IdempotencyKey = Annotated[
    str | None, HeaderParameter(name="idempotency-key", required=False, min_length=1, max_length=128)
]


def owner(request: Request[Any, Any, Any], **extra: str | None) -> dict[str, str]:
    """Headers for the profile service: the signed-in owner, so another user's profile answers 404."""
    principal = current_principal(request)
    assert principal is not None
    return {"x-owner-id": principal.id, **{k: v for k, v in extra.items() if v is not None}}


def _forward(upstream_response: Any, type_: type) -> Response[Any]:
    body: Any = msgspec.json.decode(upstream_response.content, type=type_)
    headers = {"ETag": upstream_response.headers["etag"]} if "etag" in upstream_response.headers else None
    return Response(body, status_code=upstream_response.status_code, headers=headers)


class ProfileRoutes(Controller):
    path = "/api/v1/profiles"
    tags = ["profiles"]
    guards = [user_guard]
    security = [{"session": []}]

    @post("/", summary="Create a profile", description="Send Idempotency-Key to make retries safe.")
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ProfileWrite],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Profile]:
        headers = owner(request, **{"idempotency-key": idempotency_key})
        answer = await request.app.state.profile.request("POST", "/profiles/", json=data, headers=headers)
        return _forward(answer, Profile)

    @get("/{profile_id:uuid}", summary="Read a profile (ETag in the response)")
    async def read(self, request: Request[Any, Any, Any], profile_id: FromPath[UUID]) -> Response[Profile]:
        answer = await request.app.state.profile.request(
            "GET", f"/profiles/{profile_id}", headers=owner(request)
        )
        return _forward(answer, Profile)

    @put(
        "/{profile_id:uuid}",
        summary="Update a profile (If-Match required: 428 without it, 412 when stale)",
        operation_class=IfMatchRequired,
    )
    async def update(
        self,
        request: Request[Any, Any, Any],
        profile_id: FromPath[UUID],
        data: JSONBody[ProfileWrite],
        if_match: IfMatch = None,
    ) -> Response[Profile]:
        headers = owner(request, **{"if-match": if_match})
        answer = await request.app.state.profile.request(
            "PUT", f"/profiles/{profile_id}", json=data, headers=headers
        )
        return _forward(answer, Profile)

    @delete("/{profile_id:uuid}", summary="Delete a profile and its history", status_code=204)
    async def remove(
        self, request: Request[Any, Any, Any], profile_id: FromPath[UUID], if_match: IfMatch = None
    ) -> None:
        headers = owner(request, **{"if-match": if_match})
        await request.app.state.profile.request("DELETE", f"/profiles/{profile_id}", headers=headers)

    @get("/{profile_id:uuid}/assessments", summary="Assessment history, newest first")
    async def history(
        self,
        request: Request[Any, Any, Any],
        profile_id: FromPath[UUID],
        limit: Limit = 50,
        before: HistoryCursor = NEWEST,
    ) -> AssessmentList:
        return await fetch_history(request, str(profile_id), limit, before)

    @get("/{profile_id:uuid}/recommendations", summary="Ranked roles and learning steps for a profile")
    async def recommendations(
        self,
        request: Request[Any, Any, Any],
        profile_id: FromPath[UUID],
        target_role: TargetRole = None,
    ) -> RecommendationResponse:
        answer = await request.app.state.profile.request(
            "GET", f"/profiles/{profile_id}", headers=owner(request)
        )
        return await recommend_for(request, msgspec.json.decode(answer.content, type=Profile), target_role)


async def fetch_history(
    request: Request[Any, Any, Any], profile_id: str, limit: int, before: int | None = None
) -> AssessmentList:
    """A page of a profile's assessments, newest first, as its signed-in owner sees them."""
    params = {"limit": limit} if before is None else {"limit": limit, "before": before}
    answer = await request.app.state.profile.request(
        "GET", f"/profiles/{profile_id}/assessments", params=params, headers=owner(request)
    )
    return msgspec.json.decode(answer.content, type=AssessmentList)


async def recommend_for(request: Request[Any, Any, Any], profile: Profile, target_role: str | None) -> Any:
    """Ask the recommender about a stored profile (for its target role unless another is named)."""
    body = RecommendationRequest(
        skills=profile.skills,
        years_experience=profile.years_experience,
        target_role=target_role or profile.target_role,
    )
    scored = await request.app.state.recommender.request("POST", "/recommendations/", json=body)
    return msgspec.json.decode(scored.content, type=RecommendationResponse)
