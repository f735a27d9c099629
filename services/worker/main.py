"""``careerpath worker`` and ``careerpath beat``: validate settings, then hand over to Celery.

Run exactly one beat per deployment (a second one is harmless — the database lets only one run be queued
or running — but it doubles the scheduler's messages).
"""

from __future__ import annotations

import os
import socket
import sys

from services.worker.settings import WorkerSettings
from shared.logging import configure_logging
from shared.settings import SettingsError, load_settings

__all__ = ["beat_main", "worker_main"]


def _settings(command: str) -> WorkerSettings | None:
    try:
        return load_settings(WorkerSettings)
    except SettingsError as exc:
        print(f"careerpath {command}: invalid setting {exc}", file=sys.stderr)
        return None


def worker_main(argv: list[str] | None = None) -> int:
    """A Celery worker consuming the market queue (prefork pool, ``CAREERPATH_WORKER_CONCURRENCY``)."""
    settings = _settings("worker")
    if settings is None:
        return 2
    configure_logging("worker", settings.log_level)
    from services.worker.celery_app import QUEUE, create_celery

    app = create_celery(settings)
    app.worker_main([
        "worker", "--loglevel", settings.log_level, "--pool", "prefork",
        "--concurrency", str(settings.worker_concurrency), "--queues", QUEUE,
        "--hostname", f"careerpath-{os.getpid()}@{socket.gethostname()}",
        "--without-gossip", "--without-mingle", *(argv or []),
    ])
    return 0


def beat_main(argv: list[str] | None = None) -> int:
    """The scheduler: ``market.scheduled_refresh`` on ``CAREERPATH_REFRESH_SCHEDULE``, ``market.reap`` per lease."""
    settings = _settings("beat")
    if settings is None:
        return 2
    configure_logging("beat", settings.log_level)
    from services.worker.celery_app import create_celery

    app = create_celery(settings)
    app.start(["beat", "--loglevel", settings.log_level, "--schedule", settings.beat_file, *(argv or [])])
    return 0
