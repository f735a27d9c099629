"""``/api/v1/admin/market`` (admins only): trigger a refresh, watch runs, list data versions, roll back."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody

from services.gateway.audit import audit
from services.gateway.auth import PrincipalRequest, admin_guard
from services.gateway.deps import ProfilesDep, RecommenderDep
from shared.contracts.market import (
    AdminRefreshRequest,
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
        summary="Serve an earlier kept market-data version again",
        description=(
            "Makes a kept version the one served (recommendations and /api/v1/market use it at once). "
            "Audited."
        ),
    )
    async def rollback(
        self,
        request: PrincipalRequest,
        profiles: ProfilesDep,
        recommender: RecommenderDep,
        data: JSONBody[RollbackRequest],
    ) -> MarketVersions:
        versions = await recommender.rollback(data)
        actor = request.user.email or request.user.id
        await audit(profiles, request, actor, "market_rollback", target=data.version)
        return versions
