"""``GET /api/v1/me/progress``: the latest saved assessments scored for one role in one recommender call.

The page's progress chart used to score each saved assessment with a request of its own (20 assessments:
20 ``POST /recommendations``, each answering every role with its reasons). Here the gateway reads one page
of the history and sends it to the recommender's batch path with ``target_role`` and ``top=1``: one call,
one vectorised model pass, and an answer of a few numbers per assessment.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar.params import QueryParameter

from services.gateway.routes.profiles import recommend_for
from shared.clients.profile import ProfileClient
from shared.clients.recommender import RecommenderClient
from shared.contracts.common import RoleId
from shared.contracts.profiles import Assessment
from shared.contracts.progress import Progress, ProgressPoint
from shared.contracts.recommendations import BatchCandidate, BatchRequest, BatchResponse, BatchResult
from shared.params import NEWEST

__all__ = ["MAX_POINTS", "ProgressLimit", "ProgressRole", "progress_of"]

MAX_POINTS = 100
ProgressRole = Annotated[
    RoleId | None,
    QueryParameter(
        name="target_role",
        required=False,
        description="the role to score every assessment for (default: the one GET /me/recommendations "
        "leads to: the profile's target role, else the best-matching role not met yet)",
    ),
]
ProgressLimit = Annotated[
    int,
    QueryParameter(ge=1, le=MAX_POINTS, description=f"how many of the latest assessments (1-{MAX_POINTS})"),
]
_batch = msgspec.json.Decoder(BatchResponse)


def _point(assessment: Assessment, result: BatchResult) -> ProgressPoint:
    fit = result.roles[0] if result.roles else None
    return ProgressPoint(
        version=assessment.version,
        created_at=assessment.created_at,
        skills_rated=sum(1 for level in assessment.skills.values() if level > 0),
        years_experience=assessment.years_experience,
        readiness=fit.readiness if fit is not None else None,
        match=fit.match if fit is not None else None,
    )


async def progress_of(
    profiles: ProfileClient, recommender: RecommenderClient, owner: str, role: str | None, limit: int
) -> Progress:
    """``owner``'s latest ``limit`` assessments, oldest first, each scored for ``role`` (one batch;
    ``None``: the role ``GET /me/recommendations`` leads to)."""
    mine = (await profiles.profile_of(owner)).profile
    page = await profiles.history(mine.id, owner, limit, NEWEST)
    if role is None:  # the role the recommendations choose for the profile, chosen the same way
        role = mine.target_role or (await recommend_for(recommender, mine, None)).target_role
    items = page.assessments[::-1]  # oldest first, as a chart reads
    if not items:
        return Progress(target_role=role, points=[], more=False, model_version=None, market=None)
    body = BatchRequest(
        candidates=[
            BatchCandidate(id=str(a.version), skills=a.skills, years_experience=a.years_experience)
            for a in items
        ],
        target_role=role,
        top=1,
    )
    scored = _batch.decode(await recommender.batch_json(body))
    return Progress(
        target_role=role,
        points=[_point(a, r) for a, r in zip(items, scored.results, strict=True)],
        more=page.next_before is not None,
        model_version=scored.model_version,
        market=scored.market,
    )
