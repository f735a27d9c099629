"""Adaptive questionnaire contracts: gateway <-> recommender (``POST /questionnaire/next``).

The caller sends the skills answered so far (0 included: "asked, none"); the answer is the role ranking the
full questionnaire is predicted to give (each item what a recommendation for the answers so far gives for
that role; the order and the per-role chances are the prediction's) and the one question whose answer is
expected to make that prediction right most often, or none when the rest of the questions are unlikely to
change the predicted top three. Nothing is stored.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from shared.contracts.common import SentYears, SkillId, SkillLevels, described
from shared.contracts.recommendations import RoleFit

__all__ = [
    "CategoryQuestion",
    "NextQuestion",
    "PredictedRole",
    "QuestionnaireRequest",
    "QuestionnaireResponse",
]


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
    used: Annotated[
        Annotated[list[SkillId], msgspec.Meta(max_length=200)],
        described(
            "Skills ticked in a 'which of these have you used?' question (`next_category`) without a level "
            "yet: each counts at the level people with your years of experience usually have (2, or 3 from "
            "five years on: the level of the survey respondents the model learnt from) until a level is sent "
            "for it under `answers`, which wins. Send the category's skills left unticked under `answers` "
            "as 0.",
            ["python", "postgresql"],
        ),
    ] = []
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
            "How much the answer is expected to settle which three roles the full questionnaire puts on "
            "top: the expected fall in the entropy of that prediction, in bits (0 = the answer changes "
            "nothing).",
            0.21,
        ),
    ]
    change_chance: Annotated[
        float,
        described(
            "The chance (0..1) that answering it changes the three roles shown on top, from how people "
            "with answers like yours answered.",
            0.34,
        ),
    ]


class CategoryQuestion(msgspec.Struct, kw_only=True, frozen=True):
    """A 'which of these have you used?' question about one category's unanswered skills, and why."""

    category: Annotated[str, described("The category's id in the catalogue.", "databases")]
    skills: Annotated[
        list[str],
        described(
            "The category's skills not answered yet, in catalogue order: send the ticked ones under `used` "
            "(or with a level under `answers`) and the others under `answers` as 0.",
            ["postgresql", "mysql", "redis"],
        ),
    ]
    assumed_level: Annotated[
        int,
        described("The level a ticked skill counts at until its level is sent (see `used`).", 2),
    ]
    why: Annotated[
        str,
        described(
            "Why this question, in one sentence.",
            "Which databases you have used is expected to settle your top roles best of the questions "
            "left (it changes the three roles shown with a chance of 41%).",
        ),
    ]
    information_gain: Annotated[
        float,
        described(
            "The expected fall in the entropy of the predicted top three, in bits, from the answer.", 0.9
        ),
    ]
    change_chance: Annotated[
        float,
        described("The chance (0..1) that the answer changes the three roles shown on top.", 0.41),
    ]


class PredictedRole(msgspec.Struct, kw_only=True, frozen=True):
    """What the full questionnaire is predicted to give one role, from people with answers like yours."""

    role: Annotated[str, described("The role's id (the same role as the item of `roles` at this position).")]
    top1_chance: Annotated[
        float,
        described("The chance (0..1) that the full questionnaire ranks this role first.", 0.46),
    ]
    top3_chance: Annotated[
        float,
        described("The chance (0..1) that the role is among the full questionnaire's top three.", 0.81),
    ]
    expected_match: Annotated[
        float,
        described(
            "The role's expected `match` once every skill is answered (the answers so far kept, the rest "
            "as people with answers like yours answered them).",
            0.31,
        ),
    ]


class QuestionnaireResponse(msgspec.Struct, kw_only=True, frozen=True):
    """The ranking for the answers so far and the next question (null when done)."""

    next_skill: Annotated[
        str | None,
        described(
            "The id of the unanswered skill whose answer is expected to make the predicted ranking right "
            "most often; null when the rest of the questions are unlikely to change the predicted top three "
            "roles (`confidence` is at least 1 - 0.05) or none is left (the questionnaire is done).",
            "kubernetes",
        ),
    ]
    question: Annotated[
        NextQuestion | None,
        described("The next question with its name, category and reason; null when `next_skill` is null."),
    ] = None
    next_category: Annotated[
        CategoryQuestion | None,
        described(
            "The quicker question: 'which of these have you used?' about the category whose answer is "
            "expected to make the predicted ranking right most often (one answer covers several skills; "
            "the page asks these first). Null when the questionnaire is done or every category's skills "
            "are answered."
        ),
    ] = None
    next_level: Annotated[
        str | None,
        described(
            "A skill ticked under `used` whose level is worth rating next (send it under `answers`): the one "
            "whose level one step below or above the assumed level changes the top three or the first role "
            "most often; null when no such step would (or nothing is ticked without a level).",
            "docker",
        ),
    ] = None
    assumed_level: Annotated[
        int, described("The level a skill under `used` counts at, for the years sent.", 2)
    ] = 0
    roles: Annotated[
        list[RoleFit],
        described(
            "The roles in the order the full questionnaire is predicted to rank them, best first: the three "
            "roles most likely to be in its top three (led by the one most likely to be first), then the "
            "others by that chance (`predicted`). Each item is the one POST "
            "/api/v1/recommendations gives for the answers so far (its `match`, `readiness` and reasons "
            "count the unanswered skills as 0), so the order can differ from the order of `match`."
        ),
    ] = []
    predicted: Annotated[
        list[PredictedRole],
        described(
            "Per role of `roles`, in the same order: the predicted full-questionnaire figures behind the "
            "order (chance of being first, of being in the top three, expected match)."
        ),
    ] = []
    confidence: Annotated[
        float,
        described(
            "The estimated chance (0..1) that the first three of `roles` are the top three the full "
            "questionnaire would give, from how people with answers like yours answered the rest.",
            0.82,
        ),
    ] = 0.0
    answered: Annotated[
        int, described("How many skills are answered so far (in `answers` or `used`).", 4)
    ] = 0
    remaining: Annotated[int, described("How many skills of the catalogue are not answered yet.", 55)] = 0
    done: Annotated[
        bool,
        described(
            "True when no question is left worth asking (`next_skill` and `next_category` are null; "
            "`next_level` may still name a ticked skill whose level is worth rating).",
            False,
        ),
    ] = False
    model_version: Annotated[
        str, described("The role-match model version that ranked the roles and chose the question.")
    ] = ""
