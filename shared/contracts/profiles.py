"""Profile contracts: gateway <-> profile."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from shared.contracts.common import RoleId, SkillLevels, Years
from shared.text import contract_display_name

__all__ = ["Assessment", "AssessmentList", "Profile", "ProfileWrite"]

DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=120, pattern=r"^[^\x00-\x1f\x7f-\x9f]+$")]


class ProfileWrite(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """What a caller sends to create or replace a profile: the whole current assessment."""

    display_name: DisplayName
    skills: SkillLevels
    years_experience: Years = 0.0
    target_role: RoleId | None = None

    def __post_init__(self) -> None:  # NFKC; invisible or blank names refused (issue 12, item 11)
        msgspec.structs.force_setattr(self, "display_name", contract_display_name(self.display_name))


class Profile(msgspec.Struct, kw_only=True, frozen=True):
    """A profile with its current assessment; ``version`` is also the ETag."""

    id: str
    display_name: str
    skills: dict[str, int]
    years_experience: float
    target_role: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class Assessment(msgspec.Struct, kw_only=True, frozen=True):
    """One saved assessment; each save of a profile that changes its skills or years adds one."""

    version: int
    skills: dict[str, int]
    years_experience: float
    target_role: str | None
    created_at: datetime


class AssessmentList(msgspec.Struct, kw_only=True, frozen=True):
    """A page of a profile's history, newest first; pass ``next_before`` as ``before`` for the next page."""

    profile_id: str
    assessments: list[Assessment]
    next_before: Annotated[
        int | None,
        msgspec.Meta(description="The `before` that gives the next (older) page; null on the last page."),
    ] = None
