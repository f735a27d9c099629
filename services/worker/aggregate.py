"""Turn validated postings into a market document the recommender reads.

Per skill: ``demand`` (share of accepted postings that mention it) and ``trend``. Per role: ``openings``
(postings for the role), the salary band (p10 / median / p90 of the stated annual salaries) and
``openings_trend``. The document keeps the shape of the bundled snapshot (``version``, ``source``,
``as_of``, ``attribution``, ``skills``, ``roles``): a
:class:`~shared.contracts.market_document.MarketDocument`, with a monthly ``series``.

The series: per calendar month of ``posted_date``, the accepted postings, the mentions per skill and the
openings per role (months without postings are zeros; undated postings count in the totals, not in any
month: ``series.undated``).

Trend (:func:`series_trend`): the months of the last twelve (counted back from the latest dated month)
with at least :data:`MIN_MONTH_POSTINGS` postings; with three or more, a least-squares line through the
skill's monthly share (mentions / postings that month), and the trend is that line's rise from the first
to the last of those months over the mean share — a relative change, like the old figure, clamped to
-1..10. With fewer than three such months the trend falls back to the relative change of demand against the
previous version (``notes.trend`` says which). ``openings_trend`` likewise from the role's share of openings.

Aggregation is mergeable: a chunk of the source is aggregated on its own into a :class:`Partial` (counts,
salaries, dates, rejected samples) and partials are merged (:meth:`Aggregator.merge`) into one: counts add,
salary samples concatenate (the band stays exact), so chunking changes nothing in the result.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from itertools import chain

import msgspec
import numpy as np

from services.worker.matching import RoleMatcher, SkillMatcher
from services.worker.sources.records import Posting
from shared.catalog import Catalog
from shared.contracts.market_document import MarketDocument, MarketSeries, RoleFigures, SkillFigures

__all__ = [
    "AGGREGATION_VERSION",
    "MIN_MONTH_POSTINGS",
    "TREND_MONTHS",
    "Aggregator",
    "Partial",
    "posting_text",
    "relative_change",
    "series_trend",
]

AGGREGATION_VERSION = "postings-2"  # bump when the figures a source yields change for the same bytes
TREND_MONTHS = 12  # the trend reads at most this many months back from the latest dated month
MIN_TREND_MONTHS = 3  # fewer usable months: the trend is against the previous version instead
_PENDING = 1024  # postings whose skills are counted together
_DAYS_KEPT = 4096  # days whose month name is remembered
MIN_MONTH_POSTINGS = 20  # a month with fewer dated postings is too noisy to be a point of the trend
NOTES = {
    "demand": "share of the accepted postings that mention the skill (through the taxonomy's synonyms)",
    "openings": "accepted postings whose title (or, failing that, skills) match the role",
    "salary": "p10 / median / p90 of the annual salaries stated by the role's postings (currency as given)",
    "series": "per month of posted_date: accepted postings, mentions per skill, openings per role; undated "
    "postings are in the totals only (series.undated)",
}
TREND_FROM_SERIES = (
    f"relative change of the skill's monthly share across the last {TREND_MONTHS} months with at least "
    f"{MIN_MONTH_POSTINGS} dated postings, read off a least-squares line (its rise from the first to the "
    "last month over the mean share), clamped to -1..10"
)
TREND_FROM_PREVIOUS = (
    f"relative change of demand against previous_version (fewer than {MIN_TREND_MONTHS} months with "
    f"{MIN_MONTH_POSTINGS}+ dated postings; 0 when that version lacks the skill)"
)


def relative_change(now: float, before: float | None) -> float:
    if not before or before <= 0:
        return 0.0
    return round(max(-1.0, min(10.0, (now - before) / before)), 4)


def _month_index(month: str) -> int:
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def _month_name(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def series_trend(months: Sequence[str], counts: Sequence[int], totals: Sequence[int]) -> float | None:
    """The trend of ``counts`` (per month, ``months`` consecutive) as a share of ``totals``, or None when
    fewer than three of the last twelve months have enough postings (see the module's description)."""
    if not months:
        return None
    last = _month_index(months[-1])
    points = [
        (_month_index(m), c / t)
        for m, c, t in zip(months, counts, totals, strict=True)
        if t >= MIN_MONTH_POSTINGS and last - _month_index(m) < TREND_MONTHS
    ]
    if len(points) < MIN_TREND_MONTHS:
        return None
    x = np.array([p[0] for p in points], dtype=float)
    y = np.array([p[1] for p in points], dtype=float)
    mean = float(y.mean())
    if mean <= 0:
        return 0.0
    slope = float(np.polyfit(x - x.mean(), y, 1)[0])
    rise = slope * float(x[-1] - x[0])
    return round(max(-1.0, min(10.0, rise / mean)), 4)


class Sample(msgspec.Struct, array_like=True, frozen=True):
    line: int
    field: str
    reason: str


class Partial(msgspec.Struct, kw_only=True, frozen=True):
    """What one chunk of a source adds up to; partials merge into the same figures as one pass would."""

    read: int = 0
    accepted: int = 0
    rejected: int = 0
    samples: list[Sample] = []
    undated: int = 0
    mentions: dict[str, int] = {}
    openings: dict[str, int] = {}
    salaries: dict[str, list[float]] = {}
    months: dict[str, int] = {}  # "YYYY-MM" -> dated postings
    month_mentions: dict[str, dict[str, int]] = {}  # month -> skill -> mentions
    month_openings: dict[str, dict[str, int]] = {}  # month -> role -> openings
    earliest: str | None = None
    latest: str | None = None
    synthetic: bool = False


def posting_text(posting: Posting) -> str:
    """The text whose skills a posting counts for: its title, description and listed skills."""
    return "\n".join((posting.title, posting.text, " ; ".join(posting.skills)))


class Aggregator:
    """Accumulates postings one at a time (memory stays flat however large the source)."""

    def __init__(self, catalog: Catalog, matchers: tuple[SkillMatcher, RoleMatcher] | None = None) -> None:
        self.catalog = catalog
        self.skills, self.roles = matchers or (SkillMatcher(catalog), RoleMatcher(catalog))
        self.accepted = 0
        self.undated = 0
        self.mentions: Counter[str] = Counter()
        self.openings: Counter[str] = Counter()
        self.salaries: dict[str, array[float]] = defaultdict(lambda: array("d"))  # 8 bytes a sample
        self.months: Counter[str] = Counter()
        self.month_mentions: dict[str, Counter[str]] = defaultdict(Counter)
        self.month_openings: dict[str, Counter[str]] = defaultdict(Counter)
        self.latest: dt.date | None = None
        self.earliest: dt.date | None = None
        self.synthetic = False
        self._found: list[set[str]] = []  # skills of undated postings added, not counted yet
        self._pending = 0  # postings added, not counted yet
        self._month_found: dict[str, list[set[str]]] = defaultdict(list)
        self._month_names: dict[dt.date, str] = {}

    def add(self, posting: Posting) -> None:
        """Count one posting. Its skills wait in a list and are counted up to 1,024 postings at a time, once
        a month (one ``Counter`` over the month's postings, added to the month's and the overall counts:
        ~0.6 µs a posting less than one update a posting and month, and ~900 instructions less than
        counting each posting's skills twice); a day's month is remembered (~0.4 µs a posting less than
        formatting it)."""
        self.accepted += 1
        found = self.skills.match("\n".join((posting.title, posting.text, " ; ".join(posting.skills))))
        role = self.roles.match(posting.title, found)
        if role is not None:
            self.openings[role] += 1
            if posting.salary is not None:
                self.salaries[role].append(posting.salary)
        posted = posting.posted
        if posted is not None:
            if self.latest is None or posted > self.latest:
                self.latest = posted
            if self.earliest is None or posted < self.earliest:
                self.earliest = posted
            month = self._month_names.get(posted)
            if month is None:
                month = f"{posted.year:04d}-{posted.month:02d}"
                if len(self._month_names) < _DAYS_KEPT:
                    self._month_names[posted] = month
            self.months[month] += 1
            self._month_found[month].append(found)
            if role is not None:
                self.month_openings[month][role] += 1
        else:
            self.undated += 1
            self._found.append(found)
        self.synthetic = self.synthetic or posting.synthetic
        self._pending += 1
        if self._pending >= _PENDING:
            self._count_found()

    def _count_found(self) -> None:
        """Count the skills of the postings added since last time (overall and per month)."""
        self._pending = 0
        if self._found:
            self.mentions.update(chain.from_iterable(self._found))
            self._found.clear()
        for month, found in self._month_found.items():
            counts = Counter(chain.from_iterable(found))
            self.month_mentions[month].update(counts)
            self.mentions.update(counts)
        self._month_found.clear()

    def partial(self, read: int = 0, rejected: int = 0, samples: Iterable[Sample] = ()) -> Partial:
        """What was added so far, as a mergeable :class:`Partial` (with the chunk's read/rejected counts)."""
        self._count_found()
        return Partial(
            read=read,
            accepted=self.accepted,
            rejected=rejected,
            samples=list(samples),
            undated=self.undated,
            mentions=dict(self.mentions),
            openings=dict(self.openings),
            salaries={k: v.tolist() for k, v in self.salaries.items()},
            months=dict(self.months),
            month_mentions={m: dict(c) for m, c in self.month_mentions.items()},
            month_openings={m: dict(c) for m, c in self.month_openings.items()},
            earliest=self.earliest.isoformat() if self.earliest else None,
            latest=self.latest.isoformat() if self.latest else None,
            synthetic=self.synthetic,
        )

    def merge(self, part: Partial) -> None:
        """Add a chunk's partial to this aggregate (counts add, salaries concatenate)."""
        self._count_found()
        self.accepted += part.accepted
        self.undated += part.undated
        self.mentions.update(part.mentions)
        self.openings.update(part.openings)
        for role, values in part.salaries.items():
            self.salaries[role].extend(values)
        self.months.update(part.months)
        for month, counts in part.month_mentions.items():
            self.month_mentions[month].update(counts)
        for month, counts in part.month_openings.items():
            self.month_openings[month].update(counts)
        for day in (part.earliest, part.latest):
            if day is not None:
                value = dt.date.fromisoformat(day)
                self.latest = max(self.latest or value, value)
                self.earliest = min(self.earliest or value, value)
        self.synthetic = self.synthetic or part.synthetic

    def series(self) -> MarketSeries | None:
        """The monthly series (consecutive months, earliest to latest dated); None with no dated postings."""
        self._count_found()
        if not self.months:
            return None
        indexes = [_month_index(m) for m in self.months]
        months = [_month_name(i) for i in range(min(indexes), max(indexes) + 1)]
        return MarketSeries(
            months=months,
            postings=[self.months.get(m, 0) for m in months],
            undated=self.undated,
            skills={
                s: [self.month_mentions[m][s] if m in self.month_mentions else 0 for m in months]
                for s in self.catalog.skills
                if self.mentions[s]
            },
            roles={
                r: [self.month_openings[m][r] if m in self.month_openings else 0 for m in months]
                for r in self.catalog.roles
                if self.openings[r]
            },
        )

    def _role(
        self,
        role_id: str,
        previous: dict[str, RoleFigures],
        total_openings: int,
        series: MarketSeries | None,
    ) -> RoleFigures:
        role = self.catalog.roles[role_id]
        openings = self.openings[role_id]
        salaries = self.salaries.get(role_id, array("d"))
        band: list[float | None] = [None, None, None]
        if salaries:
            band = [round(float(v)) for v in np.percentile(np.asarray(salaries), [10, 50, 90])]
        trend = None
        if series is not None:
            by_month = series.roles.get(role_id, [0] * len(series.months))
            trend = series_trend(series.months, by_month, series.postings)
        if trend is None:
            prev_total = sum(float(r.openings or 0) for r in previous.values()) or None
            before = previous.get(role_id)
            prev_share = (
                float((before.openings if before else None) or 0) / prev_total if prev_total else None
            )
            share = openings / total_openings if total_openings else 0.0
            trend = relative_change(share, prev_share)
        return RoleFigures(
            name=role.name,
            occupation_code=role.occupation_code,
            openings=openings,
            salary_p10=band[0],
            salary_median=band[1],
            salary_p90=band[2],
            salary_samples=len(salaries),
            openings_trend=trend,
        )

    def document(self, source: str, previous: MarketDocument | None, today: dt.date) -> MarketDocument:
        """The market document for what was added; ``previous`` is the version live before this run."""
        self._count_found()
        previous = previous or MarketDocument()
        prev_skills = previous.skills
        n = self.accepted
        series = self.series()
        skills = {}
        from_series = 0
        for skill_id in self.catalog.skills:
            demand = round(self.mentions[skill_id] / n, 4) if n else 0.0
            trend = None
            if series is not None:
                by_month = series.skills.get(skill_id, [0] * len(series.months))
                trend = series_trend(series.months, by_month, series.postings)
            if trend is None:
                before = prev_skills.get(skill_id)
                trend = relative_change(demand, float(before.demand) if before else None)
            else:
                from_series += 1
            skills[skill_id] = SkillFigures(
                demand=demand, trend=trend, postings=self.mentions[skill_id], basis="postings"
            )
        total_openings = sum(self.openings.values())
        roles = {r: self._role(r, previous.roles, total_openings, series) for r in self.catalog.roles}
        as_of = (self.latest or today).isoformat()
        period = f"{self.earliest.isoformat()}..{as_of}" if self.earliest else f"read {today.isoformat()}"
        label = f"postings: {source}"
        attribution = [f"Job postings from {source} ({n:,} postings, {period})."]
        if self.synthetic:
            label = f"SYNTHETIC {label}"
            attribution = [
                f"SYNTHETIC postings from {source}, generated by careerpath for tests and benchmarks: "
                "not market data."
            ]
        trend_note = TREND_FROM_SERIES if from_series else TREND_FROM_PREVIOUS
        notes = {**NOTES, "trend": trend_note, "openings_trend": trend_note.replace("skill's", "role's")}
        if series is None:
            notes["series"] = f"no series: none of the {n:,} postings has a posted_date"
        return MarketDocument(
            source=label,
            as_of=as_of,
            attribution=attribution,
            basis="postings",
            synthetic=self.synthetic,
            postings=n,
            previous_version=previous.version,
            notes=notes,
            skills=skills,
            roles=roles,
            series=series,
        )
