"""Job-market refresh contracts: gateway <-> profile (runs), gateway <-> recommender (versions), task."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from shared.contracts.common import described

__all__ = [
    "AdminRefreshRequest",
    "AdminSwitchRequest",
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
            r"^(snapshot|bundled:[a-z0-9-]+|usajobs:[^\x00-\x1f]*|file:[A-Za-z0-9._-][^\x00-\x1f]*"
            r"|https?://[A-Za-z0-9.-]+"
            r"(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
            r"(/[^\x00-\x20]*)?)$"
        ),
        description=(
            "`snapshot` (the bundled figures), real postings shipped with careerpath "
            "(`bundled:real-postings`, `bundled:skillspan-2021`, `bundled:gsa-tts-2018-2025`), a USAJOBS "
            "search (`usajobs:` with "
            "optional Keyword, PositionTitle, JobCategoryCode, LocationName, Organization, DatePosted "
            "parameters as a query string), a postings file (`file:NAME` inside the configured folders) "
            "or an http(s) URL serving JSON Lines or CSV postings"
        ),
    ),
]
RUN_ID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
VersionId = Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")]


class AdminRefreshRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """What an admin sends to start a refresh (public edge: unknown fields are refused)."""

    source: Annotated[
        SourceSpec | None,
        described(
            (
                "Where to read the job-market data from: `snapshot`, `bundled:NAME`, `usajobs:QUERY`, "
                "`file:NAME` or an http(s) URL; absent or null: the configured default "
                "(`bundled:real-postings` unless CAREERPATH_REFRESH_SOURCE says otherwise)."
            ),
            "snapshot",
        ),
    ] = None


class RefreshRequest(msgspec.Struct, kw_only=True, frozen=True):
    """Gateway -> profile: start a refresh; the gateway fills in ``requested_by``, never a client."""

    source: SourceSpec | None = None
    requested_by: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] = "api"


class RefreshTask(msgspec.Struct, kw_only=True, frozen=True):
    """The ``market.refresh`` task's argument (JSON): which run row to execute."""

    run_id: str


class RejectedSample(msgspec.Struct, kw_only=True, frozen=True):
    """One bad record: where it is in the source, which field, and why."""

    line: Annotated[int, described("The record's line in the source (from 1).", 17)]
    field: Annotated[str, described("The field at fault.", "salary")]
    reason: Annotated[str, described("Why the record was refused.", "not a number")]


class RefreshRun(msgspec.Struct, kw_only=True, frozen=True):
    """One job-market refresh: its state, its record counts and the version it published."""

    id: Annotated[str, described("The run's id (a UUID).", "3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d")]
    status: Annotated[RunStatus, described("`queued`, `running`, `succeeded` or `failed`.", "succeeded")]
    source: Annotated[str, described("What it reads: `snapshot`, `file:NAME` or an http(s) URL.", "snapshot")]
    requested_by: Annotated[
        str,
        described(
            "Who asked for it: an admin's e-mail address, or `schedule` for the scheduled runs.",
            "root@example.com",
        ),
    ]
    attempts: Annotated[
        int,
        described(
            "How many times a worker has started it (a run whose worker stopped answering is taken over).",
            1,
        ),
    ] = 0
    phase: Annotated[
        str | None,
        described(
            (
                "What it is doing or last did: `starting`, `fetching` or `reading`, "
                "`validating`, `aggregating`, `publishing`; null before a worker takes it."
            ),
            "publishing",
        ),
    ] = None
    records_read: Annotated[int, described("Records read from the source so far (a count).", 1200)] = 0
    records_accepted: Annotated[int, described("Records that passed validation (a count).", 1187)] = 0
    records_rejected: Annotated[int, described("Records refused by validation (a count).", 13)] = 0
    rejected_samples: Annotated[
        list[RejectedSample], described("A few of the refused records, with why.")
    ] = []
    error: Annotated[str | None, described("Why it failed; null unless it failed.")] = None
    version: Annotated[
        str | None,
        described("The market-data version it published; null until it succeeds.", "bundled-2024.05-2"),
    ] = None
    previous_version: Annotated[
        str | None, described("The version that was live before; null when there was none.")
    ] = None
    created_at: Annotated[
        datetime, described("When it was asked for (ISO 8601 date-time, UTC).", "2026-05-04T09:30:00Z")
    ]
    started_at: Annotated[
        datetime | None,
        described(
            "When a worker started it (ISO 8601 date-time, UTC); null while queued.", "2026-05-04T09:30:00Z"
        ),
    ] = None
    heartbeat_at: Annotated[
        datetime | None,
        described(
            "When its worker last reported progress (ISO 8601 date-time, UTC); null while queued.",
            "2026-05-04T09:30:00Z",
        ),
    ] = None
    finished_at: Annotated[
        datetime | None,
        described(
            "When it succeeded or failed (ISO 8601 date-time, UTC); null until then.", "2026-05-04T09:30:00Z"
        ),
    ] = None
    duration_ms: Annotated[
        int | None, described("From start to finish, in milliseconds; null until it finishes.", 5230)
    ] = None


class RefreshRunList(msgspec.Struct, kw_only=True, frozen=True):
    """A page of runs, newest first; pass ``next_cursor`` as ``cursor`` for the next page."""

    items: Annotated[list[RefreshRun], described("This page of runs, newest first.")]
    next_before: Annotated[
        str | None,
        msgspec.Meta(
            description=(
                "Deprecated (use `next_cursor`): the `before` (a run id) that gives the next, older page; "
                "null on the last page."
            ),
            extra_json_schema={"deprecated": True},
        ),
    ] = None
    next_cursor: Annotated[
        str | None,
        described(
            "Pass it as `cursor` for the next, older page (an opaque string); null on the last page.",
            "3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d",
        ),
    ] = None


class MarketVersion(msgspec.Struct, kw_only=True, frozen=True):
    """One published market-data version still kept for rollback."""

    version: Annotated[str, described("The version's id.", "bundled-2024.05-2")]
    source: Annotated[
        str, described("Where its figures come from, in words.", "bundled: O*NET 29.2, BLS OEWS May 2024")
    ]
    as_of: Annotated[str, described("The date the figures describe (ISO 8601 date).", "2024-05-31")]
    published_at: Annotated[
        datetime | None,
        described(
            "When it was published (ISO 8601 date-time, UTC); null when not recorded.", "2026-05-04T09:30:00Z"
        ),
    ] = None
    current: Annotated[bool, described("Answers use this version now (the live one).", True)] = False
    previous_version: Annotated[
        str | None, described("The version that was live when it was published, or null.")
    ] = None
    postings: Annotated[
        int | None,
        described("How many job postings it was built from; null when not built from postings.", 1187),
    ] = None
    synthetic: Annotated[
        bool,
        described(
            "Generated test data, never market truth: making it live needs `confirm_synthetic: true`.", False
        ),
    ] = False


class MarketVersions(msgspec.Struct, kw_only=True, frozen=True):
    """The live market-data version and the versions kept for rollback."""

    current: Annotated[
        str | None, described("The live version's id; null when none is published.", "bundled-2024.05-2")
    ]
    versions: Annotated[list[MarketVersion], described("The kept versions, newest first.")]


class RollbackRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Point readers at an earlier version that is still kept."""

    version: Annotated[
        VersionId,
        described(
            "The kept version to make live again (as GET /api/v1/admin/market/versions lists them).",
            "bundled-2024.05-2",
        ),
    ]


class AdminSwitchRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """What an admin sends to make a kept version the live one (public edge: unknown fields are refused).

    The gateway checks the confirmations and sends the recommender a plain :class:`RollbackRequest`.
    """

    version: Annotated[
        VersionId,
        described(
            "The kept version to make live, older or newer than the live one (as GET "
            "/api/v1/admin/market/versions lists them).",
            "bundled-2024.05-2",
        ),
    ]
    confirm: Annotated[
        str,
        msgspec.Meta(
            max_length=128,
            description=(
                "The confirmation: the same version id as `version`, repeated exactly. A missing one is "
                "400, a different one 422 (`confirmation_required`); nothing is switched."
            ),
            examples=["bundled-2024.05-2"],
        ),
    ]
    confirm_synthetic: Annotated[
        bool,
        described(
            "Must be `true` to make a synthetic version (generated test data, `synthetic: true` in the "
            "version list) live; otherwise the switch is refused with 422 naming this field.",
            False,
        ),
    ] = False
    expected_live: Annotated[
        VersionId | None,
        described(
            "Optional: the version you saw live, the one this switch replaces. When another version is "
            "live by now (another admin switched, or a refresh published), the switch is refused with 409 "
            "naming this field and nothing changes: look again before deciding.",
            "bundled-2024.05-2",
        ),
    ] = None
