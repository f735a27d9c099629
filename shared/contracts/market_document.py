"""The market document: what the worker writes, Redis stores (``market:v:<version>``), the recommender reads.

Internal (worker -> Redis -> recommender), so unknown fields are tolerated: a newer worker may add a field
and an older recommender still reads the document during a rolling upgrade. Every field a writer may leave
out has a default; ``omit_defaults`` keeps absent figures absent (``None`` is written as no key), so the
bundled snapshot goes through the Struct unchanged and keeps its content version. Numbers keep the type
they were written with (``int | float``) for the same reason.
"""

from __future__ import annotations

import msgspec

__all__ = ["MarketDocument", "MarketSeries", "RoleFigures", "SkillFigures"]

Number = int | float


class SkillFigures(msgspec.Struct, kw_only=True, frozen=True, omit_defaults=True, gc=False):
    """Demand for one skill: share of postings (or of survey respondents) and its relative change."""

    demand: Number
    trend: Number | None = None
    basis: str | None = None
    postings: int | None = None


class RoleFigures(msgspec.Struct, kw_only=True, frozen=True, omit_defaults=True, gc=False):
    """Openings, pay and growth for one role (each figure absent when the source has none)."""

    name: str | None = None
    occupation_code: str | None = None
    occupation_title: str | None = None
    employment: Number | None = None
    openings: Number | None = None
    salary_p10: Number | None = None
    salary_median: Number | None = None
    salary_p90: Number | None = None
    salary_samples: int | None = None
    growth_pct: Number | None = None
    openings_trend: Number | None = None


class MarketSeries(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """Demand over time: per calendar month of the postings' dates, oldest first, consecutive (a month with
    no postings is zeros). ``skills`` and ``roles`` hold one count per month (mentions, openings) and name
    only skills and roles seen at least once; ``undated`` postings count in the totals, in no month."""

    months: list[str] = []  # "YYYY-MM"
    postings: list[int] = []  # dated accepted postings per month
    undated: int = 0
    skills: dict[str, list[int]] = {}
    roles: dict[str, list[int]] = {}


class MarketDocument(msgspec.Struct, kw_only=True, frozen=True, omit_defaults=True):
    """One version of the job-market data. ``version`` and ``published_at`` are set when it is published."""

    version: str | None = None
    published_at: float | None = None
    source: str = ""
    as_of: str = ""
    attribution: list[str] = []
    basis: str | None = None
    synthetic: bool | None = None
    postings: int | None = None
    previous_version: str | None = None
    notes: dict[str, str] = {}
    skills: dict[str, SkillFigures] = {}
    roles: dict[str, RoleFigures] = {}
    series: MarketSeries | None = None  # since postings-2 documents; older readers ignore it
