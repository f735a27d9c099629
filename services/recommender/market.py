"""The market data a request is answered with: the live document from Redis (or the last good copy), or
a version the caller pinned; its summary, and what every answer derives from it, derived once per
document."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

import msgspec
from litestar.exceptions import HTTPException
from redis.exceptions import RedisError

from shared.contracts.market_document import MarketDocument, RoleFigures
from shared.contracts.recommendations import MarketInfo, Occupation, RoleMarket, RoleMarketSummary
from shared.contracts.versions import MARKET_VERSION_HEADER
from shared.market import KEEP_VERSIONS, MarketReader, get_document, is_kept, was_retired

__all__ = ["OUTDATED_AFTER_DAYS", "Derived", "Market", "MarketSource", "occupations"]

OUTDATED_AFTER_DAYS = 365


class Market(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """The market data of one request.

    ``roles`` (pay, openings and growth per role), ``figures`` (every figure per role) and ``demand``
    (per skill) are the document's, shared by every request answered with the same version: read them,
    never change them.
    """

    info: MarketInfo
    document: MarketDocument
    roles: dict[str, RoleMarketSummary]
    figures: dict[str, RoleMarket]
    demand: dict[str, float]


class Derived(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """What answers derive from one document, built once per document."""

    document: MarketDocument
    roles: dict[str, RoleMarketSummary]
    figures: dict[str, RoleMarket]
    demand: dict[str, float]


def occupations(roles: dict[str, RoleFigures]) -> dict[str, Occupation]:
    """Per role, the occupation its figures come from and the other roles that share it."""
    by_code: dict[str, list[str]] = {}
    for role, figures in roles.items():
        if figures.occupation_code:
            by_code.setdefault(figures.occupation_code, []).append(role)
    out: dict[str, Occupation] = {}
    for role, figures in roles.items():
        code = figures.occupation_code
        if not code:
            continue
        others = [r for r in by_code[code] if r != role]
        title = figures.occupation_title
        named = f"{title} (SOC {code})" if title else f"SOC {code}"
        note = (
            f"The figures are those of the occupation {named}, which {len(others) + 1} roles share: they are "
            "the same numbers for each of them, not a measurement of this role alone."
            if others
            else f"The figures are those of the occupation {named}."
        )
        out[role] = Occupation(code=code, title=title, shared_with=others, note=note)
    return out


def derive(doc: MarketDocument) -> Derived:
    """Pay, openings, growth and the occupation per role, and demand per skill, of one document."""
    jobs = occupations(doc.roles)
    roles = {
        role: RoleMarketSummary(
            salary_median=figures.salary_median,
            openings=figures.openings,
            growth_pct=figures.growth_pct,
            occupation_title=figures.occupation_title,
            occupation=jobs.get(role),
        )
        for role, figures in doc.roles.items()
    }
    figures = {
        role: msgspec.structs.replace(
            msgspec.convert(f, RoleMarket, from_attributes=True), occupation=jobs.get(role)
        )
        for role, f in doc.roles.items()
    }
    demand = {sid: float(v.demand) for sid, v in doc.skills.items()}
    return Derived(document=doc, roles=roles, figures=figures, demand=demand)


def _age_days(as_of: str) -> int | None:
    try:
        return (dt.datetime.now(dt.UTC).date() - dt.date.fromisoformat(as_of[:10])).days
    except ValueError:
        return None


def _unavailable(exc: BaseException) -> HTTPException:
    return HTTPException(
        status_code=503,
        detail=f"market data unavailable: {type(exc).__name__}",
        headers={"Retry-After": "2"},
    )


class MarketSource:
    """Hands out the live :class:`Market`, or a pinned kept version; 503 when there is none at all.

    The reader decodes the live document once per version and hands out that same object until the
    version moves; what is derived from a document (``roles``, ``figures``, ``demand``) is built once per
    document and kept for the last few versions used (a pinned version as well), not built per request.
    A pinned version costs one Redis round trip (is it still kept?), like the live one (where is the
    pointer?).
    """

    __slots__ = ("_derived", "reader")

    def __init__(self, reader: MarketReader) -> None:
        self.reader = reader
        self._derived: OrderedDict[str, Derived] = OrderedDict()

    def _remember(self, version: str, doc: MarketDocument) -> Derived:
        derived = self._derived.get(version)
        if derived is None or derived.document is not doc:
            derived = derive(doc)
            self._derived[version] = derived
        self._derived.move_to_end(version)
        while len(self._derived) > KEEP_VERSIONS + 2:
            self._derived.popitem(last=False)
        return derived

    def _market(self, derived: Derived, stale: bool, pinned: bool = False) -> Market:
        doc = derived.document
        age = _age_days(doc.as_of)
        info = MarketInfo(
            version=str(doc.version),
            source=doc.source,
            as_of=doc.as_of,
            stale=stale,
            age_days=age,
            outdated=age is not None and age > OUTDATED_AFTER_DAYS,
            pinned=pinned,
        )
        return Market(
            info=info, document=doc, roles=derived.roles, figures=derived.figures, demand=derived.demand
        )

    async def current(self) -> Market:
        """The live market, or the last good one (``info.stale``) while Redis is away."""
        try:
            doc = await self.reader.document()
        except Exception as exc:  # no document, Redis down or erroring, and no last good copy
            raise _unavailable(exc) from None
        return self._market(self._remember(str(doc.version), doc), self.reader.stale)

    async def get(self, version: str | None) -> Market:
        """The market a request asked for: ``version`` while it is kept, else the live one (``None``).

        A version that was kept and has been trimmed away is 410 Gone, naming it and the live one; a
        version never published here is 422 naming the header."""
        if version is None:
            return await self.current()
        client, prefix = self.reader.client, self.reader.prefix
        try:
            kept = await is_kept(client, prefix, version)
            derived = self._derived.get(version) if kept else None
            if kept and derived is None:
                doc = await get_document(client, prefix, version)
                if doc is None:  # trimmed between the two reads
                    kept = False
                else:
                    derived = self._remember(version, doc)
            gone = not kept and await was_retired(client, prefix, version)
        except (RedisError, OSError) as exc:
            if (derived := self._derived.get(version)) is not None:
                return self._market(derived, stale=True, pinned=True)
            raise _unavailable(exc) from None
        if derived is not None:
            self._derived.move_to_end(version)
            return self._market(derived, stale=False, pinned=True)
        live = (await self.current()).info.version
        if gone:
            raise HTTPException(
                status_code=410,
                detail=f"market-data version {version!r} is no longer kept; the live version is {live!r}",
                extra={"field": MARKET_VERSION_HEADER, "version": version, "live_version": live},
            )
        raise HTTPException(
            status_code=422,
            detail=f"market-data version {version!r} was never published; the live version is {live!r}",
            extra={"field": MARKET_VERSION_HEADER, "version": version, "live_version": live},
        )
