"""``GET /api/v1/market/series``: demand per skill and openings per role per month, for partners."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import get
from litestar.exceptions import HTTPException
from litestar.params import QueryParameter

from services.gateway.auth import scope_guard
from services.gateway.deps import RecommenderDep
from shared.catalog import load_catalog
from shared.contracts.market_series import MAX_IDS, MarketSeriesResponse, SkillSeries, parse_ids

__all__ = ["market_series"]

SkillIds = Annotated[
    str | None,
    QueryParameter(
        max_length=1500,
        description=f"Skill ids, comma-separated (at most {MAX_IDS}; GET /api/v1/skills lists them); "
        "default every skill the postings mention. A skill asked for and never mentioned has zeros.",
    ),
]
RoleIds = Annotated[
    str | None,
    QueryParameter(
        max_length=1500,
        description=f"Role ids, comma-separated (at most {MAX_IDS}; GET /api/v1/roles lists them); "
        "default every role with openings.",
    ),
]


def _ids(value: str | None, known: set[str], what: str, field: str) -> list[str] | None:
    try:
        return parse_ids(value, known, what)
    except ValueError as exc:  # well-formed text, refused: 422 naming the parameter
        raise HTTPException(
            status_code=422, detail=str(exc), extra={"field": field, "code": "unprocessable"}
        ) from None


@get(
    "/api/v1/market/series",
    tags=["market"],
    summary="Demand per skill and openings per role, month by month",
    description=(
        "The monthly series of the market-data version in use: per calendar month of the postings' dates, "
        "the dated postings, and for each skill the postings that mention it and their share, for each "
        "role its openings. `skills` and `roles` narrow it to the ids named; an unknown id is 422 naming "
        "the parameter. A version whose source has no dates (the bundled snapshot) has empty lists. "
        "Needs scope `market:read`."
    ),
    guards=[scope_guard("market:read")],
    security=[{"bearer": []}, {"session": []}],
)
async def market_series(
    recommender: RecommenderDep, skills: SkillIds = None, roles: RoleIds = None
) -> MarketSeriesResponse:
    catalog = load_catalog()
    skill_ids = _ids(skills, set(catalog.skills), "skill", "skills")
    role_ids = _ids(roles, set(catalog.roles), "role", "roles")
    full = await recommender.market_series()
    months = len(full.months)
    none = SkillSeries(postings=[0] * months, demand=[0.0 if n else None for n in full.postings])
    return msgspec.structs.replace(
        full,
        skills=full.skills if skill_ids is None else {s: full.skills.get(s, none) for s in skill_ids},
        roles=full.roles if role_ids is None else {r: full.roles.get(r, [0] * months) for r in role_ids},
    )
