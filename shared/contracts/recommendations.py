"""Recommendation contracts: gateway <-> recommender."""

from __future__ import annotations

from typing import Annotated

import msgspec

from shared.contracts.common import RoleId, SkillLevels, Years

__all__ = [
    "BatchCandidate",
    "BatchRequest",
    "BatchResponse",
    "BatchResult",
    "LearningStep",
    "MarketFigures",
    "MarketInfo",
    "RecommendationRequest",
    "RecommendationResponse",
    "RoleFit",
    "SkillContribution",
    "SkillGap",
]

MAX_BATCH = 1000
# Answer Structs are gc=False: they hold only scalars and lists of other answer Structs, so they can never
# form a reference cycle, and a batch creates ~50,000 of them (untracked creation takes half the time).


class RecommendationRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A skill vector to score against every role."""

    skills: SkillLevels
    years_experience: Years = 0.0
    target_role: RoleId | None = None
    top: Annotated[int, msgspec.Meta(ge=1, le=50)] = 12


class SkillContribution(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    skill: str
    level: int
    contribution: float


class SkillGap(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    skill: str
    name: str
    level: int
    required_level: int


class RoleFit(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """One role's fit for a skill vector, with the reasons."""

    role: str
    name: str
    score: float
    occupation_code: str | None = None
    matched: list[SkillGap] = []
    missing: list[SkillGap] = []
    contributions: list[SkillContribution] = []
    baseline: float = 0.0


class LearningStep(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """Raise one skill from one level to another, with the reasons."""

    skill: str
    name: str
    from_level: int
    to_level: int
    fit_gain: float
    demand: float
    priority: float
    effort_hours: int
    resource: str
    why: str
    prerequisites: list[str] = []


class MarketInfo(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    version: str
    source: str
    as_of: str
    stale: bool = False


class SkillDemand(msgspec.Struct, kw_only=True, frozen=True):
    demand: float
    trend: float = 0.0


class RoleMarket(msgspec.Struct, kw_only=True, frozen=True):
    occupation_code: str | None = None
    occupation_title: str | None = None
    employment: float | None = None
    openings: float | None = None
    salary_p10: float | None = None
    salary_median: float | None = None
    salary_p90: float | None = None
    growth_pct: float | None = None


class MarketFigures(msgspec.Struct, kw_only=True, frozen=True):
    """The market document in use: demand per skill, openings and salary per role, and credits."""

    market: MarketInfo
    skills: dict[str, SkillDemand]
    roles: dict[str, RoleMarket]
    attribution: list[str] = []


class RecommendationResponse(msgspec.Struct, kw_only=True, frozen=True):
    roles: list[RoleFit]
    target_role: str
    learning_steps: list[LearningStep]
    model_version: str
    market: MarketInfo
    attribution: list[str] = []


class BatchCandidate(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    id: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    skills: SkillLevels
    years_experience: Years = 0.0


class BatchRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    candidates: Annotated[list[BatchCandidate], msgspec.Meta(min_length=1, max_length=MAX_BATCH)]
    role: RoleId | None = None
    top: Annotated[int, msgspec.Meta(ge=1, le=20)] = 3


class BatchResult(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    id: str
    roles: list[RoleFit]


class BatchResponse(msgspec.Struct, kw_only=True, frozen=True):
    results: list[BatchResult]
    model_version: str
    market: MarketInfo
    attribution: list[str] = []
