"""The Celery broker contract between whoever enqueues a refresh (the profile service) and the worker.

Both sides build their Celery app from :class:`BrokerSettings` with :func:`celery_client` (same broker, same
key prefix, same JSON-only options), send and consume tasks by these names on :data:`QUEUE`, and pass the
arguments as contract JSON (:class:`~shared.contracts.market.RefreshTask`). No task code is imported by a
sender. All of Celery's Redis keys live under ``<CAREERPATH_REDIS_PREFIX>celery:``.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from celery import Celery

from shared.contracts.market import RefreshTask
from shared.settings import BaseSettings

__all__ = [
    "QUEUE",
    "REAP_TASK",
    "REFRESH_TASK",
    "SCHEDULED_TASK",
    "BrokerSettings",
    "celery_client",
    "enqueue_refresh",
]

REFRESH_TASK = "market.refresh"
SCHEDULED_TASK = "market.scheduled_refresh"
REAP_TASK = "market.reap"
QUEUE = "careerpath.market"
RedisUrl = Annotated[str, msgspec.Meta(pattern=r"^rediss?://")]
SourceDefault = Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]


class BrokerSettings(BaseSettings, kw_only=True, frozen=True):
    """Where refresh tasks go. Celery's keys live under ``<redis_prefix>celery:`` so runs never collide."""

    redis_url: RedisUrl = "redis://127.0.0.1:6379/0"
    broker_url: Annotated[str, msgspec.Meta(pattern=r"^$|^rediss?://")] = ""
    refresh_source: SourceDefault = "bundled:real-postings"

    @property
    def broker(self) -> str:
        return self.broker_url or self.redis_url

    @property
    def celery_prefix(self) -> str:
        return self.redis_prefix + "celery:"


def celery_client(
    settings: BrokerSettings, include: list[str] | None = None, hard_limit: float = 960.0
) -> Celery:
    """A Celery app on the broker of ``settings`` (send-only unless ``include`` names task modules).

    ``hard_limit`` is the tasks' hard time limit: an unacknowledged message (its worker died) is delivered
    again after it plus a minute.
    """
    app = Celery("careerpath", broker=settings.broker, backend=settings.broker, include=include or [])
    prefix = settings.celery_prefix
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
    return app


def enqueue_refresh(app: Celery, run_id: str, countdown: float | None = None) -> str:
    """Send ``market.refresh`` for a run (by name, arguments as contract JSON); returns the task id."""
    payload = msgspec.to_builtins(RefreshTask(run_id=run_id))
    return str(app.send_task(REFRESH_TASK, kwargs=payload, countdown=countdown, queue=QUEUE).id)
