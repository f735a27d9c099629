"""Turn validated postings into a market document the recommender reads.

Per skill: ``demand`` (share of accepted postings that mention it) and ``trend`` (relative change of that
share against the previous version). Per role: ``openings`` (postings for the role), the salary band
(p10 / median / p90 of the stated annual salaries) and ``openings_trend``. The document keeps the shape
of the bundled snapshot (``version``, ``source``, ``as_of``, ``attribution``, ``skills``, ``roles``): a
:class:`~shared.contracts.market_document.MarketDocument`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import numpy as np

from services.worker.matching import RoleMatcher, SkillMatcher
from services.worker.sources.records import Posting
from shared.catalog import Catalog
from shared.contracts.market_document import MarketDocument, RoleFigures, SkillFigures

__all__ = ["AGGREGATION_VERSION", "Aggregator", "relative_change"]

AGGREGATION_VERSION = "postings-1"  # bump when the figures a source yields change for the same bytes
NOTES = {
    "demand": "share of the accepted postings that mention the skill (through the taxonomy's synonyms)",
    "trend": "relative change of demand against previous_version (0 when that version lacks the skill)",
    "openings": "accepted postings whose title (or, failing that, skills) match the role",
    "salary": "p10 / median / p90 of the annual salaries stated by the role's postings (currency as given)",
}


def relative_change(now: float, before: float | None) -> float:
    if not before or before <= 0:
        return 0.0
    return round(max(-1.0, min(10.0, (now - before) / before)), 4)


class Aggregator:
    """Accumulates postings one at a time (memory stays flat however large the source)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.skills = SkillMatcher(catalog)
        self.roles = RoleMatcher(catalog)
        self.accepted = 0
        self.mentions: Counter[str] = Counter()
        self.openings: Counter[str] = Counter()
        self.salaries: dict[str, list[float]] = defaultdict(list)
        self.latest: dt.date | None = None
        self.earliest: dt.date | None = None
        self.synthetic = False

    def add(self, posting: Posting) -> None:
        self.accepted += 1
        text = "\n".join((posting.title, posting.text, " ; ".join(posting.skills)))
        found = self.skills.match(text)
        self.mentions.update(found)
        role = self.roles.match(posting.title, found)
        if role is not None:
            self.openings[role] += 1
            if posting.salary is not None:
                self.salaries[role].append(posting.salary)
        if posting.posted is not None:
            self.latest = max(self.latest or posting.posted, posting.posted)
            self.earliest = min(self.earliest or posting.posted, posting.posted)
        self.synthetic = self.synthetic or posting.synthetic

    def _role(self, role_id: str, previous: dict[str, RoleFigures], total_openings: int) -> RoleFigures:
        role = self.catalog.roles[role_id]
        openings = self.openings[role_id]
        salaries = self.salaries.get(role_id, [])
        band: list[float | None] = [None, None, None]
        if salaries:
            band = [round(float(v)) for v in np.percentile(np.asarray(salaries), [10, 50, 90])]
        prev_total = sum(float(r.openings or 0) for r in previous.values()) or None
        before = previous.get(role_id)
        prev_share = float((before.openings if before else None) or 0) / prev_total if prev_total else None
        share = openings / total_openings if total_openings else 0.0
        return RoleFigures(
            name=role.name,
            occupation_code=role.occupation_code,
            openings=openings,
            salary_p10=band[0],
            salary_median=band[1],
            salary_p90=band[2],
            salary_samples=len(salaries),
            openings_trend=relative_change(share, prev_share),
        )

    def document(self, source: str, previous: MarketDocument | None, today: dt.date) -> MarketDocument:
        """The market document for what was added; ``previous`` is the version live before this run."""
        previous = previous or MarketDocument()
        prev_skills = previous.skills
        n = self.accepted
        skills = {}
        for skill_id in self.catalog.skills:
            demand = round(self.mentions[skill_id] / n, 4) if n else 0.0
            before = prev_skills.get(skill_id)
            skills[skill_id] = SkillFigures(
                demand=demand,
                trend=relative_change(demand, float(before.demand) if before else None),
                postings=self.mentions[skill_id],
                basis="postings",
            )
        total_openings = sum(self.openings.values())
        roles = {r: self._role(r, previous.roles, total_openings) for r in self.catalog.roles}
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
        return MarketDocument(
            source=label,
            as_of=as_of,
            attribution=attribution,
            basis="postings",
            synthetic=self.synthetic,
            postings=n,
            previous_version=previous.version,
            notes=NOTES,
            skills=skills,
            roles=roles,
        )
