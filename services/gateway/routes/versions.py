"""``GET /api/v1/versions``: the API version, the model, and the market-data versions a caller can pin.

Public, like the catalogue: it names versions, dates and sources, nothing about any user or partner, and
an integration checks it before it pins a market version. Conditional (ETag, ``If-None-Match`` → 304):
the answer moves when a version is published, trimmed or made live, or the model is retrained.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get
from litestar.exceptions import HTTPException
from litestar.params import HeaderParameter

from services.gateway.conditional import conditional_json, etag_headers
from services.gateway.deps import RecommenderDep
from services.gateway.routes.catalog import NOT_MODIFIED, IfNoneMatch
from shared.contracts.versions import (
    API_VERSION,
    MARKET_VERSION_HEADER,
    MARKET_VERSION_PATTERN,
    Versions,
    parse_market_version,
)

__all__ = ["MarketVersionPin", "list_versions", "pinned_version"]

MarketVersionPin = Annotated[
    str | None,
    HeaderParameter(
        name=MARKET_VERSION_HEADER,
        required=False,
        description="Answer with this kept market-data version (as GET /api/v1/versions lists them) instead "
        f"of the live one; the pattern is {MARKET_VERSION_PATTERN}. Not a version id: 400; never published: "
        "422; published but no longer kept: 410 Gone naming it and the live version. Errors name the "
        "header.",
        schema_extra={"pattern": MARKET_VERSION_PATTERN},  # in the document; pinned_version() checks it
    ),
]


def pinned_version(value: str | None) -> str | None:
    """The market version a request pins (None: the live one); 400 naming the header when it cannot be
    a version id, before any call to the recommender."""
    try:
        return parse_market_version(value)
    except ValueError as exc:
        raise HTTPException(
            status_code=400, detail=str(exc), extra={"field": MARKET_VERSION_HEADER}
        ) from None


_encode = msgspec.json.Encoder().encode
VERSIONS_CACHE = "public, no-cache"  # any cache may keep it, revalidating every time (a rollback is instant)


@get(
    "/api/v1/versions",
    tags=["versions"],
    summary="The API version, the model and the market-data versions kept (each can be pinned)",
    description="Pin a kept market-data version with the `Careerpath-Market-Version` request header on "
    "`POST /api/v1/recommendations` and `/recommendations/batch`; answers name the market version and the "
    "model they used. A version trimmed since is answered 410 Gone.",
    response_headers=etag_headers("this list", VERSIONS_CACHE),
    responses=NOT_MODIFIED,
)
async def list_versions(
    request: Request[Any, Any, Any], recommender: RecommenderDep, if_none_match: IfNoneMatch = None
) -> Response[Versions]:
    found = await recommender.versions()
    body = _encode(
        Versions(
            api_version=API_VERSION,
            model=found.model,
            market_live=found.market_live,
            market_versions=found.market_versions,
        )
    )
    return conditional_json(request, body, VERSIONS_CACHE)
