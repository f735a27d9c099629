"""Job-market refresh runs (internal, behind the service credential); profile owns ``refresh_runs``.

The gateway's admin routes trigger, list and read runs (:class:`MarketRunController`). ``POST /market/runs``
queues a run and enqueues ``market.refresh`` for it, or answers with the run already queued or running (a
unique index makes a second active run impossible, however many triggers race). The worker drives the runs
it executes through :class:`RunLeaseController` (claim, heartbeat, finish, release, reap, the scheduled
run), with the contract of :mod:`shared.contracts.runs`.
Runs are enqueued through the broker contract (:mod:`shared.contracts.tasks`), whose settings
:func:`refresh_broker` reads and validates when the app is created, not on the first refresh.
"""

from __future__ import annotations

import logging
from uuid import UUID

import anyio
from celery import Celery
from litestar import Controller, Response, get, post
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.params import FromPath, JSONBody

from services.profile.db import DATABASE_ERROR_HANDLERS, Database
from services.profile.deps import Broker, BrokerDep, DatabaseDep, DbDep
from services.profile.runs.repository import RunRepository
from shared.contracts.market import RefreshRequest, RefreshRun, RefreshRunList
from shared.contracts.runs import (
    ClaimRequest,
    FinishRequest,
    HeartbeatRequest,
    LeaseAnswer,
    ReapAnswer,
    ReapRequest,
    ReleaseRequest,
    RunClaim,
    ScheduledRun,
    ScheduledRunRequest,
)
from shared.contracts.sources import parse_source
from shared.contracts.tasks import BrokerSettings, celery_client, enqueue_refresh
from shared.params import RunCursor, RunLimit
from shared.settings import load_settings

__all__ = ["MarketRunController", "RunLeaseController", "refresh_broker"]

log = logging.getLogger("careerpath.profile.runs")


def refresh_broker() -> tuple[BrokerSettings, Celery]:
    """The broker settings (from ``REDIS_URL`` / ``CAREERPATH_*``, a SettingsError when one is bad) and a
    send-only Celery client; called once, when the app is created."""
    settings = load_settings(BrokerSettings)
    return settings, celery_client(settings)


async def _queue(
    database: Database, broker: Broker, source: str, requested_by: str
) -> tuple[RefreshRun, bool]:
    """Queue a run of ``source`` and enqueue ``market.refresh`` for it, or return the active run.

    The run is committed before it is enqueued (the worker claims it on a connection of its own)."""
    _, celery = broker
    try:
        parse_source(source)
    except ValueError as exc:
        raise ValidationException(
            detail="the source is not valid", extra=[{"key": "source", "message": str(exc)}]
        ) from None
    async with database.transaction() as conn:
        run, created = await RunRepository(conn).create(source, requested_by)
    if created:
        try:
            await anyio.to_thread.run_sync(enqueue_refresh, celery, run.id)
        except Exception as exc:  # noqa: BLE001 - the broker is down: free the slot, say so
            log.warning("could not enqueue run %s: %s", run.id, exc)
            async with database.transaction() as conn:
                await RunRepository(conn).fail_queued(run.id, f"could not enqueue: {type(exc).__name__}")
            raise HTTPException(
                status_code=503,
                detail="the task queue is unavailable",
                headers={"Retry-After": "5"},
                extra={"dependency": "broker"},
            ) from None
    return run, created


class MarketRunController(Controller):
    path = "/market/runs"
    tags = ["market"]
    exception_handlers = DATABASE_ERROR_HANDLERS

    @post("/", summary="Queue a refresh, or return the one already queued or running", status_code=202)
    async def trigger(
        self, database: DatabaseDep, broker: BrokerDep, data: JSONBody[RefreshRequest]
    ) -> Response[RefreshRun]:
        run, _ = await _queue(database, broker, data.source or broker[0].refresh_source, data.requested_by)
        return Response(run, status_code=202, headers={"Location": f"/market/runs/{run.id}"})

    @get("/", summary="Refresh runs, newest first")
    async def list_runs(
        self,
        database: DatabaseDep,
        limit: RunLimit = 20,
        before: RunCursor = None,
    ) -> RefreshRunList:
        async with database.read() as conn:
            items, next_before = await RunRepository(conn).page(limit, before)
        return RefreshRunList(items=items, next_before=next_before, next_cursor=next_before)

    @get("/{run_id:uuid}", summary="One refresh run: status, progress, counts, rejected samples")
    async def read(self, database: DatabaseDep, run_id: FromPath[UUID]) -> RefreshRun:
        async with database.read() as conn:
            run = await RunRepository(conn).get(str(run_id))
        if run is None:
            raise NotFoundException(detail="refresh run not found")
        return run


class RunLeaseController(Controller):
    """What a worker does to the runs it executes; ``held`` False tells it another worker took the run."""

    path = "/market/runs"
    tags = ["market-worker"]
    exception_handlers = DATABASE_ERROR_HANDLERS

    @post(
        "/{run_id:uuid}/claim",
        summary="Claim a queued run, or one whose holder's lease ran out",
        status_code=200,
    )
    async def claim(self, db: DbDep, run_id: FromPath[UUID], data: JSONBody[ClaimRequest]) -> RunClaim:
        runs = RunRepository(await db.connection())
        run = await runs.claim(str(run_id), data.worker, data.lease_seconds)
        if run is not None:
            return RunClaim(claimed=True, run=run)
        return RunClaim(claimed=False, run=await runs.get(str(run_id)))

    @post("/{run_id:uuid}/heartbeat", summary="Record a claimed run's phase and counts", status_code=200)
    async def heartbeat(
        self, db: DbDep, run_id: FromPath[UUID], data: JSONBody[HeartbeatRequest]
    ) -> LeaseAnswer:
        runs = RunRepository(await db.connection())
        held = await runs.heartbeat(str(run_id), data.worker, data.phase, data.counts)
        return LeaseAnswer(held=held)

    @post(
        "/{run_id:uuid}/finish", summary="Mark a claimed run succeeded (no error) or failed", status_code=200
    )
    async def finish(self, db: DbDep, run_id: FromPath[UUID], data: JSONBody[FinishRequest]) -> LeaseAnswer:
        runs = RunRepository(await db.connection())
        held = await runs.finish(
            str(run_id),
            data.worker,
            counts=data.counts,
            error=data.error,
            version=data.version,
            previous_version=data.previous_version,
        )
        return LeaseAnswer(held=held)

    @post(
        "/{run_id:uuid}/release",
        summary="Give a claimed run back to the queue (its task retries)",
        status_code=200,
    )
    async def release(self, db: DbDep, run_id: FromPath[UUID], data: JSONBody[ReleaseRequest]) -> LeaseAnswer:
        runs = RunRepository(await db.connection())
        held = await runs.release(str(run_id), data.worker, data.error)
        return LeaseAnswer(held=held)

    @post(
        "/reap",
        summary="Requeue runs whose worker vanished; fail them after too many attempts",
        status_code=200,
    )
    async def reap(self, db: DbDep, data: JSONBody[ReapRequest]) -> ReapAnswer:
        runs = RunRepository(await db.connection())
        requeued = await runs.reap(data.lease_seconds, data.max_attempts, data.queued_timeout)
        return ReapAnswer(requeued=requeued)

    @post("/scheduled", summary="Queue the scheduled run unless one is queued or running", status_code=200)
    async def scheduled(
        self, database: DatabaseDep, broker: BrokerDep, data: JSONBody[ScheduledRunRequest]
    ) -> ScheduledRun:
        run, created = await _queue(database, broker, data.source, "schedule")
        return ScheduledRun(run=run, created=created)
