"""``/api/v1/me``: the signed-in user's own profile, history, recommendations, export and deletion."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated

import msgspec
from litestar import Controller, MediaType, Response, delete, get, put
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody
from litestar.response import Stream

from services.gateway.audit import audit
from services.gateway.auth import PrincipalRequest, user_guard
from services.gateway.clients import UpstreamError
from services.gateway.deps import ProfilesDep, RecommenderDep, SessionsDep
from services.gateway.routes.profiles import IfMatch, TargetRole, recommend_for
from services.gateway.routes.progress import ProgressLimit, ProgressRole, progress_of
from services.gateway.sessions import CSRF_COOKIE, SESSION_COOKIE
from shared.clients.profile import ProfileClient
from shared.contracts.accounts import User
from shared.contracts.common import described
from shared.contracts.profiles import Assessment, AssessmentList, Profile, ProfileWrite
from shared.contracts.progress import Progress
from shared.contracts.recommendations import RecommendationResponse
from shared.params import NEWEST, HistoryBefore, HistoryPageCursor, Limit, history_before

__all__ = ["EXPORT_PAGE", "MeRoutes"]

EXPORT_PAGE = 200  # assessments fetched per call to the profile service while an export streams
log = logging.getLogger("careerpath.gateway.export")


class Export(msgspec.Struct, kw_only=True, frozen=True):
    """Everything careerpath keeps about the user: every assessment, newest first (none left out)."""

    user: Annotated[User, described("Your account.")]
    profile: Annotated[Profile | None, described("Your profile, or null when you have none.")]
    assessments: Annotated[list[Assessment], described("Every assessment of your profile, newest first.")]


class MeRoutes(Controller):
    path = "/api/v1/me"
    tags = ["me"]
    guards = [user_guard]
    security = [{"session": []}]

    @get(
        "/profile",
        summary="My profile (404 until saved once)",
        description=(
            "The signed-in user's profile; the ETag header is its version, to send as If-Match when "
            "saving it."
        ),
    )
    async def read(self, request: PrincipalRequest, profiles: ProfilesDep) -> Response[Profile]:
        stored = await profiles.profile_of(request.user.id)
        return Response(stored.profile, headers={"ETag": stored.etag or ""})

    @put(
        "/profile",
        summary="Save my profile: creates it the first time, then needs If-Match",
        description="If-Match is optional only for the first save, which creates the profile; once it "
        "exists, a save without If-Match is answered 428 and one with an old ETag 412.",
    )
    async def save(
        self,
        request: PrincipalRequest,
        profiles: ProfilesDep,
        data: JSONBody[ProfileWrite],
        if_match: IfMatch = None,
    ) -> Response[Profile]:
        owner = request.user.id
        if if_match is None:
            try:
                stored = await profiles.create_profile(data, owner)
            except UpstreamError as exc:
                if exc.status_code == 409:
                    raise HTTPException(
                        status_code=428,
                        detail="you have a profile: send If-Match with its ETag",
                        extra={"field": "If-Match"},
                    ) from None
                raise
        else:
            mine = (await profiles.profile_of(owner)).profile
            stored = await profiles.update_profile(mine.id, data, owner, if_match)
        return Response(stored.profile, status_code=stored.status_code, headers={"ETag": stored.etag or ""})

    @get(
        "/assessments",
        summary="My assessment history, newest first, a page at a time",
        description=(
            "Every save that changed skills or years adds an assessment. Pass the answer's `next_cursor` "
            "as `cursor` for the next (older) page (`before` = `next_before` still works, deprecated)."
        ),
    )
    async def history(
        self,
        request: PrincipalRequest,
        profiles: ProfilesDep,
        limit: Limit = 50,
        cursor: HistoryPageCursor = None,
        before: HistoryBefore = NEWEST,
    ) -> AssessmentList:
        mine = (await profiles.profile_of(request.user.id)).profile
        return await profiles.history(mine.id, request.user.id, limit, history_before(before, cursor))

    @get(
        "/progress",
        summary="My progress: each of my latest assessments scored for one role",
        description=(
            "The latest `limit` saved assessments (default 20), oldest first, each with its readiness and "
            "match for `target_role`, scored together in one call when asked (never stored, so every "
            "point is scored by the model named in the answer)."
        ),
    )
    async def progress(
        self,
        request: PrincipalRequest,
        profiles: ProfilesDep,
        recommender: RecommenderDep,
        target_role: ProgressRole = None,
        limit: ProgressLimit = 20,
    ) -> Progress:
        return await progress_of(profiles, recommender, request.user.id, target_role, limit)

    @get(
        "/recommendations",
        summary="Roles and learning steps for my profile",
        description=(
            "Ranks every role for the signed-in user's saved profile and lists the learning steps toward "
            "the target role (or `target_role` when given)."
        ),
    )
    async def recommendations(
        self,
        request: PrincipalRequest,
        profiles: ProfilesDep,
        recommender: RecommenderDep,
        target_role: TargetRole = None,
    ) -> RecommendationResponse:
        mine = (await profiles.profile_of(request.user.id)).profile
        return await recommend_for(recommender, mine, target_role)

    @get(
        "/export",
        summary="Download everything careerpath keeps about me (JSON)",
        description="Every assessment, however many: streamed a page at a time, so memory stays bounded.",
        responses={200: ResponseSpec(Export, description="the export", generate_examples=False)},
    )
    async def export(self, request: PrincipalRequest, profiles: ProfilesDep) -> Stream:
        owner = request.user.id
        user = await profiles.user(owner)
        try:
            profile: Profile | None = (await profiles.profile_of(owner)).profile
        except UpstreamError as exc:
            if exc.status_code != 404:
                raise
            profile = None
        # The first page is read before the answer starts, so a failure there is an ordinary error
        # answer; the history is read up to the profile's version, the state the export shows.
        first = (
            await profiles.history(profile.id, owner, EXPORT_PAGE, profile.version + 1)
            if profile is not None
            else None
        )
        return Stream(
            _export_chunks(profiles, owner, user, profile, first),
            media_type=MediaType.JSON,
            headers={"Content-Disposition": 'attachment; filename="careerpath-export.json"'},
        )

    @delete(
        "/",
        summary="Delete my account and all my data",
        status_code=204,
        description=(
            "Deletes the account, its profile and history, and ends every session of the user. Cannot be "
            "undone."
        ),
    )
    async def delete_me(
        self, request: PrincipalRequest, profiles: ProfilesDep, sessions: SessionsDep
    ) -> Response[None]:
        principal = request.user
        await profiles.delete_user(principal.id)
        await sessions.delete_user(principal.id)
        await audit(
            profiles, request, principal.email or principal.id, "account_deleted", target=principal.id
        )
        expired = [Cookie(key=name, value="", max_age=0, path="/") for name in (SESSION_COOKIE, CSRF_COOKIE)]
        return Response(None, status_code=204, cookies=expired)


async def _export_chunks(
    profiles: ProfileClient, owner: str, user: User, profile: Profile | None, page: AssessmentList | None
) -> AsyncIterator[bytes]:
    """The export as JSON (the ``Export`` shape), one page of assessments per chunk.

    A page that fails after the answer has started aborts the download (the client sees a broken
    transfer, never a complete-looking file with assessments missing)."""
    encode = msgspec.json.encode
    yield b'{"user":' + encode(user) + b',"profile":' + encode(profile) + b',"assessments":['
    separator = b""
    while page is not None:
        if page.assessments:
            yield separator + encode(page.assessments)[1:-1]
            separator = b","
        if page.next_before is None or profile is None:
            break
        try:
            page = await profiles.history(profile.id, owner, EXPORT_PAGE, page.next_before)
        except HTTPException as exc:
            log.warning("export of %s cut short: %s", profile.id, exc.detail)
            raise
    yield b"]}"
