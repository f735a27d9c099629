"""Query parameters that both sides of a call declare the same way (paging, filters)."""

from __future__ import annotations

from typing import Annotated

from litestar.params import QueryParameter

from shared.contracts.market import MAX_PAGE, RUN_ID_PATTERN

__all__ = ["NEWEST", "ActionFilter", "HistoryCursor", "Limit", "Offset", "RunCursor", "RunLimit"]

Limit = Annotated[int, QueryParameter(ge=1, le=200, description="page size")]
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000, description="rows to skip")]
ActionFilter = Annotated[
    str | None, QueryParameter(required=False, max_length=64, description="only this audit action")
]
RunLimit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description="page size")]
RunCursor = Annotated[
    str | None,
    QueryParameter(required=False, pattern=RUN_ID_PATTERN, description="next_before of the previous page"),
]
NEWEST = 2_147_483_647  # the default cursor: older than any version there can be, i.e. from the newest
HistoryCursor = Annotated[
    int,
    QueryParameter(
        required=False,
        ge=1,
        le=NEWEST,
        description="next_before of the previous page: only assessments older than this version "
        "(default: from the newest)",
    ),
]
