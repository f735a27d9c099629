"""``POST /questionnaire/next`` (internal): the predicted full-questionnaire ranking and the next question.

The role items are the recommendation's for the answers so far (unanswered skills 0: what a saved profile
with these answers shows), in the order the full questionnaire is predicted to rank them
(`services.recommender.questionnaire.Prediction`), with the predicted figures beside them (`predicted`)."""

from __future__ import annotations

import numpy as np
from litestar import post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, SkipValidation

from services.recommender.deps import MarketDep
from services.recommender.model.labels import inferred_level
from services.recommender.questionnaire import Decision, Questionnaire
from shared.contracts.questionnaire import (
    CategoryQuestion,
    NextQuestion,
    PredictedRole,
    QuestionnaireRequest,
    QuestionnaireResponse,
)

__all__ = ["QuestionnaireDep", "category_why", "next_question", "provide_questionnaire", "why"]

QuestionnaireDep = NamedDependency[SkipValidation[Questionnaire]]


def provide_questionnaire(questionnaire: Questionnaire) -> dict[str, Provide]:
    """The app-level provider of the questionnaire (built once, with the scorer)."""

    def provide() -> Questionnaire:
        return questionnaire

    return {"questionnaire": Provide(provide, use_cache=True, sync_to_thread=False)}


def why(questionnaire: Questionnaire, decision: Decision) -> str:
    """One sentence: which roles the answer tells apart (the two whose chance of being in the full top
    three it moves most apart), and how likely it is to move the top three shown."""
    assert decision.skill is not None and decision.contrast is not None
    catalog = questionnaire.scorer.catalog
    skill = catalog.skills[questionnaire.scorer.skill_ids[decision.skill]].name
    up, down = (catalog.roles[questionnaire.scorer.role_ids[r]].name for r in decision.contrast)
    return (
        f"How well you know {skill} tells {up} apart from {down}: of the questions left, its answer is "
        f"expected to settle your top roles best (it changes the top three shown with a chance of "
        f"{decision.change_chance:.0%})."
    )


# what a category's skills are called in a sentence
CATEGORY_WORDS = {
    "languages": "languages",
    "databases": "databases",
    "apis": "API technologies",
    "servers-hosting": "server and hosting tools",
    "architecture": "architecture practices",
    "security": "security practices",
    "data": "data tools",
    "practice": "engineering practices",
}


def category_why(category: str, decision: Decision) -> str:
    """One sentence for a 'which of these have you used?' question."""
    return (
        f"Which {CATEGORY_WORDS.get(category, category)} you have used is expected to settle your top roles "
        f"best of the questions left (it changes the top three shown with a chance of "
        f"{decision.category_change:.0%})."
    )


def _category_question(
    questionnaire: Questionnaire, decision: Decision, answers: dict[str, int], level: int
) -> CategoryQuestion | None:
    if decision.category is None:
        return None
    category = questionnaire.categories[decision.category]
    catalog = questionnaire.scorer.catalog
    return CategoryQuestion(
        category=category,
        skills=[s for s in catalog.skill_ids if catalog.skills[s].category == category and s not in answers],
        assumed_level=level,
        why=category_why(category, decision),
        information_gain=round(decision.category_gain, 4),
        change_chance=round(decision.category_change, 4),
    )


@post(
    "/questionnaire/next",
    tags=["questionnaire"],
    summary="The predicted full-questionnaire role ranking for the answers so far and the next question",
    status_code=200,
)
async def next_question(
    data: JSONBody[QuestionnaireRequest], questionnaire: QuestionnaireDep, market: MarketDep
) -> QuestionnaireResponse:
    scorer = questionnaire.scorer
    current = await market.current()
    # a ticked skill counts at the level the model's survey people have for their years; a level sent wins
    level = inferred_level(data.years_experience)
    answers = {skill: level for skill in data.used} | dict(data.answers)
    decision = questionnaire.next_for(answers, data.years_experience)
    prediction = decision.prediction
    assert prediction is not None
    # every role's item for the answers alone, then the prediction's order and selection
    fits = {
        fit.role: fit
        for fit in scorer.rank(
            answers, data.years_experience, top=len(scorer.role_ids), markets=current.roles
        )
    }
    order = prediction.order[: data.top]
    roles = [fits[scorer.role_ids[r]] for r in order]
    predicted = [
        PredictedRole(
            role=scorer.role_ids[r],
            top1_chance=round(prediction.top1_chance[r], 4),
            top3_chance=round(prediction.top3_chance[r], 4),
            expected_match=round(prediction.expected_match[r], 4),
        )
        for r in order
    ]
    question = None
    if decision.skill is not None:
        skill = scorer.catalog.skills[scorer.skill_ids[decision.skill]]
        question = NextQuestion(
            skill=skill.id,
            name=skill.name,
            category=skill.category,
            why=why(questionnaire, decision),
            information_gain=round(decision.information_gain, 4),
            change_chance=round(decision.change_chance, 4),
        )
    answered = len(answers)
    assumed = [skill for skill in data.used if skill not in data.answers]
    next_level = None
    if assumed:
        mask, levels = questionnaire.encode([answers])
        flagged, _ = questionnaire.encode([dict.fromkeys(assumed, 1)])
        years = np.asarray([data.years_experience], dtype=np.float64)
        chosen = int(questionnaire.level_question(mask, levels, years, flagged)[0])
        next_level = scorer.skill_ids[chosen] if chosen >= 0 else None
    return QuestionnaireResponse(
        next_skill=question.skill if question else None,
        question=question,
        next_category=_category_question(questionnaire, decision, answers, level),
        next_level=next_level,
        assumed_level=level,
        roles=roles,
        predicted=predicted,
        confidence=round(decision.confidence, 4),
        answered=answered,
        remaining=len(scorer.skill_ids) - answered,
        done=question is None,
        model_version=scorer.model_version,
    )
