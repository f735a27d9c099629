"""``POST /api/v1/questionnaire/next``: the adaptive skills questionnaire, one question at a time.

Guarded and rate-limited like ``POST /api/v1/recommendations`` (a user session or a partner key with
``recommendations:write``; the authentication middleware counts it against the caller's rate limit). The
recommender's answer is passed on as the bytes it sent. Nothing is stored.
"""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Response, post
from litestar.params import JSONBody

from services.gateway.auth import visitor_or_scope_guard
from services.gateway.deps import RecommenderDep
from shared.contracts.questionnaire import QuestionnaireRequest, QuestionnaireResponse

__all__ = ["next_question"]


@post(
    "/api/v1/questionnaire/next",
    tags=["questionnaire"],
    summary="The next skills question, and the predicted full-questionnaire role ranking",
    description=(
        "The adaptive skills questionnaire. Send the skills answered so far (`answers`, each 0-4; 0 = "
        "answered 'none') and the years of experience. `roles` is the ranking the full questionnaire is "
        "predicted to give, from how people with answers like yours answered the rest: the three roles most "
        "likely to be in its top three (led by the one most likely to be first), then the others by that "
        "chance; each item is the "
        "one POST /api/v1/recommendations gives for the answers so far (its `match`, `readiness` and "
        "reasons count the unanswered skills as 0, as a saved profile with these answers does), so the "
        "order can differ from the order of `match`. `predicted` gives, per role in the same order, the "
        "chance of being first and of being in the full top three and the expected full match; "
        "`confidence` is the chance that the first three are the full questionnaire's top three. "
        "`next_skill` is the unanswered skill whose answer is expected to make that prediction right most "
        "often (with its name, category and the reason), or null when the rest of the questions are "
        "unlikely to change the predicted top three. Open to visitors without an account (limited per IP "
        "like every anonymous call); a partner key needs scope `recommendations:write`. Nothing is stored."
    ),
    guards=[visitor_or_scope_guard("recommendations:write")],
    security=[{"bearer": []}, {"session": []}, {}],  # {}: a visitor without an account
    status_code=200,
)
async def next_question(
    recommender: RecommenderDep, data: JSONBody[QuestionnaireRequest]
) -> Response[QuestionnaireResponse]:
    content: Any = await recommender.next_question_json(data)
    return Response(content, media_type=MediaType.JSON)
