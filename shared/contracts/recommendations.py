"""Recommendation contracts: gateway <-> recommender."""

from __future__ import annotations

from typing import Annotated

import msgspec

from shared.contracts.common import ErrorDetail, RoleId, SentSkills, SentTargetRole, SentYears, described

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

    skills: SentSkills
    years_experience: SentYears = 0.0
    target_role: SentTargetRole = None
    top: Annotated[
        Annotated[int, msgspec.Meta(ge=1, le=50)],
        described("How many roles to answer, best match first (1-50).", 12),
    ] = 12
    learning_plan: Annotated[
        bool,
        described(
            "Whether to answer `learning_steps` towards `target_role`; false answers an empty list and "
            "skips planning them (`target_role` and `stretch_roles` are answered either way).",
            True,
        ),
    ] = True


def _doc(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


# One line per number, said the same way in the API (here and in OpenAPI) and on the page (`MEANINGS`).
MEANINGS = {
    "readiness": "How much of what this role asks for you already have, a share from 0 to 1 (the page "
    "shows it as a percentage), weighing each required skill by the evidence for it; it never falls when "
    "you learn something.",
    "match": "How strongly your skills point to this role rather than the others, every role given a fair "
    "chance however common it is; the roles are ranked by it. Not the odds of being hired.",
    "readiness_gain": "How much this one step raises your readiness for the target role, a share from 0 to 1 "
    "(0.05 = 5 percentage points).",
    "salary_median": "Median annual pay in the USA for the role's occupation (BLS OEWS), USD.",
    "openings": "Average job openings per year in the USA for the occupation, 2023-2033 (BLS projections).",
    "growth_pct": "Projected change in employment for the occupation over 2023-2033 (BLS), percent.",
}


class SkillContribution(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """What one of the profile's skills adds to the figure it explains (they add up to it)."""

    skill: Annotated[str, described("The skill's id.", "python")]
    level: Annotated[int, described("The profile's level of it (1-4).", 3)]
    contribution: Annotated[
        float,
        described(
            (
                "What it adds to the figure, in that figure's unit (a share, 0..1); in "
                "`contributions` it can be negative (the skill points to other roles)."
            ),
            0.0812,
        ),
    ]


class SkillGap(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """One requirement of a role and where the profile stands on it.

    A requirement met by any one of several skills (one server-side language of several) names the
    alternative that serves it best (`skill`) and lists all of them in `alternatives`."""

    skill: Annotated[
        str, described("The skill's id; for a choice, the alternative that serves it best.", "python")
    ]
    name: Annotated[str, described("The skill's name.", "Python")]
    level: Annotated[int, described("The profile's level of that skill (0-4).", 2)]
    required_level: Annotated[int, described("The level the role asks for (1-4).", 3)]
    weight: Annotated[
        float, _doc("The requirement's share of the role's readiness when fully met (0..1).")
    ] = 0.0
    alternatives: Annotated[
        list[str],
        described(
            "For a choice, every skill id that meets it; empty for a single skill.", ["python", "java", "go"]
        ),
    ] = []
    label: Annotated[
        str | None,
        described(
            "For a choice, what it asks for in words; null for a single skill.", "a server-side language"
        ),
    ] = None


class Occupation(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """The occupation (US SOC) a role's market figures come from, and the other roles that share them."""

    code: Annotated[str, _doc("The BLS SOC code, e.g. 15-1252.")]
    title: Annotated[
        str | None,
        described("The occupation's title; null when the market data has none.", "Software Developers"),
    ] = None
    shared_with: Annotated[
        list[str],
        _doc(
            "The other roles whose figures come from the same occupation: for these roles the BLS figures "
            "are the same numbers, not separate measurements."
        ),
    ] = []
    note: Annotated[str | None, _doc("What the sharing means for the figures, in words.")] = None


RoleOccupation = Annotated[
    Occupation | None,
    described(
        "The occupation the figures come from, and the roles that share it; null when the role has none."
    ),
]


class RoleMarketSummary(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """Pay, openings and growth of the role's occupation from the market version in use."""

    salary_median: Annotated[float | None, _doc(MEANINGS["salary_median"])] = None
    openings: Annotated[float | None, _doc(MEANINGS["openings"])] = None
    growth_pct: Annotated[float | None, _doc(MEANINGS["growth_pct"])] = None
    occupation_title: Annotated[
        str | None, described("The title of the role's occupation; null when unknown.", "Software Developers")
    ] = None
    occupation: RoleOccupation = None


class RoleFit(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """One role for a skill vector: readiness (absolute) and match (the ranking), with the reasons."""

    role: Annotated[str, described("The role's id.", "backend-developer")]
    name: Annotated[str, described("The role's name.", "Backend developer")]
    score: Annotated[float, _doc("The match probability (same as `match`; kept for existing clients).")]
    occupation_code: Annotated[
        str | None, described("The role's occupation (US SOC code) where one exists, else null.", "15-1252")
    ] = None
    matched: Annotated[
        list[SkillGap], described("The role's requirements the profile meets at their level.")
    ] = []
    missing: Annotated[
        list[SkillGap], described("The role's requirements not met yet, with the level each asks for.")
    ] = []
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
    market: Annotated[
        RoleMarketSummary | None,
        described(
            "Pay, openings and growth of the role's occupation; null when the market data "
            "has no figures for the role."
        ),
    ] = None


class LearningStep(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """Raise one skill from one level to another, with the reasons."""

    skill: Annotated[str, described("The id of the skill to raise.", "docker")]
    name: Annotated[str, described("The skill's name.", "Docker and containers")]
    from_level: Annotated[int, described("The level the profile has now (0-3).", 1)]
    to_level: Annotated[int, described("The level this step raises it to (1-4).", 2)]
    fit_gain: Annotated[float, _doc("Same as `readiness_gain` (kept for existing clients).")]
    demand: Annotated[
        float,
        described(
            (
                "Market demand for the skill: the share (0..1) of postings, or of surveyed "
                "developers, that use it; 0 when the market data has no figure."
            ),
            0.4312,
        ),
    ]
    priority: Annotated[
        float,
        described(
            (
                "What orders the steps after their prerequisites: readiness gained per hour, "
                "weighted by demand (no unit; higher comes first)."
            ),
            0.00061,
        ),
    ]
    effort_hours: Annotated[
        int, described("Estimated hours of study for the step, prerequisites folded into it included.", 25)
    ]
    resource: Annotated[str, described("Where to learn it (a URL).", "https://docs.docker.com/get-started/")]
    why: Annotated[str, described("Why this step, in one sentence.")]
    prerequisites: Annotated[
        list[str],
        described(
            (
                "Skill ids learned first for this step: earlier steps it needs, and "
                "prerequisites folded into it (named in `why`)."
            ),
            ["linux"],
        ),
    ] = []
    readiness_gain: Annotated[float, _doc(MEANINGS["readiness_gain"])] = 0.0


class MarketInfo(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """The market-data version an answer was computed from."""

    version: Annotated[
        str, described("The version's id (pin it with `Careerpath-Market-Version`).", "bundled-2024.05-2")
    ]
    source: Annotated[
        str, described("Where its figures come from, in words.", "bundled: O*NET 29.2, BLS OEWS May 2024")
    ]
    as_of: Annotated[str, described("The date the figures describe (ISO 8601 date).", "2024-05-31")]
    stale: Annotated[bool, _doc("Redis is unreachable and the last good copy is served.")] = False
    age_days: Annotated[int | None, _doc("Days between `as_of` and today.")] = None
    outdated: Annotated[bool, _doc("The figures are more than 12 months old.")] = False
    pinned: Annotated[
        bool, _doc("The caller asked for this version (Careerpath-Market-Version); else it is the live one.")
    ] = False


class SkillDemand(msgspec.Struct, kw_only=True, frozen=True):
    """How much the market asks for one skill, in the market-data version in use."""

    demand: Annotated[
        float,
        described(
            (
                "The share (0..1) of postings that ask for the skill (bundled data: of surveyed "
                "developers who use it, or an O*NET-based figure); compare it as a relative "
                "weight."
            ),
            0.5019,
        ),
    ]
    trend: Annotated[
        float,
        described(
            (
                "A fraction (0.1 = +10 %). Bundled data: the projected 2023-2033 employment "
                "change of the roles needing the skill (BLS). Data refreshed from postings: the "
                "change of `demand` since the previous version. 0 when unknown."
            ),
            0.1578,
        ),
    ] = 0.0


class RoleMarket(msgspec.Struct, kw_only=True, frozen=True):
    """Every market figure for one role, from its occupation (a figure is null when the source has none)."""

    occupation_code: Annotated[str | None, described("The occupation's US SOC code, or null.", "15-1252")] = (
        None
    )
    occupation_title: Annotated[
        str | None, described("The occupation's title, or null.", "Software Developers")
    ] = None
    employment: Annotated[
        float | None, described("People employed in the occupation in the USA (a count; BLS OEWS).", 1654440)
    ] = None
    openings: Annotated[
        float | None,
        described(
            (
                "Bundled data: average job openings per year in the USA, 2023-2033 (BLS "
                "projections). Data refreshed from postings: the postings for the role (a "
                "count)."
            ),
            125100,
        ),
    ] = None
    salary_p10: Annotated[
        float | None,
        described(
            (
                "Annual pay at the 10th percentile (bundled data: US dollars per year, BLS "
                "OEWS; refreshed data: in the postings' currency)."
            ),
            79850,
        ),
    ] = None
    salary_median: Annotated[
        float | None,
        described(
            (
                "Median annual pay (bundled data: US dollars per year, BLS OEWS; refreshed "
                "data: in the postings' currency)."
            ),
            133080,
        ),
    ] = None
    salary_p90: Annotated[
        float | None,
        described(
            (
                "Annual pay at the 90th percentile (bundled data: US dollars per year, BLS "
                "OEWS; refreshed data: in the postings' currency)."
            ),
            211450,
        ),
    ] = None
    growth_pct: Annotated[
        float | None,
        described("Projected change in employment for the occupation over 2023-2033 (BLS), percent.", 17.9),
    ] = None
    occupation: RoleOccupation = None


class MarketFigures(msgspec.Struct, kw_only=True, frozen=True):
    """The market document in use: demand per skill, openings and salary per role, and credits."""

    market: Annotated[MarketInfo, described("The market-data version these figures are.")]
    skills: Annotated[dict[str, SkillDemand], described("Demand per skill id.")]
    roles: Annotated[dict[str, RoleMarket], described("Figures per role id.")]
    attribution: Annotated[
        list[str], described("The credits the sources require: show them with the figures.")
    ] = []


class RecommendationResponse(msgspec.Struct, kw_only=True, frozen=True):
    """One skill vector scored against every role: roles best match first, learning steps to the target role,
    and the model and market-data versions that produced them."""

    roles: Annotated[list[RoleFit], _doc("Best match first.")]
    target_role: Annotated[
        str,
        _doc(
            "The role the learning steps lead to: the one asked for, else the best-matching role not met yet."
        ),
    ]
    learning_steps: Annotated[
        list[LearningStep],
        described("Steps towards `target_role`, in the order to take them; empty when it is met already."),
    ]
    model_version: Annotated[str, described("The model that scored (GET /api/v1/versions describes it).")]
    market: Annotated[MarketInfo, described("The market-data version used.")]
    attribution: Annotated[
        list[str], described("The credits the market data's sources require: show them with the figures.")
    ] = []
    confident: Annotated[
        bool, _doc("False when the skills given are too few for any role to stand out; see `hint`.")
    ] = True
    hint: Annotated[
        str | None,
        described("When `confident` is false, what to add for a ranking to mean something; else null."),
    ] = None
    stretch_roles: Annotated[
        list[str], _doc("The nearest roles not met yet besides the target, highest readiness first.")
    ] = []
    meanings: Annotated[dict[str, str], _doc("One line on what each number means.")] = {}


class BatchCandidate(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """One candidate of a batch: an id of yours and the skills to score."""

    id: Annotated[
        str, msgspec.Meta(min_length=1, max_length=128, description="Names the result; unique in the batch.")
    ]
    skills: SentSkills
    years_experience: SentYears = 0.0


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
    explain: Annotated[
        bool,
        described(
            "Whether each role comes with its reasons (`matched`, `missing`, `contributions`, "
            "`readiness_contributions`); false leaves those lists empty, with every figure the same, "
            "for a smaller answer computed faster.",
            True,
        ),
    ] = True

    @property
    def target(self) -> str | None:
        """The role asked for, by either name."""
        return self.target_role if self.target_role is not None else self.role


class BatchRequest(BatchOptions, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Up to 1,000 candidates to score in one call; each gets its result or its own error."""

    candidates: Annotated[
        Annotated[list[BatchCandidate], msgspec.Meta(min_length=1, max_length=MAX_BATCH)],
        described("The candidates to score, 1-1,000, each with its own `id`."),
    ]


class BatchEnvelope(BatchOptions, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A BatchRequest as first read: its options decoded, each candidate still the JSON it came as, to be
    decoded (and refused) on its own."""

    candidates: Annotated[list[msgspec.Raw], msgspec.Meta(min_length=1, max_length=MAX_BATCH)]


class BatchItemError(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """Why one candidate was not scored: the same fields as a problem-details answer's."""

    status: Annotated[int, _doc("The HTTP status this candidate alone would have had (422).")]
    code: Annotated[str, _doc("The machine-readable error code (`validation_error`).")]
    detail: Annotated[str, described("What is wrong, in words.")]
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
    """A batch's outcome: one result per candidate, in the order sent, and the model and market-data
    versions used."""

    results: Annotated[list[BatchResult], _doc("One per candidate, in the order sent.")]
    succeeded: Annotated[int, _doc("How many candidates were scored.")] = 0
    failed: Annotated[int, _doc("How many candidates have an `error` instead of `roles`.")] = 0
    model_version: Annotated[str, described("The model that scored (GET /api/v1/versions describes it).")]
    market: Annotated[MarketInfo, described("The market-data version used.")]
    attribution: Annotated[
        list[str], described("The credits the market data's sources require: show them with the figures.")
    ] = []
