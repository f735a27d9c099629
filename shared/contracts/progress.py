"""Progress over time: each saved assessment's readiness for one role, scored in one batch (issue 16).

The figures are computed when asked, not stored with the assessment: readiness depends on the model
(and a stored figure would silently go stale when the model changes), and the role is the one the user
is looking at now, which may not be the one saved. The answer names the model that scored it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from shared.contracts.common import described
from shared.contracts.recommendations import MEANINGS, MarketInfo

__all__ = ["Progress", "ProgressPoint"]


class ProgressPoint(msgspec.Struct, kw_only=True, frozen=True):
    """One saved assessment on the way: when, what it held, and how ready it was for the role."""

    version: Annotated[int, described("The profile's version this assessment was saved as.", 3)]
    created_at: Annotated[
        datetime, described("When it was saved (ISO 8601 date-time, UTC).", "2026-05-04T09:30:00Z")
    ]
    skills_rated: Annotated[int, described("How many skills it rated above 0 (none).", 7)]
    years_experience: Annotated[float, described("Years of professional experience saved.", 4)]
    readiness: Annotated[
        float | None,
        described(
            MEANINGS["readiness"] + " For this assessment and `target_role`; null when this assessment "
            "could not be scored (it names a skill the catalogue no longer has).",
            0.42,
        ),
    ]
    match: Annotated[
        float | None,
        described(MEANINGS["match"] + " For `target_role`; null when not scored.", 0.31),
    ]


class Progress(msgspec.Struct, kw_only=True, frozen=True):
    """The user's latest saved assessments, oldest first, each scored for one role in a single batch."""

    target_role: Annotated[str, described("The role every point is scored for.", "backend-developer")]
    points: Annotated[
        list[ProgressPoint],
        described("The latest `limit` saved assessments, oldest first (empty before the first save)."),
    ]
    more: Annotated[
        bool, described("True when older assessments exist than the ones answered (see /me/assessments).")
    ]
    model_version: Annotated[
        str | None,
        described("The model that scored every point (GET /api/v1/versions); null when there are none."),
    ]
    market: Annotated[
        MarketInfo | None, described("The market-data version used; null when there are no points.")
    ]
