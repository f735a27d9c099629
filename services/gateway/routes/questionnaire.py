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
    summary="The next skills question, and the role ranking for the answers so far",
    description=(
        "The adaptive skills questionnaire. Send the skills answered so far (`answers`, each 0-4; 0 = "
        "answered 'none') and the years of experience; the answer is the role ranking for those answers "
        "(the same items, in the same order, as POST /api/v1/recommendations gives for them) and "
        "`next_skill`, the unanswered skill whose answer is expected to change the ranking most (with its "
        "name, category and the reason), or null when no answer left is expected to change the top three "
        "roles. `confidence` estimates the chance that the current top three is the full questionnaire's. "
        "Open to visitors without an account (limited per IP like every anonymous call); a partner key "
        "needs scope `recommendations:write`. Nothing is stored."
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
