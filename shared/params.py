"""Query parameters that both sides of a call declare the same way (paging, filters)."""

from __future__ import annotations

from typing import Annotated

from litestar.params import QueryParameter

from shared.contracts.market import MAX_PAGE, RUN_ID_PATTERN

__all__ = [
    "NEWEST",
    "ActionFilter",
    "HistoryBefore",
    "HistoryCursor",
    "HistoryPageCursor",
    "Limit",
    "Offset",
    "RunBefore",
    "RunCursor",
    "RunLimit",
    "RunPageCursor",
    "history_before",
]

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

# The public edge (gateway): every list of the API pages the same way, `limit` and `cursor` = the
# `next_cursor` of the previous answer (opaque to callers). The older `before` (`next_before`) keeps
# working there, documented as deprecated; the services behind the gateway keep taking `before`.
_DEPRECATED = {"deprecated": True}
RunPageCursor = Annotated[
    str | None,
    QueryParameter(
        required=False,
        pattern=RUN_ID_PATTERN,
        description="next_cursor of the previous page (opaque; wins over `before`); default: from the newest",
    ),
]
RunBefore = Annotated[
    str | None,
    QueryParameter(
        required=False,
        pattern=RUN_ID_PATTERN,
        description="Deprecated (use `cursor`; it keeps working): next_before of the previous page",
        schema_extra=_DEPRECATED,
    ),
]
HistoryPageCursor = Annotated[
    str | None,
    QueryParameter(
        required=False,
        pattern=r"^[1-9][0-9]{0,8}$",
        description="next_cursor of the previous page (opaque; wins over `before`); default: from the newest",
    ),
]
HistoryBefore = Annotated[
    int,
    QueryParameter(
        required=False,
        ge=1,
        le=NEWEST,
        description="Deprecated (use `cursor`; it keeps working): next_before of the previous page, only "
        "assessments older than this version (default: from the newest)",
        schema_extra=_DEPRECATED,
    ),
]


def history_before(before: int, cursor: str | None) -> int:
    """The version a history page starts below: the cursor's if one was sent, else ``before``."""
    return int(cursor) if cursor is not None else before
