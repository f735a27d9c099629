"""Job-market refresh runs (internal: the gateway's admin routes call these with the service credential).

``POST /market/runs`` queues a run and enqueues ``market.refresh`` for it, or answers with the run already
queued or running (a unique index makes a second active run impossible, however many triggers race).
Runs are enqueued through the broker contract (:mod:`shared.contracts.tasks`), whose settings
:func:`refresh_broker` reads and validates when the app is created, not on the first refresh.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

import anyio
from celery import Celery
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.params import FromPath, JSONBody

from services.profile.db import transaction
from services.worker.runs import RunRepository
from shared.contracts.market import RefreshRequest, RefreshRun, RefreshRunList
from shared.contracts.sources import parse_source
from shared.contracts.tasks import BrokerSettings, celery_client, enqueue_refresh
from shared.params import RunCursor, RunLimit
from shared.settings import load_settings

__all__ = ["MarketRunController", "refresh_broker"]

log = logging.getLogger("careerpath.profile.runs")


def refresh_broker() -> tuple[BrokerSettings, Celery]:
    """The broker settings (from ``REDIS_URL`` / ``CAREERPATH_*``, a SettingsError when one is bad) and a
    send-only Celery client; called once, when the app is created."""
    settings = load_settings(BrokerSettings)
    return settings, celery_client(settings)


def _broker(request: Request[Any, Any, Any]) -> tuple[BrokerSettings, Celery]:
    return request.app.state.refresh_broker  # type: ignore[no-any-return]


def _timeout(request: Request[Any, Any, Any]) -> float:
    return float(request.app.state.settings.db_acquire_timeout)


class MarketRunController(Controller):
    path = "/market/runs"
    tags = ["market"]

    @post("/", summary="Queue a refresh, or return the one already queued or running", status_code=202)
    async def trigger(
        self, request: Request[Any, Any, Any], data: JSONBody[RefreshRequest]
    ) -> Response[RefreshRun]:
        settings, celery = _broker(request)
        source = data.source or settings.refresh_source
        try:
            parse_source(source)
        except ValueError as exc:
            raise ValidationException(
                detail="the source is not valid", extra=[{"key": "source", "message": str(exc)}]
            ) from None
        async with transaction(request.app.state.pool, _timeout(request)) as conn:
            run, created = await RunRepository(conn).create(source, data.requested_by)
        if created:
            try:
                await anyio.to_thread.run_sync(enqueue_refresh, celery, run.id)
            except Exception as exc:  # noqa: BLE001 - the broker is down: free the slot, say so
                log.warning("could not enqueue run %s: %s", run.id, exc)
                async with transaction(request.app.state.pool, _timeout(request)) as conn:
                    await RunRepository(conn).fail_queued(run.id, f"could not enqueue: {type(exc).__name__}")
                raise HTTPException(
                    status_code=503,
                    detail="the task queue is unavailable",
                    headers={"Retry-After": "5"},
                    extra={"dependency": "broker"},
                ) from None
        return Response(run, status_code=202, headers={"Location": f"/market/runs/{run.id}"})

    @get("/", summary="Refresh runs, newest first")
    async def list_runs(
        self,
        request: Request[Any, Any, Any],
        limit: RunLimit = 20,
        before: RunCursor = None,
    ) -> RefreshRunList:
        async with transaction(request.app.state.pool, _timeout(request)) as conn:
            items, next_before = await RunRepository(conn).page(limit, before)
        return RefreshRunList(items=items, next_before=next_before)

    @get("/{run_id:uuid}", summary="One refresh run: status, progress, counts, rejected samples")
    async def read(self, request: Request[Any, Any, Any], run_id: FromPath[UUID]) -> RefreshRun:
        async with transaction(request.app.state.pool, _timeout(request)) as conn:
            run = await RunRepository(conn).get(str(run_id))
        if run is None:
            raise NotFoundException(detail="refresh run not found")
        return run
