"""``careerpath worker`` and ``careerpath beat``: validate settings, then hand over to Celery.

Run exactly one beat per deployment (a second one is harmless — the database lets only one run be queued
or running — but it doubles the scheduler's messages).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from services.worker.settings import WorkerSettings
from shared.logging import configure_logging
from shared.settings import SettingsError, load_settings

if TYPE_CHECKING:
    from celery import Celery

__all__ = ["beat_main", "wait_ready", "worker_main"]


def _settings(command: str) -> WorkerSettings | None:
    try:
        return load_settings(WorkerSettings)
    except SettingsError as exc:
        print(f"careerpath {command}: invalid setting {exc}", file=sys.stderr)
        return None


def _hostname(pid: int) -> str:
    return f"careerpath-{pid}@{socket.gethostname()}"


def wait_ready(
    name: str, proc: subprocess.Popen[bytes], env: Mapping[str, str], timeout: float = 60.0
) -> None:
    """Wait until the worker started as ``proc`` answers a Celery ping (a beat: until it has stayed up 1s)."""
    deadline = time.monotonic() + timeout
    if name == "beat":
        time.sleep(1.0)
        if proc.poll() is not None:
            raise RuntimeError(f"beat exited with code {proc.returncode}")
        return
    from services.worker.celery_app import create_celery
    from services.worker.settings import BrokerSettings

    app = create_celery(load_settings(BrokerSettings, environ=env))
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"worker exited with code {proc.returncode} before it was ready")
            if app.control.ping(destination=[_hostname(proc.pid)], timeout=0.5):
                return
        raise TimeoutError("the Celery worker did not answer a ping in time")
    finally:
        app.close()


def _celery(command: str) -> tuple[WorkerSettings, Celery] | None:
    """Validated settings, JSON logging and the Celery app; None (after a message) on a bad setting."""
    settings = _settings(command)
    if settings is None:
        return None
    configure_logging(command, settings.log_level)
    from services.worker.celery_app import create_celery

    return settings, create_celery(settings)


def worker_main(argv: list[str] | None = None) -> int:
    """A Celery worker consuming the market queue (prefork pool, ``CAREERPATH_WORKER_CONCURRENCY``)."""
    from services.worker.celery_app import QUEUE

    if (built := _celery("worker")) is None:
        return 2
    settings, app = built
    app.worker_main([
        "worker", "--loglevel", settings.log_level, "--pool", "prefork",
        "--concurrency", str(settings.worker_concurrency), "--queues", QUEUE,
        "--hostname", _hostname(os.getpid()), "--without-gossip", "--without-mingle", *(argv or []),
    ])  # fmt: skip
    return 0


def beat_main(argv: list[str] | None = None) -> int:
    """The scheduler: ``market.scheduled_refresh`` per ``CAREERPATH_REFRESH_SCHEDULE``, ``market.reap``."""
    if (built := _celery("beat")) is None:
        return 2
    settings, app = built
    app.start(["beat", "--loglevel", settings.log_level, "--schedule", settings.beat_file, *(argv or [])])
    return 0
