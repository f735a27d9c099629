"""Profile contracts: gateway <-> profile."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from shared.contracts.common import SentSkills, SentTargetRole, SentYears, described
from shared.text import contract_display_name

__all__ = ["Assessment", "AssessmentList", "Profile", "ProfileWrite"]

DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=120, pattern=r"^[^\x00-\x1f\x7f-\x9f]+$")]


class ProfileWrite(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """What a caller sends to create or replace a profile: the whole current assessment."""

    display_name: Annotated[
        DisplayName,
        described(
            (
                "The name shown for the profile (1-120 characters, stored NFKC-normalised; "
                "control characters or no visible character are refused)."
            ),
            "Ada",
        ),
    ]
    skills: SentSkills
    years_experience: SentYears = 0.0
    target_role: SentTargetRole = None

    def __post_init__(self) -> None:  # NFKC; invisible or blank names refused (issue 12, item 11)
        msgspec.structs.force_setattr(self, "display_name", contract_display_name(self.display_name))


class Profile(msgspec.Struct, kw_only=True, frozen=True):
    """A profile with its current assessment; ``version`` is also the ETag."""

    id: Annotated[str, described("The profile's id (a UUID).", "3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d")]
    display_name: Annotated[str, described("The name shown for the profile.", "Ada")]
    skills: Annotated[
        dict[str, int],
        described(
            "The current skill levels by skill id (0 none to 4 expert).", {"python": 3, "sql": 2, "docker": 2}
        ),
    ]
    years_experience: Annotated[float, described("Years of professional experience, exactly as sent.", 4)]
    target_role: Annotated[
        str | None,
        described(
            "The role chosen for the learning steps, or null (the best-matching role not met yet is used).",
            "backend-developer",
        ),
    ]
    version: Annotated[
        int, described("The profile's version, raised by every save; the ETag is this number in quotes.", 3)
    ]
    created_at: Annotated[
        datetime, described("When the profile was created (ISO 8601 date-time, UTC).", "2026-05-04T09:30:00Z")
    ]
    updated_at: Annotated[
        datetime, described("When it was last saved (ISO 8601 date-time, UTC).", "2026-05-04T09:30:00Z")
    ]


class Assessment(msgspec.Struct, kw_only=True, frozen=True):
    """One saved assessment; each save of a profile that changes its skills or years adds one."""

    version: Annotated[
        int,
        described(
            (
                "The profile's version this save produced (numbers may skip: saves that change "
                "neither skills nor years add no assessment)."
            ),
            3,
        ),
    ]
    skills: Annotated[
        dict[str, int],
        described(
            "The skill levels saved, by skill id (0 none to 4 expert).", {"python": 3, "sql": 2, "docker": 2}
        ),
    ]
    years_experience: Annotated[float, described("Years of professional experience saved.", 4)]
    target_role: Annotated[str | None, described("The target role saved, or null.", "backend-developer")]
    created_at: Annotated[
        datetime, described("When it was saved (ISO 8601 date-time, UTC).", "2026-05-04T09:30:00Z")
    ]


class AssessmentList(msgspec.Struct, kw_only=True, frozen=True):
    """A page of a profile's history, newest first; pass ``next_cursor`` as ``cursor`` for the next page."""

    profile_id: Annotated[
        str, described("The profile the history belongs to (a UUID).", "3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d")
    ]
    assessments: Annotated[
        list[Assessment], described("This page of the history, newest first (at most `limit`).")
    ]
    next_before: Annotated[
        int | None,
        msgspec.Meta(
            description=(
                "Deprecated (use `next_cursor`; it keeps working): the `before` (a version) that gives the "
                "next (older) page; null on the last page."
            ),
            extra_json_schema={"deprecated": True},
        ),
    ] = None
    next_cursor: Annotated[
        str | None,
        described(
            "Pass it as `cursor` for the next (older) page (an opaque string); null on the last page.", "42"
        ),
    ] = None
