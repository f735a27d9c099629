"""``GET /api/v1/market/series``: demand per skill and openings per role, per month of the postings' dates.

The recommender serves the whole series of the market-data version in use (``GET /market/series``); the
gateway keeps the skills and roles a caller names (``skills=python,sql``, ``roles=...``, each a catalogue
id; at most :data:`MAX_IDS` of each) and refuses unknown ones (422 naming the parameter).
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from shared.contracts.common import described
from shared.contracts.market_document import MarketSeries
from shared.contracts.recommendations import MarketInfo

__all__ = ["MAX_IDS", "MarketSeriesResponse", "SkillSeries", "from_document", "parse_ids"]

MAX_IDS = 50


class SkillSeries(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """One skill over the months."""

    postings: Annotated[
        list[int], described("Postings that mention the skill, one count per month of `months`.", [12, 15])
    ]
    demand: Annotated[
        list[float | None],
        described(
            "The skill's share (0..1) of the month's dated postings, one per month of `months`; null for "
            "a month without postings.",
            [0.31, 0.35],
        ),
    ]


class MarketSeriesResponse(msgspec.Struct, kw_only=True, frozen=True):
    """The monthly series of the market-data version in use (empty lists when its source has no dates, as
    the bundled snapshot)."""

    market: Annotated[MarketInfo, described("The market-data version these figures are.")]
    months: Annotated[
        list[str],
        described(
            "Calendar months of the postings' dates (YYYY-MM), oldest first, consecutive.",
            ["2025-04", "2025-05"],
        ),
    ]
    postings: Annotated[list[int], described("Dated postings per month of `months`.", [40, 43])]
    undated: Annotated[int, described("Postings without a date: in the totals, in no month.", 0)]
    skills: Annotated[
        dict[str, SkillSeries],
        described("Per skill id (those asked for, else every skill seen): mentions and share per month."),
    ]
    roles: Annotated[
        dict[str, list[int]],
        described("Per role id (those asked for, else every role seen): openings per month of `months`."),
    ]
    attribution: Annotated[
        list[str], described("The credits the sources require: show them with the figures.")
    ] = []


def from_document(
    info: MarketInfo, series: MarketSeries | None, attribution: list[str]
) -> MarketSeriesResponse:
    """The response for a document's series (None: the source had no dates)."""
    series = series or MarketSeries()
    totals = series.postings
    return MarketSeriesResponse(
        market=info,
        months=list(series.months),
        postings=list(totals),
        undated=series.undated,
        skills={
            skill: SkillSeries(
                postings=list(counts),
                demand=[round(c / t, 4) if t else None for c, t in zip(counts, totals, strict=True)],
            )
            for skill, counts in series.skills.items()
        },
        roles={role: list(counts) for role, counts in series.roles.items()},
        attribution=attribution,
    )


def parse_ids(value: str | None, known: frozenset[str] | set[str], what: str) -> list[str] | None:
    """Comma-separated catalogue ids (None: not given); ValueError naming the problem otherwise."""
    if value is None:
        return None
    ids = [part.strip() for part in value.split(",")]
    if not value.strip() or any(not part for part in ids):
        raise ValueError(f"list {what} ids separated by commas, with none empty")
    if len(ids) > MAX_IDS:
        raise ValueError(f"at most {MAX_IDS} {what} ids, got {len(ids)}")
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise ValueError(f"unknown {what} id: {unknown[0][:60]!r} (GET /api/v1/catalog lists them)")
    return list(dict.fromkeys(ids))
