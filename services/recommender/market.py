"""The market data a request is answered with: the live document from Redis (or the last good copy), or
a version the caller pinned; its summary, and what every answer derives from it, derived once per
document."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections import OrderedDict
from typing import Any

import msgspec
import redis.asyncio as aioredis
from litestar.exceptions import HTTPException
from redis.exceptions import RedisError

from shared.contracts.market_document import MarketDocument, RoleFigures
from shared.contracts.recommendations import MarketInfo, Occupation, RoleMarket, RoleMarketSummary
from shared.contracts.versions import MARKET_VERSION_HEADER
from shared.market import KEEP_VERSIONS, MarketReader, get_document, is_kept, was_retired

__all__ = ["OUTDATED_AFTER_DAYS", "Derived", "Market", "MarketSource", "PointerWatch", "occupations"]

OUTDATED_AFTER_DAYS = 365
INVALIDATE_CHANNEL = "__redis__:invalidate"
_CONNECT_KWARGS = frozenset(
    {
        "host", "port", "db", "path", "username", "password", "credential_provider", "client_name",
        "socket_connect_timeout", "socket_keepalive", "socket_keepalive_options", "ssl_keyfile",
        "ssl_certfile", "ssl_cert_reqs", "ssl_ca_certs", "ssl_ca_data", "ssl_check_hostname", "encoding",
        "encoding_errors", "decode_responses",
    }
)  # fmt: skip
log = logging.getLogger("careerpath.recommender.market")


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


class PointerWatch:
    """Tells, without a Redis read per request, whether the live-version pointer may have moved.

    Redis's client-side caching in broadcast mode does the watching: one connection of its own asks for
    ``CLIENT TRACKING ON REDIRECT <itself> BCAST PREFIX <the pointer's key>`` and subscribes to
    ``__redis__:invalidate``, so Redis tells it as soon as the pointer is written or deleted, or the data
    flushed (Redis 6+). Each such message moves :attr:`generation` on. While the connection is not
    subscribed (starting, Redis away, reconnecting every ``retry_seconds``), :attr:`active` is False and
    the reader follows the pointer on every request, as before.

    Silence is not proof: a Redis that stalls (paused, or a link that drops packets) sends no invalidation
    and no error either. So the watch PINGs every ``heartbeat`` seconds and is :attr:`active` only while
    something (a PONG or an invalidation) arrived within the last two heartbeats; otherwise requests read
    the pointer themselves, and time out into the last good copy flagged ``stale`` (tests/faults:
    ``test_redis_stalled_then_resumed``). A connection silent for ``DROP_AFTER`` heartbeats is dropped and
    made anew.
    """

    DROP_AFTER = 10
    __slots__ = ("_seen", "_subscribed", "_task", "client", "generation", "heartbeat", "key", "retry_seconds")

    def __init__(
        self, client: aioredis.Redis, key: str, retry_seconds: float = 1.0, heartbeat: float = 0.5
    ) -> None:
        self.client, self.key, self.retry_seconds, self.heartbeat = client, key, retry_seconds, heartbeat
        self.generation = 0
        self._subscribed = False
        self._seen = 0.0  # time.monotonic() of the last message on the watch connection
        self._task: asyncio.Task[None] | None = None

    @property
    def active(self) -> bool:
        """Subscribed, and heard from within the last two heartbeats."""
        return self._subscribed and time.monotonic() - self._seen < 2 * self.heartbeat

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Cancel the watch and wait until it has ended, asking again while it runs on.

        One cancel is not always enough: a cancel that lands on an awaitable just as it finishes can be
        lost (``asyncio.wait_for`` in Python 3.11 returns the result instead; CI once hung here on app
        shutdown), so the watch is asked again every heartbeat until it has ended.
        """
        task, self._task = self._task, None
        if task is not None:
            while not task.done():
                task.cancel()
                await asyncio.wait({task}, timeout=self.heartbeat)
            if not task.cancelled() and task.exception() is not None:
                log.warning("market pointer watch ended with %r", task.exception())
        self._moved()

    def _moved(self) -> None:
        self._subscribed = False
        self.generation += 1

    async def _run(self) -> None:
        source = self.client.connection_pool
        # where and how to connect, not the client's RESP3-only extras (maintenance notifications)
        kwargs = {k: v for k, v in source.connection_kwargs.items() if k in _CONNECT_KWARGS}
        kwargs.update(protocol=2, socket_timeout=None)  # plain pub/sub messages; wait as long as it takes
        pool = aioredis.ConnectionPool(connection_class=source.connection_class, **kwargs)
        try:
            while True:
                conn = pool.make_connection()  # type: ignore[no-untyped-call]
                try:
                    await self._watch(conn)
                except (RedisError, OSError, TimeoutError) as exc:
                    log.warning("market pointer watch lost (%s): reading it per request", type(exc).__name__)
                finally:
                    self._moved()
                    await conn.disconnect()
                await asyncio.sleep(self.retry_seconds)
        finally:
            await pool.aclose()

    async def _subscribe(self, conn: Any) -> None:
        await conn.connect()
        await conn.send_command("CLIENT", "ID")
        own = await conn.read_response()
        await conn.send_command("CLIENT", "TRACKING", "ON", "REDIRECT", own, "BCAST", "PREFIX", self.key)
        await conn.read_response()
        await conn.send_command("SUBSCRIBE", INVALIDATE_CHANNEL)
        await conn.read_response()

    async def _ping(self, conn: Any) -> None:
        """PING every heartbeat; drop a connection that stayed silent for DROP_AFTER heartbeats."""
        while True:
            await asyncio.sleep(self.heartbeat)
            if time.monotonic() - self._seen > self.DROP_AFTER * self.heartbeat:
                await conn.disconnect()  # the read below fails and the watch starts again
                return
            await conn.send_command("PING")

    async def _watch(self, conn: Any) -> None:
        # a Redis that accepts the connection but does not answer must not hold the watch forever
        async with asyncio.timeout(self.DROP_AFTER * self.heartbeat):  # keeps a cancel (wait_for may not)
            await self._subscribe(conn)
        self._moved()  # anything read before now may be old
        self._subscribed, self._seen = True, time.monotonic()
        pinger = asyncio.get_running_loop().create_task(self._ping(conn))
        try:
            while True:
                message = await conn.read_response()  # ["message", channel, [keys] or None] or ["pong", ""]
                self._seen = time.monotonic()
                if not (isinstance(message, list) and message and message[0] in (b"pong", "pong")):
                    self.generation += 1
        finally:
            pinger.cancel()
            await asyncio.wait({pinger})  # not `await pinger`: a cancel of this task must not be swallowed
            if not pinger.cancelled():
                pinger.exception()  # retrieved: a failed PING shows as the read's failure above


class MarketSource:
    """Hands out the live :class:`Market`, or a pinned kept version; 503 when there is none at all.

    The reader decodes the live document once per version and hands out that same object until the
    version moves; what is derived from a document (``roles``, ``figures``, ``demand``) is built once per
    document and kept for the last few versions used (a pinned version as well), not built per request.
    A pinned version costs one Redis round trip (is it still kept?). The live one costs none while a
    :class:`PointerWatch` is active and says the pointer has not moved since it was last followed (the
    same :class:`Market` is handed out again, the same day); else one (where is the pointer?).
    """

    __slots__ = ("_derived", "_live", "reader", "watch")

    def __init__(self, reader: MarketReader, watch: PointerWatch | None = None) -> None:
        self.reader = reader
        self.watch = watch
        self._derived: OrderedDict[str, Derived] = OrderedDict()
        self._live: tuple[int, dt.date, Market] | None = None  # (watch generation, day, market)

    def forget_live(self) -> None:
        """Follow the pointer on the next request (this process has just moved it)."""
        self._live = None

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
        watch, live, today = self.watch, self._live, dt.datetime.now(dt.UTC).date()
        if watch is not None and live is not None and watch.active:
            generation, day, market = live
            if generation == watch.generation and day == today:
                return market
        generation = watch.generation if watch is not None else 0
        try:
            doc = await self.reader.document()
        except Exception as exc:  # no document, Redis down or erroring, and no last good copy
            raise _unavailable(exc) from None
        market = self._market(self._remember(str(doc.version), doc), self.reader.stale)
        # kept only when the watch saw no move while the pointer was read (else the next request reads)
        if watch is not None and watch.active and watch.generation == generation and not self.reader.stale:
            self._live = (generation, today, market)
        return market

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
