"""``/api/v1/me``: the signed-in user's own profile, history, recommendations, export and deletion."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Controller, MediaType, Request, Response, delete, get, put
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody
from litestar.response import Stream

from services.gateway.audit import audit
from services.gateway.auth import current_principal, user_guard
from services.gateway.clients import UpstreamError
from services.gateway.routes.profiles import IfMatch, TargetRole, fetch_history, owner, recommend_for
from services.gateway.sessions import CSRF_COOKIE, SESSION_COOKIE
from shared.contracts.accounts import User
from shared.contracts.profiles import Assessment, AssessmentList, Profile, ProfileWrite
from shared.contracts.recommendations import RecommendationResponse
from shared.params import NEWEST, HistoryCursor, Limit

__all__ = ["EXPORT_PAGE", "MeRoutes"]

EXPORT_PAGE = 200  # assessments fetched per call to the profile service while an export streams
log = logging.getLogger("careerpath.gateway.export")


class Export(msgspec.Struct, kw_only=True, frozen=True):
    """Everything careerpath keeps about the user: every assessment, newest first (none left out)."""

    user: User
    profile: Profile | None
    assessments: list[Assessment]


async def _my_profile(request: Request[Any, Any, Any]) -> tuple[Profile, str]:
    principal = current_principal(request)
    assert principal is not None
    answer = await request.app.state.profile.request("GET", f"/profiles/by-owner/{principal.id}")
    return msgspec.json.decode(answer.content, type=Profile), answer.headers.get("etag", "")


class MeRoutes(Controller):
    path = "/api/v1/me"
    tags = ["me"]
    guards = [user_guard]
    security = [{"session": []}]

    @get("/profile", summary="My profile (404 until saved once)")
    async def read(self, request: Request[Any, Any, Any]) -> Response[Profile]:
        profile, etag = await _my_profile(request)
        return Response(profile, headers={"ETag": etag})

    @put(
        "/profile",
        summary="Save my profile: creates it the first time, then needs If-Match",
        description="If-Match is optional only for the first save, which creates the profile; once it "
        "exists, a save without If-Match is answered 428 and one with an old ETag 412.",
    )
    async def save(
        self, request: Request[Any, Any, Any], data: JSONBody[ProfileWrite], if_match: IfMatch = None
    ) -> Response[Profile]:
        upstream = request.app.state.profile
        if if_match is None:
            try:
                answer = await upstream.request("POST", "/profiles/", json=data, headers=owner(request))
            except UpstreamError as exc:
                if exc.status_code == 409:
                    raise HTTPException(
                        status_code=428,
                        detail="you have a profile: send If-Match with its ETag",
                        extra={"field": "If-Match"},
                    ) from None
                raise
        else:
            profile, _ = await _my_profile(request)
            answer = await upstream.request(
                "PUT", f"/profiles/{profile.id}", json=data, headers=owner(request, **{"if-match": if_match})
            )
        body = msgspec.json.decode(answer.content, type=Profile)
        return Response(
            body, status_code=answer.status_code, headers={"ETag": answer.headers.get("etag", "")}
        )

    @get("/assessments", summary="My assessment history, newest first, a page at a time")
    async def history(
        self, request: Request[Any, Any, Any], limit: Limit = 50, before: HistoryCursor = NEWEST
    ) -> AssessmentList:
        profile, _ = await _my_profile(request)
        return await fetch_history(request, profile.id, limit, before)

    @get("/recommendations", summary="Roles and learning steps for my profile")
    async def recommendations(
        self,
        request: Request[Any, Any, Any],
        target_role: TargetRole = None,
    ) -> RecommendationResponse:
        profile, _ = await _my_profile(request)
        return await recommend_for(request, profile, target_role)  # type: ignore[no-any-return]

    @get(
        "/export",
        summary="Download everything careerpath keeps about me (JSON)",
        description="Every assessment, however many: streamed a page at a time, so memory stays bounded.",
        responses={200: ResponseSpec(Export, description="the export", generate_examples=False)},
    )
    async def export(self, request: Request[Any, Any, Any]) -> Stream:
        principal = current_principal(request)
        assert principal is not None
        upstream = request.app.state.profile
        user = msgspec.json.decode(
            (await upstream.request("GET", f"/users/{principal.id}")).content, type=User
        )
        try:
            profile, _ = await _my_profile(request)
        except UpstreamError as exc:
            if exc.status_code != 404:
                raise
            profile = None
        # The first page is read before the answer starts, so a failure there is an ordinary error
        # answer; the history is read up to the profile's version, the state the export shows.
        first = (
            await fetch_history(request, profile.id, EXPORT_PAGE, profile.version + 1)
            if profile is not None
            else None
        )
        return Stream(
            _export_chunks(request, user, profile, first),
            media_type=MediaType.JSON,
            headers={"Content-Disposition": 'attachment; filename="careerpath-export.json"'},
        )

    @delete("/", summary="Delete my account and all my data", status_code=204)
    async def delete_me(self, request: Request[Any, Any, Any]) -> Response[None]:
        principal = current_principal(request)
        assert principal is not None
        await request.app.state.profile.request("DELETE", f"/users/{principal.id}")
        await request.app.state.sessions.delete_user(principal.id)
        await audit(request, principal.email or principal.id, "account_deleted", target=principal.id)
        expired = [Cookie(key=name, value="", max_age=0, path="/") for name in (SESSION_COOKIE, CSRF_COOKIE)]
        return Response(None, status_code=204, cookies=expired)


async def _export_chunks(
    request: Request[Any, Any, Any], user: User, profile: Profile | None, page: AssessmentList | None
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
            page = await fetch_history(request, profile.id, EXPORT_PAGE, page.next_before)
        except HTTPException as exc:
            log.warning("export of %s cut short: %s", profile.id, exc.detail)
            raise
    yield b"]}"
