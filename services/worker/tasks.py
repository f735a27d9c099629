"""Celery tasks (explicit names): ``market.refresh``, ``market.refresh_chunk``, ``market.scheduled_refresh``,
``market.reap``.

All are idempotent — a refresh claims its run row first, so a redelivered or duplicated message does
nothing — which makes ``acks_late`` and ``reject_on_worker_lost`` safe. Only infrastructure failures
(Redis, the profile service that records the runs) are retried, with exponential backoff and jitter.
"""

from __future__ import annotations

import logging
import os
import socket
from typing import Any

import msgspec
from celery import Task, shared_task
from celery.signals import worker_ready

from services.worker.celery_app import QUEUE, REAP_TASK, enqueue_refresh
from services.worker.chunks import CHUNK_TASK, ChunkTask, process_chunk
from services.worker.refresh import TRANSIENT, execute_run, reap_runs, runs_client
from services.worker.settings import WorkerSettings
from shared.contracts.market import RefreshTask
from shared.settings import load_settings

__all__ = ["reap", "refresh", "refresh_chunk", "scheduled_refresh"]

log = logging.getLogger("careerpath.worker")
MAX_RETRIES = 5
# Options of the small bookkeeping tasks: idempotent, so late acks; infrastructure errors retried.
HOUSEKEEPING: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_jitter": True,
    "max_retries": 3,
}


def _settings(task: Task) -> WorkerSettings:
    settings = getattr(task.app, "careerpath_settings", None)
    return settings if isinstance(settings, WorkerSettings) else load_settings(WorkerSettings)


# Celery ships no type hints: its decorators leave the functions they wrap untyped to mypy, hence the
# `type: ignore[untyped-decorator]` on this one and the three below.
@shared_task(  # type: ignore[untyped-decorator]
    name="market.refresh",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def refresh(self: Task, **payload: Any) -> dict[str, Any]:
    """Execute one queued run (``{"run_id": ...}``)."""
    task = msgspec.convert(payload, RefreshTask)
    worker = f"{socket.gethostname()}:{os.getpid()}:{self.request.id}"
    settings = _settings(self)

    def dispatch(chunk: ChunkTask) -> None:
        self.app.send_task(CHUNK_TASK, kwargs=msgspec.to_builtins(chunk), queue=QUEUE)

    outcome = execute_run(
        task.run_id, settings, worker, attempts_left=self.request.retries < MAX_RETRIES, dispatch=dispatch
    )
    if outcome.get("held"):
        # Delivered again while the run looks held: its holder may be a pool process that was killed (the
        # message came back through reject_on_worker_lost). Look again once its lease must have run out.
        self.app.send_task(REAP_TASK, countdown=settings.lease_seconds * 1.5)
    return outcome


@shared_task(  # type: ignore[untyped-decorator]
    name=CHUNK_TASK, bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def refresh_chunk(self: Task, **payload: Any) -> bool:
    """Aggregate one chunk of a chunked refresh unless it is done or held (idempotent: partials are stored
    by chunk number; a chunk that raises is counted as failed and left to the run's coordinator)."""
    return process_chunk(_settings(self).redis_url, msgspec.convert(payload, ChunkTask))


@shared_task(name="market.scheduled_refresh", **HOUSEKEEPING)  # type: ignore[untyped-decorator]
def scheduled_refresh(self: Task) -> dict[str, Any]:
    """The beat's trigger: queue a run of the default source unless one is already queued or running (the
    profile service records it and enqueues ``market.refresh`` for it)."""
    settings = _settings(self)
    with runs_client(settings) as runs:
        scheduled = runs.schedule(settings.refresh_source)
    return {"run_id": scheduled.run.id, "created": scheduled.created}


@shared_task(name="market.reap", **HOUSEKEEPING)  # type: ignore[untyped-decorator]
def reap(self: Task) -> dict[str, Any]:
    """Requeue runs whose worker died (heartbeat older than the lease); fail them after too many attempts."""
    requeued = reap_runs(_settings(self))
    for run_id in requeued:
        log.warning("run %s lost its worker; queued again", run_id)
        enqueue_refresh(self.app, run_id)
    return {"requeued": requeued}


@worker_ready.connect  # type: ignore[untyped-decorator]
def _reap_on_start(sender: Any = None, **_: Any) -> None:
    """A worker that starts (maybe after a crash) looks for lost runs now, and once the lease has passed."""
    app = sender.app
    settings = getattr(app, "careerpath_settings", None)
    lease = settings.lease_seconds if isinstance(settings, WorkerSettings) else 60.0
    app.send_task(REAP_TASK)
    app.send_task(REAP_TASK, countdown=lease * 1.5)
