"""Worker and beat settings (environment variables ``CAREERPATH_*`` and ``REDIS_URL``).

:class:`WorkerSettings` extends the broker contract's :class:`~shared.contracts.tasks.BrokerSettings` (what
any process that only *enqueues* refreshes needs) with what the worker needs to *run* them. The worker has
no database: it records runs through the profile service (``CAREERPATH_PROFILE_URL``, with the service
credential), which owns them.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tempfile
from pathlib import Path
from typing import Annotated

import msgspec

from shared.contracts.tasks import BrokerSettings
from shared.settings import Seconds, env_name

__all__ = ["BrokerSettings", "WorkerSettings", "parse_schedule"]

_CRON_FIELD = re.compile(r"^[0-9*/,\-]+$")


def parse_schedule(value: str) -> float | tuple[str, str, str, str, str]:
    """``"86400"`` (seconds between runs) or a crontab ``"m h dom mon dow"``; ValueError otherwise."""
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        fields = text.split()
        if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
            raise ValueError(f"expected seconds or a crontab 'm h dom mon dow', got {value!r}") from None
        from celery.schedules import ParseException, crontab

        try:
            crontab(
                minute=fields[0],
                hour=fields[1],
                day_of_month=fields[2],
                month_of_year=fields[3],
                day_of_week=fields[4],
            )
        except (ParseException, ValueError) as exc:
            raise ValueError(f"invalid crontab {value!r}: {exc}") from None
        return (fields[0], fields[1], fields[2], fields[3], fields[4])
    if not 10 <= seconds <= 31 * 86400:
        raise ValueError(f"schedule seconds must be within 10..2678400, got {value!r}")
    return seconds


def _networks(value: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip()
    )


class WorkerSettings(BrokerSettings, kw_only=True, frozen=True):
    """Settings of ``careerpath worker`` and ``careerpath beat``.

    ``source_allow_networks`` (comma-separated CIDRs) re-allows address ranges the SSRF guard refuses by
    default (loopback, private, link-local...); only tests and closed networks should set it.
    ``source_file_roots`` (comma-separated folders) are where ``file:`` sources may be read from.
    ``refresh_chunk_bytes``: a JSON Lines source larger than this is read in chunks of about this size by
    all the worker processes (0: always one pass); ``refresh_spool_dir`` holds the run's copy of it.
    ``usajobs_*``: the USAJOBS Search API's key and registered e-mail (sent as ``User-Agent``), its URL, the
    page size (at most 500), a cap on pages per run, and how often and how long a 429/503 is waited out.
    """

    profile_url: Annotated[str, msgspec.Meta(pattern=r"^https?://[^\s/]+")] = "http://127.0.0.1:8001"
    profile_timeout: Seconds = 10.0
    refresh_schedule: str = "86400"
    source_max_bytes: Annotated[int, msgspec.Meta(ge=1024, le=2_000_000_000)] = 200_000_000
    source_timeout: Seconds = 120.0
    source_connect_timeout: Seconds = 5.0
    source_max_redirects: Annotated[int, msgspec.Meta(ge=0, le=10)] = 5
    source_allow_networks: str = ""
    source_file_roots: str = ""
    max_reject_ratio: Annotated[float, msgspec.Meta(ge=0.0, le=1.0)] = 0.5
    rejected_sample_limit: Annotated[int, msgspec.Meta(ge=0, le=200)] = 20
    lease_seconds: Annotated[float, msgspec.Meta(ge=1, le=3600)] = 60.0
    queued_timeout: Annotated[float, msgspec.Meta(ge=10, le=7 * 86400)] = 3600.0
    max_attempts: Annotated[int, msgspec.Meta(ge=1, le=10)] = 3
    task_soft_time_limit: Annotated[float, msgspec.Meta(ge=1, le=86400)] = 900.0
    task_time_limit: Annotated[float, msgspec.Meta(ge=1, le=86400)] = 960.0
    worker_concurrency: Annotated[int, msgspec.Meta(ge=1, le=64)] = 2
    beat_schedule_file: str = ""
    refresh_chunk_bytes: Annotated[int, msgspec.Meta(ge=0, le=1_000_000_000)] = 16_000_000
    refresh_spool_dir: str = ""
    usajobs_key: str = ""
    usajobs_email: str = ""
    usajobs_url: Annotated[str, msgspec.Meta(pattern=r"^https?://[^\s/]+")] = (
        "https://data.usajobs.gov/api/Search"
    )
    usajobs_results_per_page: Annotated[int, msgspec.Meta(ge=1, le=500)] = 500
    usajobs_max_pages: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 20
    usajobs_retries: Annotated[int, msgspec.Meta(ge=0, le=10)] = 3
    usajobs_max_retry_after: Seconds = 60.0

    def __post_init__(self) -> None:
        checks = (
            ("refresh_schedule", lambda: parse_schedule(self.refresh_schedule)),
            ("source_allow_networks", lambda: _networks(self.source_allow_networks)),
        )
        for field, check in checks:
            try:
                check()
            except ValueError as exc:
                raise ValueError(f"{env_name(field)}: {exc}") from None
        if self.task_time_limit <= self.task_soft_time_limit:
            raise ValueError(
                f"{env_name('task_time_limit')} must be greater than {env_name('task_soft_time_limit')}"
            )

    @property
    def schedule(self) -> float | tuple[str, str, str, str, str]:
        return parse_schedule(self.refresh_schedule)

    @property
    def allow_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return _networks(self.source_allow_networks)

    @property
    def file_roots(self) -> tuple[Path, ...]:
        """Folders ``file:`` sources may name; default ``$CAREERPATH_DATA_DIR/sources`` (or ``.data/``)."""
        if self.source_file_roots.strip():
            return tuple(Path(p.strip()).resolve() for p in self.source_file_roots.split(",") if p.strip())
        return ((Path(os.environ.get("CAREERPATH_DATA_DIR", ".data")) / "sources").resolve(),)

    @property
    def spool_dir(self) -> Path:
        """Where a chunked refresh keeps its copy of the source (shared by the host's worker processes)."""
        if self.refresh_spool_dir.strip():
            return Path(self.refresh_spool_dir.strip())
        return Path(tempfile.gettempdir()) / "careerpath-spool"

    @property
    def beat_file(self) -> str:
        if self.beat_schedule_file:
            return self.beat_schedule_file
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", self.redis_prefix)
        return str(Path(tempfile.gettempdir()) / f"careerpath-beat-{safe}")
