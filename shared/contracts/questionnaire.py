"""Adaptive questionnaire contracts: gateway <-> recommender (``POST /questionnaire/next``).

The caller sends the skills answered so far (0 included: "asked, none"); the answer is the current role
ranking (the same items, in the same order, as a recommendation for those answers) and the one question
expected to change that ranking most, or none when no answer left is expected to change the top three.
Nothing is stored.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from shared.contracts.common import SentYears, SkillLevels, described
from shared.contracts.recommendations import RoleFit

__all__ = ["NextQuestion", "QuestionnaireRequest", "QuestionnaireResponse"]


class QuestionnaireRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """The answers so far."""

    answers: Annotated[
        SkillLevels,
        described(
            "The skills answered so far, by skill id, each with its level 0-4 (0 = none: asked and answered "
            "'never used'); a skill not listed has not been asked yet.",
            {"python": 3, "kubernetes": 0},
        ),
    ] = {}
    years_experience: SentYears = 0.0
    top: Annotated[
        Annotated[int, msgspec.Meta(ge=1, le=50)],
        described("How many roles to answer, best match first (1-50).", 12),
    ] = 12


class NextQuestion(msgspec.Struct, kw_only=True, frozen=True):
    """The skill to ask about next, and why."""

    skill: Annotated[str, described("The skill's id (send its level under `answers`).", "kubernetes")]
    name: Annotated[str, described("The skill's name.", "Kubernetes")]
    category: Annotated[str, described("The skill's category in the catalogue.", "servers-hosting")]
    why: Annotated[
        str,
        described(
            "Why this question, in one sentence.",
            "How well you know Kubernetes tells DevOps engineer apart from Backend developer: of the "
            "questions left, its answer is expected to settle your ranking most.",
        ),
    ]
    information_gain: Annotated[
        float,
        described(
            "How much the answer is expected to settle the role ranking: the expected fall in its entropy, "
            "in bits (0 = the answer changes nothing).",
            0.21,
        ),
    ]
    change_chance: Annotated[
        float,
        described(
            "The chance (0..1) that answering it changes the set of your top three roles, from how people "
            "with answers like yours answered.",
            0.34,
        ),
    ]


class QuestionnaireResponse(msgspec.Struct, kw_only=True, frozen=True):
    """The ranking for the answers so far and the next question (null when done)."""

    next_skill: Annotated[
        str | None,
        described(
            "The id of the unanswered skill whose answer is expected to change the ranking most; null when "
            "no answer left is expected to change the top three roles (the questionnaire is done).",
            "kubernetes",
        ),
    ]
    question: Annotated[
        NextQuestion | None,
        described("The next question with its name, category and reason; null when `next_skill` is null."),
    ] = None
    roles: Annotated[
        list[RoleFit],
        described(
            "The roles for the answers so far (unanswered skills count as 0), best match first: the same "
            "items in the same order as POST /api/v1/recommendations answers for them."
        ),
    ] = []
    confidence: Annotated[
        float,
        described(
            "The estimated chance (0..1) that the current top three roles are the top three the full "
            "questionnaire would give, from how people with answers like yours answered the rest.",
            0.82,
        ),
    ] = 0.0
    answered: Annotated[
        int, described("How many questions are answered so far (skills in `answers`).", 4)
    ] = 0
    remaining: Annotated[int, described("How many skills of the catalogue are not answered yet.", 55)] = 0
    done: Annotated[
        bool, described("True when no question is left worth asking (`next_skill` is null).", False)
    ] = False
    model_version: Annotated[
        str, described("The role-match model version that ranked the roles and chose the question.")
    ] = ""
