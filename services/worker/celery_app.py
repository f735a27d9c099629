"""The Celery application: Redis broker and result backend, JSON only, late acks, time limits, beat schedule.

:func:`create_celery` builds it from settings on the broker contract (:mod:`shared.contracts.tasks`, which
the profile service uses to enqueue runs by name); ``careerpath worker`` and ``careerpath beat`` build the
full one from :class:`WorkerSettings`.
"""

from __future__ import annotations

from celery import Celery
from celery.schedules import crontab

from services.worker.settings import WorkerSettings
from shared.contracts.tasks import (
    QUEUE,
    REAP_TASK,
    REFRESH_TASK,
    SCHEDULED_TASK,
    BrokerSettings,
    celery_client,
    enqueue_refresh,
)

__all__ = ["QUEUE", "REAP_TASK", "REFRESH_TASK", "SCHEDULED_TASK", "create_celery", "enqueue_refresh"]


def create_celery(settings: BrokerSettings) -> Celery:
    """A Celery app for ``settings``; with :class:`WorkerSettings` it also has the tasks and schedule."""
    is_worker = isinstance(settings, WorkerSettings)
    app = celery_client(
        settings,
        include=["services.worker.tasks"] if is_worker else None,
        hard_limit=settings.task_time_limit if isinstance(settings, WorkerSettings) else 960.0,
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
    app.careerpath_settings = settings  # read back by the tasks (services.worker.tasks._settings)
    return app
