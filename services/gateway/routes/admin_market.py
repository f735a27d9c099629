"""``/api/v1/admin/market`` (admins only): trigger a refresh, watch runs, list data versions, roll back."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody

from services.gateway.audit import audit
from services.gateway.auth import admin_guard, current_principal
from shared.contracts.market import (
    AdminRefreshRequest,
    MarketVersions,
    RefreshRequest,
    RefreshRun,
    RefreshRunList,
    RollbackRequest,
)
from shared.params import RunCursor, RunLimit

__all__ = ["AdminMarketRoutes"]


def _actor(request: Request[Any, Any, Any]) -> str:
    principal = current_principal(request)
    assert principal is not None  # admin_guard ran
    return principal.email or principal.id


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
        self, request: Request[Any, Any, Any], data: JSONBody[AdminRefreshRequest]
    ) -> Response[RefreshRun]:
        body = RefreshRequest(source=data.source, requested_by=_actor(request))
        answer = await request.app.state.profile.request("POST", "/market/runs/", json=body)
        run = msgspec.json.decode(answer.content, type=RefreshRun)
        await audit(request, body.requested_by, "market_refresh_requested", target=run.id, source=run.source)
        return Response(run, status_code=202, headers={"Location": f"/api/v1/admin/market/runs/{run.id}"})

    @get("/runs", summary="Refresh runs, newest first (pass next_before as before for the next page)")
    async def runs(
        self,
        request: Request[Any, Any, Any],
        limit: RunLimit = 20,
        before: RunCursor = None,
    ) -> RefreshRunList:
        params: dict[str, Any] = {"limit": limit, **({"before": before} if before else {})}
        answer = await request.app.state.profile.request("GET", "/market/runs/", params=params)
        return msgspec.json.decode(answer.content, type=RefreshRunList)

    @get(
        "/runs/{run_id:uuid}", summary="One refresh run: status, progress, counts, rejected samples, version"
    )
    async def run(self, request: Request[Any, Any, Any], run_id: FromPath[UUID]) -> RefreshRun:
        answer = await request.app.state.profile.request("GET", f"/market/runs/{run_id}")
        return msgspec.json.decode(answer.content, type=RefreshRun)

    @get("/versions", summary="Published market-data versions kept for rollback, newest first")
    async def versions(self, request: Request[Any, Any, Any]) -> MarketVersions:
        answer = await request.app.state.recommender.request("GET", "/market/versions")
        return msgspec.json.decode(answer.content, type=MarketVersions)

    @post("/rollback", status_code=200, summary="Serve an earlier kept market-data version again")
    async def rollback(
        self, request: Request[Any, Any, Any], data: JSONBody[RollbackRequest]
    ) -> MarketVersions:
        answer = await request.app.state.recommender.request("POST", "/market/rollback", json=data)
        await audit(request, _actor(request), "market_rollback", target=data.version)
        return msgspec.json.decode(answer.content, type=MarketVersions)
