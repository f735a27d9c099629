"""Recommendation contracts: gateway <-> recommender."""

from __future__ import annotations

from typing import Annotated

import msgspec

from shared.contracts.common import ErrorDetail, RoleId, SkillLevels, Years

__all__ = [
    "BatchCandidate",
    "BatchEnvelope",
    "BatchItemError",
    "BatchOptions",
    "BatchRequest",
    "BatchResponse",
    "BatchResult",
    "LearningStep",
    "MarketFigures",
    "MarketInfo",
    "Occupation",
    "RecommendationRequest",
    "RecommendationResponse",
    "MEANINGS",
    "RoleFit",
    "RoleMarketSummary",
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


def _doc(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


# One line per number, said the same way in the API (here and in OpenAPI) and on the page (`MEANINGS`).
MEANINGS = {
    "readiness": "How much of what this role asks for you already have (0-100 %), weighing each required "
    "skill by the evidence for it; it never falls when you learn something.",
    "match": "How strongly your skills point to this role rather than the others, every role given a fair "
    "chance however common it is; the roles are ranked by it. Not the odds of being hired.",
    "readiness_gain": "Points of readiness for the target role this one step adds.",
    "salary_median": "Median annual pay in the USA for the role's occupation (BLS OEWS), USD.",
    "openings": "Average job openings per year in the USA for the occupation, 2023-2033 (BLS projections).",
    "growth_pct": "Projected change in employment for the occupation over 2023-2033 (BLS), percent.",
}


class SkillContribution(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """What one of the profile's skills adds to the figure it explains (they add up to it)."""

    skill: str
    level: int
    contribution: float


class SkillGap(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """One requirement of a role and where the profile stands on it.

    A requirement met by any one of several skills (one server-side language of several) names the
    alternative that serves it best (`skill`) and lists all of them in `alternatives`."""

    skill: str
    name: str
    level: int
    required_level: int
    weight: Annotated[
        float, _doc("The requirement's share of the role's readiness when fully met (0..1).")
    ] = 0.0
    alternatives: list[str] = []
    label: str | None = None


class Occupation(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """The occupation (US SOC) a role's market figures come from, and the other roles that share them."""

    code: Annotated[str, _doc("The BLS SOC code, e.g. 15-1252.")]
    title: str | None = None
    shared_with: Annotated[
        list[str],
        _doc(
            "The other roles whose figures come from the same occupation: for these roles the BLS figures "
            "are the same numbers, not separate measurements."
        ),
    ] = []
    note: Annotated[str | None, _doc("What the sharing means for the figures, in words.")] = None


class RoleMarketSummary(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """Pay, openings and growth of the role's occupation from the market version in use."""

    salary_median: Annotated[float | None, _doc(MEANINGS["salary_median"])] = None
    openings: Annotated[float | None, _doc(MEANINGS["openings"])] = None
    growth_pct: Annotated[float | None, _doc(MEANINGS["growth_pct"])] = None
    occupation_title: str | None = None
    occupation: Occupation | None = None


class RoleFit(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """One role for a skill vector: readiness (absolute) and match (the ranking), with the reasons."""

    role: str
    name: str
    score: Annotated[float, _doc("The match probability (same as `match`; kept for existing clients).")]
    occupation_code: str | None = None
    matched: list[SkillGap] = []
    missing: list[SkillGap] = []
    contributions: Annotated[
        list[SkillContribution],
        _doc("Per skill, what it adds to `match` relative to `baseline`; they sum to match - baseline."),
    ] = []
    baseline: Annotated[float, _doc("The match of an empty profile with the same years of experience.")] = 0.0
    match: Annotated[float, _doc(MEANINGS["match"])] = 0.0
    readiness: Annotated[float, _doc(MEANINGS["readiness"])] = 0.0
    readiness_contributions: Annotated[
        list[SkillContribution], _doc("Per skill, its part of `readiness`; they sum to readiness.")
    ] = []
    meets: Annotated[bool, _doc("Every requirement of the role is met at its level.")] = False
    market: RoleMarketSummary | None = None


class LearningStep(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """Raise one skill from one level to another, with the reasons."""

    skill: str
    name: str
    from_level: int
    to_level: int
    fit_gain: Annotated[float, _doc("Same as `readiness_gain` (kept for existing clients).")]
    demand: float
    priority: float
    effort_hours: int
    resource: str
    why: str
    prerequisites: list[str] = []
    readiness_gain: Annotated[float, _doc(MEANINGS["readiness_gain"])] = 0.0


class MarketInfo(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    version: str
    source: str
    as_of: str
    stale: Annotated[bool, _doc("Redis is unreachable and the last good copy is served.")] = False
    age_days: Annotated[int | None, _doc("Days between `as_of` and today.")] = None
    outdated: Annotated[bool, _doc("The figures are more than 12 months old.")] = False
    pinned: Annotated[
        bool, _doc("The caller asked for this version (Careerpath-Market-Version); else it is the live one.")
    ] = False


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
    occupation: Occupation | None = None


class MarketFigures(msgspec.Struct, kw_only=True, frozen=True):
    """The market document in use: demand per skill, openings and salary per role, and credits."""

    market: MarketInfo
    skills: dict[str, SkillDemand]
    roles: dict[str, RoleMarket]
    attribution: list[str] = []


class RecommendationResponse(msgspec.Struct, kw_only=True, frozen=True):
    roles: Annotated[list[RoleFit], _doc("Best match first.")]
    target_role: Annotated[
        str,
        _doc(
            "The role the learning steps lead to: the one asked for, else the best-matching role not met yet."
        ),
    ]
    learning_steps: list[LearningStep]
    model_version: str
    market: MarketInfo
    attribution: list[str] = []
    confident: Annotated[
        bool, _doc("False when the skills given are too few for any role to stand out; see `hint`.")
    ] = True
    hint: str | None = None
    stretch_roles: Annotated[
        list[str], _doc("The nearest roles not met yet besides the target, highest readiness first.")
    ] = []
    meanings: Annotated[dict[str, str], _doc("One line on what each number means.")] = {}


class BatchCandidate(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    id: Annotated[
        str, msgspec.Meta(min_length=1, max_length=128, description="Names the result; unique in the batch.")
    ]
    skills: SkillLevels
    years_experience: Years = 0.0


class BatchOptions(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """What a batch asks besides its candidates (the fields of a BatchRequest other than ``candidates``).

    A new batch option goes here, so that the envelope the gateway reads (``BatchEnvelope``) and the
    documented ``BatchRequest`` both have it."""

    target_role: Annotated[
        RoleId | None, _doc("Score every candidate for this role only (default: each one's best roles).")
    ] = None
    role: Annotated[
        RoleId | None,
        msgspec.Meta(
            description="Deprecated: the old name of `target_role` (answered with a `Deprecation` header); "
            "give one of the two.",
            extra_json_schema={"deprecated": True},
        ),
    ] = None
    top: Annotated[int, msgspec.Meta(ge=1, le=20, description="Roles per candidate, best first.")] = 3

    @property
    def target(self) -> str | None:
        """The role asked for, by either name."""
        return self.target_role if self.target_role is not None else self.role


class BatchRequest(BatchOptions, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Up to 1,000 candidates to score in one call; each gets its result or its own error."""

    candidates: Annotated[list[BatchCandidate], msgspec.Meta(min_length=1, max_length=MAX_BATCH)]


class BatchEnvelope(BatchOptions, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A BatchRequest as first read: its options decoded, each candidate still the JSON it came as, to be
    decoded (and refused) on its own."""

    candidates: Annotated[list[msgspec.Raw], msgspec.Meta(min_length=1, max_length=MAX_BATCH)]


class BatchItemError(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """Why one candidate was not scored: the same fields as a problem-details answer's."""

    status: Annotated[int, _doc("The HTTP status this candidate alone would have had (422).")]
    code: Annotated[str, _doc("The machine-readable error code (`validation_error`).")]
    detail: str
    errors: Annotated[
        list[ErrorDetail],
        _doc("Every field at fault, named from the batch: `candidates[17].skills.kubernetes`."),
    ] = []


class BatchResult(msgspec.Struct, kw_only=True, frozen=True, gc=False, omit_defaults=True):
    """One candidate's outcome, in the order sent: its roles, or its error (never both)."""

    id: Annotated[str | None, _doc("The candidate's `id`; null when it had no valid one.")]
    index: Annotated[int, _doc("The candidate's position in `candidates` (from 0).")]
    roles: Annotated[
        list[RoleFit] | None, _doc("Best match first (absent when the candidate has an `error`).")
    ] = None
    error: Annotated[BatchItemError | None, _doc("Why this candidate was not scored (absent if scored).")] = (
        None
    )


class BatchResponse(msgspec.Struct, kw_only=True, frozen=True):
    results: Annotated[list[BatchResult], _doc("One per candidate, in the order sent.")]
    succeeded: Annotated[int, _doc("How many candidates were scored.")] = 0
    failed: Annotated[int, _doc("How many candidates have an `error` instead of `roles`.")] = 0
    model_version: str
    market: MarketInfo
    attribution: list[str] = []
