"""The market data a request is answered with: the current document from Redis (or the last good copy),
its summary, and what every answer derives from it, derived once per document."""

from __future__ import annotations

import datetime as dt

import msgspec
from litestar.exceptions import HTTPException

from shared.contracts.market_document import MarketDocument
from shared.contracts.recommendations import MarketInfo, RoleMarketSummary
from shared.market import MarketReader

__all__ = ["OUTDATED_AFTER_DAYS", "Market", "MarketSource"]

OUTDATED_AFTER_DAYS = 365


class Market(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """The market data of one request.

    ``roles`` (pay, openings and growth per role) and ``demand`` (per skill) are the document's, shared by
    every request answered with the same version: read them, never change them.
    """

    info: MarketInfo
    document: MarketDocument
    roles: dict[str, RoleMarketSummary]
    demand: dict[str, float]


def _age_days(as_of: str) -> int | None:
    try:
        return (dt.datetime.now(dt.UTC).date() - dt.date.fromisoformat(as_of[:10])).days
    except ValueError:
        return None


class MarketSource:
    """Hands out the current :class:`Market`; 503 when no document is available at all.

    The reader decodes a document once per version and hands out that same object until the version
    moves, so what is derived from it (``roles``, ``demand``) is built once per document, not per request.
    """

    __slots__ = ("_demand", "_document", "_roles", "reader")

    def __init__(self, reader: MarketReader) -> None:
        self.reader = reader
        self._document: MarketDocument | None = None
        self._roles: dict[str, RoleMarketSummary] = {}
        self._demand: dict[str, float] = {}

    async def current(self) -> Market:
        """The current market, or the last good one (``info.stale``) while Redis is away."""
        try:
            doc = await self.reader.document()
        except Exception as exc:  # no document, Redis down or erroring, and no last good copy
            raise HTTPException(
                status_code=503,
                detail=f"market data unavailable: {type(exc).__name__}",
                headers={"Retry-After": "2"},
            ) from None
        if doc is not self._document:
            self._roles = {
                role: RoleMarketSummary(
                    salary_median=figures.salary_median,
                    openings=figures.openings,
                    growth_pct=figures.growth_pct,
                    occupation_title=figures.occupation_title,
                )
                for role, figures in doc.roles.items()
            }
            self._demand = {sid: float(v.demand) for sid, v in doc.skills.items()}
            self._document = doc
        age = _age_days(doc.as_of)
        info = MarketInfo(
            version=str(doc.version),
            source=doc.source,
            as_of=doc.as_of,
            stale=self.reader.stale,
            age_days=age,
            outdated=age is not None and age > OUTDATED_AFTER_DAYS,
        )
        return Market(info=info, document=doc, roles=self._roles, demand=self._demand)
