"""``/api/v1/me``: the signed-in user's own profile, history, recommendations, export and deletion."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, delete, get, put
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException
from litestar.params import JSONBody

from services.gateway.audit import audit
from services.gateway.auth import current_principal, user_guard
from services.gateway.clients import UpstreamError
from services.gateway.routes.profiles import IfMatch, TargetRole, fetch_history, owner, recommend_for
from services.gateway.sessions import CSRF_COOKIE, SESSION_COOKIE
from shared.contracts.accounts import User
from shared.contracts.profiles import Assessment, AssessmentList, Profile, ProfileWrite
from shared.contracts.recommendations import RecommendationResponse
from shared.params import Limit

__all__ = ["MeRoutes"]


class Export(msgspec.Struct, kw_only=True, frozen=True):
    """Everything careerpath keeps about the user."""

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

    @get("/assessments", summary="My assessment history, newest first")
    async def history(self, request: Request[Any, Any, Any], limit: Limit = 50) -> AssessmentList:
        profile, _ = await _my_profile(request)
        return await fetch_history(request, profile.id, limit)

    @get("/recommendations", summary="Roles and learning steps for my profile")
    async def recommendations(
        self,
        request: Request[Any, Any, Any],
        target_role: TargetRole = None,
    ) -> RecommendationResponse:
        profile, _ = await _my_profile(request)
        return await recommend_for(request, profile, target_role)  # type: ignore[no-any-return]

    @get("/export", summary="Download everything careerpath keeps about me (JSON)")
    async def export(self, request: Request[Any, Any, Any]) -> Response[Export]:
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
        assessments: list[Assessment] = []
        if profile is not None:
            assessments = (await fetch_history(request, profile.id, 200)).assessments
        return Response(
            Export(user=user, profile=profile, assessments=assessments),
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
