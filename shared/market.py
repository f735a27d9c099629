"""Versioned job-market data in Redis: publish a new version atomically, read the current one.

Layout under the key prefix ``P``::

    P market:current          -> version id (the pointer readers follow)
    P market:v:<version>      -> the whole market document (JSON), written before the pointer moves
    P market:versions         -> sorted set of published versions (score = publish time)
    P market:retired          -> sorted set of versions trimmed away (score = when), so a caller pinning
                                 one is told it is gone (410), not that it never existed

Readers fetch the pointer, then the document it names, so they never see a mix of two versions. The
document is a :class:`~shared.contracts.market_document.MarketDocument` (the worker writes one, the
recommender reads one); the store itself only moves JSON, so it also keeps any field a newer writer adds.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from typing import Any, cast

import msgspec
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from shared.contracts.market_document import MarketDocument

__all__ = [
    "MarketReader",
    "content_version",
    "current_version",
    "get_document",
    "get_version",
    "is_kept",
    "list_versions",
    "publish",
    "restore",
    "rollback",
    "was_retired",
]

KEEP_VERSIONS = 10
KEEP_RETIRED = 1000  # names of trimmed versions remembered (a few bytes each)
Document = MarketDocument | Mapping[str, Any]  # a Struct, or JSON-able data (tests, older callers)
_decode_document = msgspec.json.Decoder(MarketDocument).decode


def _k(prefix: str, *parts: str) -> str:
    return prefix + "market:" + ":".join(parts)


def _builtins(document: Document) -> dict[str, Any]:
    if isinstance(document, MarketDocument):
        return cast("dict[str, Any]", msgspec.to_builtins(document))
    return dict(document)


def content_version(document: Document) -> str:
    """A version id derived from the content, so publishing the same data twice is one version."""
    data = _builtins(document)
    body = {k: v for k, v in data.items() if k not in ("version", "published_at")}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:12]
    return f"{data.get('as_of', 'unknown')}-{digest}"


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


async def publish(
    client: aioredis.Redis, prefix: str, document: Document, version: str | None = None, *, live: bool = True
) -> str:
    """Write ``document`` under a new version key, then switch the pointer in one step.

    ``version`` defaults to :func:`content_version`; a caller that derives it from its input (the refresh
    worker hashes the source) passes it. A version already stored is never overwritten, so publishing
    the same version twice only moves the pointer back to it. ``live=False`` keeps the version (listed,
    pinnable, ready for :func:`rollback`) without moving the pointer.
    """
    version = version or content_version(document)
    body = {**_builtins(document), "version": version, "published_at": time.time()}
    await client.set(_k(prefix, "v", version), json.dumps(body), nx=True)
    async with client.pipeline(transaction=True) as pipe:
        if live:
            pipe.set(_k(prefix, "current"), version)
        pipe.zadd(_k(prefix, "versions"), {version: time.time()})
        await pipe.execute()
    await _trim(client, prefix)
    return version


async def restore(client: aioredis.Redis, prefix: str, version: str, raw: bytes) -> bool:
    """Put a version (its stored JSON ``raw``) back as the current one when Redis has none (it restarted
    empty).

    Only sets the pointer if it is still missing, so a version published meanwhile always wins.
    """
    await client.set(_k(prefix, "v", version), raw, nx=True)
    if not await client.set(_k(prefix, "current"), version, nx=True):
        return False
    await client.zadd(_k(prefix, "versions"), {version: time.time()})
    return True


async def _trim(client: aioredis.Redis, prefix: str) -> None:
    old = cast("list[bytes]", await client.zrange(_k(prefix, "versions"), 0, -KEEP_VERSIONS - 1))
    current = await client.get(_k(prefix, "current"))
    for version in old:
        if version != current:
            async with client.pipeline(transaction=True) as pipe:
                pipe.delete(_k(prefix, "v", _text(version) or ""))
                pipe.zrem(_k(prefix, "versions"), version)
                pipe.zadd(_k(prefix, "retired"), {version: time.time()})
                pipe.zremrangebyrank(_k(prefix, "retired"), 0, -KEEP_RETIRED - 1)
                await pipe.execute()


async def current_version(client: aioredis.Redis, prefix: str) -> str | None:
    """The version readers follow now, or None before the first publish."""
    return _text(await client.get(_k(prefix, "current")))


async def is_kept(client: aioredis.Redis, prefix: str, version: str) -> bool:
    """Whether ``version`` is stored now (it can be read, pinned and rolled back to)."""
    return bool(await client.exists(_k(prefix, "v", version)))


async def was_retired(client: aioredis.Redis, prefix: str, version: str) -> bool:
    """Whether ``version`` was published here and has since been trimmed away."""
    return await client.zscore(_k(prefix, "retired"), version) is not None


async def get_version(client: aioredis.Redis, prefix: str, version: str) -> dict[str, Any] | None:
    """One kept version's document, or None when it is not (or no longer) stored."""
    raw = await client.get(_k(prefix, "v", version))
    return json.loads(raw) if raw is not None else None


async def get_document(client: aioredis.Redis, prefix: str, version: str) -> MarketDocument | None:
    """One kept version as a :class:`MarketDocument` (fields it does not know are ignored), or None."""
    raw = await client.get(_k(prefix, "v", version))
    return _decode_document(raw) if raw is not None else None


async def list_versions(client: aioredis.Redis, prefix: str) -> tuple[str | None, list[dict[str, Any]]]:
    """(current version, kept versions newest first) with each document's summary fields."""
    kept = cast("list[bytes]", await client.zrevrange(_k(prefix, "versions"), 0, -1))
    names = [_text(v) or "" for v in kept]
    current = await current_version(client, prefix)
    raws = await client.mget([_k(prefix, "v", v) for v in names]) if names else []
    out: list[dict[str, Any]] = []
    for name, raw in zip(names, raws, strict=True):
        if raw is None:
            continue
        doc = json.loads(raw)
        out.append(
            {
                "version": name,
                "source": str(doc.get("source", "")),
                "as_of": str(doc.get("as_of", "")),
                "published_at": doc.get("published_at"),
                "current": name == current,
                "previous_version": doc.get("previous_version"),
                "postings": doc.get("postings"),
                "synthetic": bool(doc.get("synthetic")),
                "attribution": list(doc.get("attribution") or []),
            }
        )
    return current, out


async def rollback(client: aioredis.Redis, prefix: str, version: str) -> bool:
    """Point readers at an earlier version that is still kept; False if it is not."""
    if not await client.exists(_k(prefix, "v", version)):
        return False
    async with client.pipeline(transaction=True) as pipe:
        pipe.set(_k(prefix, "current"), version)
        pipe.zadd(_k(prefix, "versions"), {version: time.time()})  # recently served: trimmed last
        await pipe.execute()
    return True


class MarketReader:
    """Follow the current version, keeping the last good document for when Redis is away.

    The stored JSON of the current version is fetched once per version and decoded once per version and
    per form: :meth:`document` (the typed :class:`MarketDocument`, what the recommender uses) or
    :meth:`current` (plain JSON data, every field kept).
    """

    def __init__(self, client: aioredis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self.version: str | None = None
        self.raw: bytes | None = None
        self._typed: MarketDocument | None = None
        self._plain: dict[str, Any] | None = None
        self.stale = False

    async def _follow(self) -> None:
        try:
            for _ in range(2):  # the pointer may move (and an old version be trimmed) between the two reads
                version = _text(await self.client.get(_k(self.prefix, "current")))
                if version is None and self.raw is not None and self.version is not None:
                    # Redis lost its data: give it back the last good version, so other readers (and a
                    # recommender starting now, which would seed the bundled snapshot) follow it too
                    await restore(self.client, self.prefix, self.version, self.raw)
                if version is None or version == self.version:
                    break
                raw = cast("bytes | None", await self.client.get(_k(self.prefix, "v", version)))
                if raw is not None:
                    typed = _decode_document(raw)  # a document that does not decode never replaces a good one
                    self.version, self.raw, self._typed, self._plain = version, raw, typed, None
                    break
            self.stale = False
        except (RedisConnectionError, RedisTimeoutError, OSError):
            if self.raw is None:
                raise
            self.stale = True
        if self.raw is None:
            raise LookupError("no market data published")

    async def document(self) -> MarketDocument:
        """The current market document; the last good one (``stale``) if Redis fails."""
        await self._follow()
        assert self._typed is not None
        return self._typed

    async def current(self) -> dict[str, Any]:
        """The current market document as plain JSON data (fields unknown to the contract kept)."""
        await self._follow()
        if self._plain is None:
            assert self.raw is not None
            self._plain = json.loads(self.raw)
        return self._plain
