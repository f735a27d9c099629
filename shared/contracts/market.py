"""Job-market refresh contracts: gateway <-> profile (runs), gateway <-> recommender (versions), task."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

__all__ = [
    "AdminRefreshRequest",
    "MAX_PAGE",
    "RUN_ID_PATTERN",
    "MarketVersion",
    "MarketVersions",
    "RefreshRequest",
    "RefreshRun",
    "RefreshRunList",
    "RefreshTask",
    "RejectedSample",
    "RollbackRequest",
    "RunStatus",
]

MAX_PAGE = 100
RunStatus = Literal["queued", "running", "succeeded", "failed"]
SourceSpec = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=2048,
        pattern=(
            r"^(snapshot|file:[A-Za-z0-9._-][^\x00-\x1f]*"
            r"|https?://[A-Za-z0-9.-]+"
            r"(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
            r"(/[^\x00-\x20]*)?)$"
        ),
        description=(
            "`snapshot` (the bundled figures), a postings file (`file:NAME` inside the configured folders) "
            "or an http(s) URL serving JSON Lines or CSV postings"
        ),
    ),
]
RUN_ID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
VersionId = Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")]


class AdminRefreshRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """What an admin sends to start a refresh (public edge: unknown fields are refused)."""

    source: SourceSpec | None = None


class RefreshRequest(msgspec.Struct, kw_only=True, frozen=True):
    """Gateway -> profile: start a refresh; the gateway fills in ``requested_by``, never a client."""

    source: SourceSpec | None = None
    requested_by: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] = "api"


class RefreshTask(msgspec.Struct, kw_only=True, frozen=True):
    """The ``market.refresh`` task's argument (JSON): which run row to execute."""

    run_id: str


class RejectedSample(msgspec.Struct, kw_only=True, frozen=True):
    """One bad record: where it is in the source, which field, and why."""

    line: int
    field: str
    reason: str


class RefreshRun(msgspec.Struct, kw_only=True, frozen=True):
    """One refresh run as recorded in PostgreSQL."""

    id: str
    status: RunStatus
    source: str
    requested_by: str
    attempts: int = 0
    phase: str | None = None
    records_read: int = 0
    records_accepted: int = 0
    records_rejected: int = 0
    rejected_samples: list[RejectedSample] = []
    error: str | None = None
    version: str | None = None
    previous_version: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    heartbeat_at: datetime | None = None
    finished_at: datetime | None = None
    duration_ms: int | None = None


class RefreshRunList(msgspec.Struct, kw_only=True, frozen=True):
    """A page of runs, newest first; pass ``next_before`` as ``before`` for the next page."""

    items: list[RefreshRun]
    next_before: str | None = None


class MarketVersion(msgspec.Struct, kw_only=True, frozen=True):
    """One published market-data version still kept for rollback."""

    version: str
    source: str
    as_of: str
    published_at: float | None = None
    current: bool = False
    previous_version: str | None = None
    postings: int | None = None


class MarketVersions(msgspec.Struct, kw_only=True, frozen=True):
    current: str | None
    versions: list[MarketVersion]


class RollbackRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Point readers at an earlier version that is still kept."""

    version: VersionId
