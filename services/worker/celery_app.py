"""The Celery application: Redis broker and result backend, JSON only, late acks, time limits, beat schedule.

:func:`create_celery` builds it from settings. The profile service builds a client-only app from
:class:`BrokerSettings` to enqueue runs (``send_task`` by name, no task code imported); ``careerpath worker``
and ``careerpath beat`` build the full one from :class:`WorkerSettings`. All of Celery's Redis keys live
under ``<CAREERPATH_REDIS_PREFIX>celery:``, so two deployments (or test runs) sharing a Redis never meet.
"""

from __future__ import annotations

from celery import Celery
from celery.schedules import crontab

from services.worker.settings import BrokerSettings, WorkerSettings
from shared.contracts.market import RefreshTask

__all__ = ["QUEUE", "REAP_TASK", "REFRESH_TASK", "SCHEDULED_TASK", "create_celery", "enqueue_refresh"]

REFRESH_TASK = "market.refresh"
SCHEDULED_TASK = "market.scheduled_refresh"
REAP_TASK = "market.reap"
QUEUE = "careerpath.market"


def create_celery(settings: BrokerSettings) -> Celery:
    """A Celery app for ``settings``; with :class:`WorkerSettings` it also has the tasks and schedule."""
    is_worker = isinstance(settings, WorkerSettings)
    app = Celery(
        "careerpath",
        broker=settings.broker,
        backend=settings.broker,
        include=["services.worker.tasks"] if is_worker else [],
    )
    prefix = settings.celery_prefix
    hard_limit = settings.task_time_limit if isinstance(settings, WorkerSettings) else 960.0
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=QUEUE,
        task_track_started=True,
        result_expires=86_400,
        # an unacknowledged message (its worker died) is delivered again after this long
        broker_transport_options={"global_keyprefix": prefix, "visibility_timeout": int(hard_limit) + 60},
        result_backend_transport_options={"global_keyprefix": prefix},
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=2,
        task_publish_retry=True,
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0.2,
            "interval_step": 0.5,
            "interval_max": 1,
        },
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        timezone="UTC",
        enable_utc=True,
    )
    if isinstance(settings, WorkerSettings):
        schedule = settings.schedule
        every = (
            schedule
            if isinstance(schedule, float)
            else crontab(
                minute=schedule[0],
                hour=schedule[1],
                day_of_month=schedule[2],
                month_of_year=schedule[3],
                day_of_week=schedule[4],
            )
        )
        app.conf.update(
            task_soft_time_limit=settings.task_soft_time_limit,
            task_time_limit=settings.task_time_limit,
            worker_concurrency=settings.worker_concurrency,
            beat_schedule_filename=settings.beat_file,
            beat_schedule={
                "refresh-market-data": {"task": SCHEDULED_TASK, "schedule": every},
                "reap-lost-runs": {"task": REAP_TASK, "schedule": max(10.0, settings.lease_seconds)},
            },
        )
    app.careerpath_settings = settings  # type: ignore[attr-defined]
    return app


def enqueue_refresh(app: Celery, run_id: str, countdown: float | None = None) -> str:
    """Send ``market.refresh`` for a run (by name, arguments as contract JSON); returns the task id."""
    payload = {"run_id": RefreshTask(run_id=run_id).run_id}
    return str(app.send_task(REFRESH_TASK, kwargs=payload, countdown=countdown, queue=QUEUE).id)
