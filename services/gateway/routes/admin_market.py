"""``/api/v1/admin/market`` (admins only): trigger a refresh, watch runs, list data versions, roll back."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath, JSONBody

from services.gateway.audit import audit
from services.gateway.auth import PrincipalRequest, admin_guard
from services.gateway.deps import ProfilesDep, RecommenderDep
from services.gateway.routes.admin import unconfirmed
from shared.contracts.market import (
    AdminRefreshRequest,
    AdminSwitchRequest,
    MarketVersions,
    RefreshRequest,
    RefreshRun,
    RefreshRunList,
    RollbackRequest,
)
from shared.params import RunBefore, RunLimit, RunPageCursor

__all__ = ["AdminMarketRoutes"]


class AdminMarketRoutes(Controller):
    path = "/api/v1/admin/market"
    tags = ["admin"]
    guards = [admin_guard]
    security = [{"session": []}]

    @post(
        "/refresh",
        status_code=202,
        summary="Start a job-market refresh (or get the one already running)",
        description=(
            "Only one refresh runs at a time: while one is queued or running, this returns it (202). "
            "Send `{}` to refresh from the configured default source."
        ),
    )
    async def refresh(
        self, request: PrincipalRequest, profiles: ProfilesDep, data: JSONBody[AdminRefreshRequest]
    ) -> Response[RefreshRun]:
        principal = request.user
        body = RefreshRequest(source=data.source, requested_by=principal.email or principal.id)
        run = await profiles.start_refresh(body)
        await audit(
            profiles, request, body.requested_by, "market_refresh_requested", target=run.id, source=run.source
        )
        return Response(run, status_code=202, headers={"Location": f"/api/v1/admin/market/runs/{run.id}"})

    @get(
        "/runs",
        summary="Refresh runs, newest first (pass next_cursor as cursor for the next page)",
        description=(
            "A page of job-market refresh runs, newest first, with their status and counts. `before` "
            "(= `next_before`) still works, deprecated."
        ),
    )
    async def runs(
        self,
        profiles: ProfilesDep,
        limit: RunLimit = 20,
        cursor: RunPageCursor = None,
        before: RunBefore = None,
    ) -> RefreshRunList:
        return await profiles.refresh_runs(limit, cursor if cursor is not None else before)

    @get(
        "/runs/{run_id:uuid}",
        summary="One refresh run: status, progress, counts, rejected samples, version",
        description=(
            "One run as recorded: queued, running, succeeded or failed, how many records were read, "
            "accepted and rejected (with samples of the rejected ones), and the version it published."
        ),
    )
    async def run(self, profiles: ProfilesDep, run_id: FromPath[UUID]) -> RefreshRun:
        return await profiles.refresh_run(str(run_id))

    @get(
        "/versions",
        summary="Published market-data versions kept for rollback, newest first",
        description=(
            "The market-data versions the recommender keeps, which one is served, and where each came from."
        ),
    )
    async def versions(self, recommender: RecommenderDep) -> MarketVersions:
        return await recommender.market_versions()

    @post(
        "/rollback",
        status_code=200,
        summary="Make a kept market-data version the live one (back or forward; confirmed)",
        description=(
            "Makes a kept version the one served, older or newer than the live one: recommendations and "
            "/api/v1/market use it at once. Audited. The body confirms the switch: `confirm` repeats "
            "`version` exactly, and a synthetic version (generated test data) also needs "
            "`confirm_synthetic: true`. A missing `confirm` is 400; a different one, or a synthetic version "
            "without `confirm_synthetic`, is 422 `confirmation_required` naming the field, and the live "
            "version stays as it was. A version not kept: 404. With `expected_live`, a switch decided on a "
            "stale view (another version is live by now) is 409 naming it."
        ),
    )
    async def rollback(
        self,
        request: PrincipalRequest,
        profiles: ProfilesDep,
        recommender: RecommenderDep,
        data: JSONBody[AdminSwitchRequest],
    ) -> MarketVersions:
        if data.confirm != data.version:
            raise unconfirmed("confirm", "confirm must repeat the version id exactly: nothing was switched")
        kept = await recommender.market_versions()
        target = next((v for v in kept.versions if v.version == data.version), None)
        if target is None:
            raise NotFoundException(detail=f"market-data version {data.version!r} is not kept")
        if data.expected_live is not None and data.expected_live != kept.current:
            raise HTTPException(
                status_code=409,
                detail=f"{kept.current} is live now, not {data.expected_live}: nothing was switched",
                extra={"field": "expected_live"},
            )
        if target.synthetic and not data.confirm_synthetic:
            raise unconfirmed(
                "confirm_synthetic",
                f"{data.version} is synthetic (generated test data, never market truth): send "
                "confirm_synthetic: true to make it live anyway; nothing was switched",
            )
        versions = await recommender.rollback(RollbackRequest(version=data.version))
        actor = request.user.email or request.user.id
        await audit(
            profiles,
            request,
            actor,
            "market_rollback",
            target=data.version,
            previous=kept.current,
            synthetic=target.synthetic,
        )
        return versions
