"""``/api/v1/profiles``: profile CRUD, history and composed recommendations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, post, put
from litestar.openapi.spec import Operation, Parameter
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from services.gateway.auth import PrincipalRequest, user_guard
from services.gateway.deps import ProfilesDep, RecommenderDep
from services.gateway.guarded import get
from services.gateway.shortcut import PassedOn, answered_by, dependency
from shared.clients.profile import ProfileClient, StoredProfile, StoredProfileJSON
from shared.clients.recommender import RecommenderClient
from shared.contracts.common import RoleId
from shared.contracts.profiles import AssessmentList, Profile, ProfileWrite
from shared.contracts.recommendations import RecommendationRequest, RecommendationResponse
from shared.params import NEWEST, HistoryBefore, HistoryPageCursor, Limit, history_before

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


def _forward(stored: StoredProfile) -> Response[Profile]:
    headers = {"ETag": stored.etag} if stored.etag is not None else None
    return Response(stored.profile, status_code=stored.status_code, headers=headers)


def _forward_json(stored: StoredProfileJSON) -> Response[Any]:
    """:func:`_forward` for the profile service's bytes, passed on as they came (the same bytes Litestar
    wrote when it encoded the decoded ``Profile`` again: tests/unit/test_gateway_shortcut.py). A field a
    newer profile service added would now reach the caller before the gateway knows it, as a newer
    recommender's do on the recommendation routes."""
    headers = {"ETag": stored.etag} if stored.etag is not None else None
    return PassedOn(stored.content, status_code=stored.status_code, headers=headers)


async def _read(profiles: ProfileClient, profile_id: UUID, user: str) -> Response[Any]:
    return _forward_json(await profiles.profile_json(str(profile_id), user))


async def _read_checked(request: Request[Any, Any, Any], data: None) -> Response[Any]:
    """:meth:`ProfileRoutes.read`'s answer from the ``before_request`` hook
    (:mod:`services.gateway.shortcut`): its only parameter is the path's UUID, which the router parsed."""
    profiles: ProfileClient = await dependency(request, "profiles")
    return await _read(profiles, request.path_params["profile_id"], request.user.id)


class ProfileRoutes(Controller):
    path = "/api/v1/profiles"
    tags = ["profiles"]
    guards = [user_guard]
    security = [{"session": []}]

    @post("/", summary="Create a profile", description="Send Idempotency-Key to make retries safe.")
    async def create(
        self,
        request: PrincipalRequest,
        profiles: ProfilesDep,
        data: JSONBody[ProfileWrite],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Profile]:
        return _forward(await profiles.create_profile(data, request.user.id, idempotency_key))

    @get(
        "/{profile_id:uuid}",
        summary="Read a profile (ETag in the response)",
        description=(
            "One of your profiles; the ETag header is its version, to send as If-Match when changing it."
        ),
        opt=answered_by(_read_checked),
    )
    async def read(
        self, request: PrincipalRequest, profiles: ProfilesDep, profile_id: FromPath[UUID]
    ) -> Response[Profile]:
        return await _read(profiles, profile_id, request.user.id)

    @put(
        "/{profile_id:uuid}",
        summary="Update a profile (If-Match required: 428 without it, 412 when stale)",
        description=(
            "Replaces the profile's assessment with the body. Send the ETag you read as If-Match: without"
            " it the answer is 428, with an old one 412 (someone changed it since)."
        ),
        operation_class=IfMatchRequired,
    )
    async def update(
        self,
        request: PrincipalRequest,
        profiles: ProfilesDep,
        profile_id: FromPath[UUID],
        data: JSONBody[ProfileWrite],
        if_match: IfMatch = None,
    ) -> Response[Profile]:
        return _forward(await profiles.update_profile(str(profile_id), data, request.user.id, if_match))

    @delete(
        "/{profile_id:uuid}",
        summary="Delete a profile and its history",
        status_code=204,
        description=(
            "Deletes the profile and every assessment of it. If-Match, when sent, must name the current "
            "version (412 otherwise)."
        ),
    )
    async def remove(
        self,
        request: PrincipalRequest,
        profiles: ProfilesDep,
        profile_id: FromPath[UUID],
        if_match: IfMatch = None,
    ) -> None:
        await profiles.delete_profile(str(profile_id), request.user.id, if_match)

    @get(
        "/{profile_id:uuid}/assessments",
        summary="Assessment history, newest first",
        description=(
            "The profile's saved assessments, newest first; pass `next_cursor` as `cursor` for the next page "
            "(`before` = `next_before` still works, deprecated)."
        ),
    )
    async def history(
        self,
        request: PrincipalRequest,
        profiles: ProfilesDep,
        profile_id: FromPath[UUID],
        limit: Limit = 50,
        cursor: HistoryPageCursor = None,
        before: HistoryBefore = NEWEST,
    ) -> AssessmentList:
        return await profiles.history(str(profile_id), request.user.id, limit, history_before(before, cursor))

    @get(
        "/{profile_id:uuid}/recommendations",
        summary="Ranked roles and learning steps for a profile",
        description=(
            "Ranks every role for the stored profile and lists the learning steps toward its target role "
            "(or `target_role` when given)."
        ),
    )
    async def recommendations(
        self,
        request: PrincipalRequest,
        profiles: ProfilesDep,
        recommender: RecommenderDep,
        profile_id: FromPath[UUID],
        target_role: TargetRole = None,
    ) -> RecommendationResponse:
        stored = await profiles.profile(str(profile_id), request.user.id)
        return await recommend_for(recommender, stored.profile, target_role)


async def recommend_for(
    recommender: RecommenderClient, profile: Profile, target_role: str | None
) -> RecommendationResponse:
    """Ask the recommender about a stored profile (for its target role unless another is named)."""
    body = RecommendationRequest(
        skills=profile.skills,
        years_experience=profile.years_experience,
        target_role=target_role or profile.target_role,
    )
    return await recommender.recommend(body)
