"""Atomic publish in real Redis: versioned documents, one pointer, rollback, readers never see a mix."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from shared.market import KEEP_VERSIONS, MarketReader, current_version, list_versions, publish, rollback


@pytest.fixture
async def store(redis_server: str) -> AsyncIterator[tuple[aioredis.Redis, str]]:
    client = aioredis.Redis.from_url(redis_server)
    prefix = f"cp-publish-{secrets.token_hex(4)}:"
    yield client, prefix
    keys = [k async for k in client.scan_iter(match=prefix + "*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


def doc(tag: str, n: int = 40) -> dict:
    """A document whose every figure carries its tag, so a mix of two documents would show."""
    value = (int(tag[1:]) % 97) / 100
    return {
        "source": f"postings: {tag}",
        "as_of": "2025-05-01",
        "attribution": [tag],
        "skills": {f"s{i}": {"demand": value, "trend": 0.0, "tag": tag} for i in range(n)},
        "roles": {f"r{i}": {"openings": i, "tag": tag} for i in range(12)},
    }


async def test_same_version_twice_is_one_document_and_rollback_moves_the_pointer(store) -> None:  # type: ignore[no-untyped-def]
    client, prefix = store
    v1 = await publish(client, prefix, doc("t1"), "2025-05-01-aaa")
    first = await client.get(prefix + "market:v:" + v1)
    assert await publish(client, prefix, doc("t1"), "2025-05-01-aaa") == v1
    assert await client.get(prefix + "market:v:" + v1) == first  # never overwritten
    v2 = await publish(client, prefix, doc("t2"))
    current, versions = await list_versions(client, prefix)
    assert current == v2 and [v["version"] for v in versions] == [v2, v1]
    assert versions[0]["current"] and versions[1]["source"] == "postings: t1"
    assert await rollback(client, prefix, v1) and await current_version(client, prefix) == v1
    assert not await rollback(client, prefix, "never-published")


async def test_a_version_published_not_live_is_kept_and_the_pointer_stays(store) -> None:  # type: ignore[no-untyped-def]
    client, prefix = store
    live = await publish(client, prefix, doc("t1"))
    kept = await publish(client, prefix, {**doc("t2"), "synthetic": True}, live=False)
    current, versions = await list_versions(client, prefix)
    assert current == live and [v["version"] for v in versions] == [kept, live]
    assert versions[0]["synthetic"] is True and not versions[0]["current"]
    assert await rollback(client, prefix, kept) and await current_version(client, prefix) == kept


async def test_old_versions_are_trimmed_but_never_the_current_one(store) -> None:  # type: ignore[no-untyped-def]
    client, prefix = store
    first = await publish(client, prefix, doc("t100"))
    await rollback(client, prefix, first)
    for i in range(KEEP_VERSIONS + 3):
        await publish(client, prefix, doc(f"t{i + 1}"))
        await rollback(client, prefix, first)
    current, versions = await list_versions(client, prefix)
    assert len(versions) == KEEP_VERSIONS and current == first
    assert first in {v["version"] for v in versions}


async def test_readers_polling_during_repeated_publishes_never_see_mixed_versions(store) -> None:  # type: ignore[no-untyped-def]
    client, prefix = store
    await publish(client, prefix, doc("t0"))
    stop = asyncio.Event()
    seen: set[str] = set()
    reads = 0

    async def reader() -> None:
        nonlocal reads
        market = MarketReader(client, prefix)
        while not stop.is_set():
            document = await market.current()
            tags = {s["tag"] for s in document["skills"].values()} | {
                r["tag"] for r in document["roles"].values()
            }
            assert len(tags) == 1, f"mixed document: {tags}"
            assert document["attribution"] == [tags.pop()]
            seen.add(document["version"])
            reads += 1
            await asyncio.sleep(0)

    async def writer() -> None:
        for i in range(1, 60):
            await publish(client, prefix, doc(f"t{i}"))
            await asyncio.sleep(0.002)
        stop.set()

    await asyncio.gather(writer(), *(reader() for _ in range(4)))
    assert reads > 100 and len(seen) > 5
