"""Stopping the recommender's market-pointer watch always ends it, wherever the cancel lands.

CI once hung for the whole test timeout on an app's shutdown: the cancel landed as the watch's
subscription handshake finished, ``asyncio.wait_for`` (Python 3.11) returned the handshake's answer
instead, and the watch ran on while ``stop`` waited for it.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import redis.asyncio as aioredis

from services.recommender.market import PointerWatch
from tools.embedded import EmbeddedRedis

HEARTBEAT = 0.25
# a stop that has not ended after this many heartbeats never will: the watch would ask again every one
STOP_BOUND = 40 * HEARTBEAT


async def _stop_within_bound(watch: PointerWatch) -> None:
    """Stop the watch; fail if it took the bound's own cancel to end it (a stop that swallowed that
    cancel would otherwise seem to have returned by itself)."""
    async with asyncio.timeout(STOP_BOUND) as bound:
        await watch.stop()
    assert not bound.expired(), "stop did not end the watch by itself"


async def _connections_back_to(client: aioredis.Redis, count: int) -> int:
    """The server's client count once it is ``count`` or fewer: a closed connection leaves the server's
    list a moment after the close (asked again every 10 ms, for at most STOP_BOUND)."""
    async with asyncio.timeout(STOP_BOUND):
        while True:
            now = len(await client.client_list())
            if now <= count:
                return now
            await asyncio.sleep(0.01)


async def test_stop_ends_the_watch_wherever_the_cancel_lands() -> None:
    """Stopped after 0..N turns of the event loop (in the handshake, while subscribed, in a PING) and
    after short sleeps: every stop returns, and the watch's connection is gone from Redis (a Redis of its
    own: no other test's connections in its count)."""
    server = EmbeddedRedis(persist=False).start()
    client = aioredis.Redis.from_url(server.url)
    key = f"watch-{secrets.token_hex(3)}:market:current"
    try:
        clients_before = len(await client.client_list())
        for turns in [*range(40), 60, 80, 120]:
            watch = PointerWatch(client, key, retry_seconds=0.05, heartbeat=HEARTBEAT)
            watch.start()
            for _ in range(turns):
                await asyncio.sleep(0)
            generation = watch.generation
            await _stop_within_bound(watch)
            assert not watch.active and watch.generation > generation, turns
        for pause in (0.001, 0.005, 0.02, 2 * HEARTBEAT):
            watch = PointerWatch(client, key, retry_seconds=0.05, heartbeat=HEARTBEAT)
            watch.start()
            await asyncio.sleep(pause)
            await _stop_within_bound(watch)
            assert not watch.active
        assert await _connections_back_to(client, clients_before) <= clients_before
    finally:
        await client.aclose()
        server.stop()


async def test_stop_asks_again_when_a_cancel_is_swallowed() -> None:
    """A watch task that swallows the first cancel (as wait_for may) is still ended by stop."""
    watch = PointerWatch(None, "k", heartbeat=0.01)  # type: ignore[arg-type]
    cancels = 0

    async def stubborn() -> None:
        nonlocal cancels
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                cancels += 1
                if cancels >= 2:
                    raise

    watch._task = asyncio.get_running_loop().create_task(stubborn())
    await asyncio.sleep(0)
    await _stop_within_bound(watch)
    assert cancels == 2 and watch._task is None


class _QuickHandshake(PointerWatch):
    """A watch whose handshake takes ``turns`` turns of the event loop and does no I/O."""

    __slots__ = ("turns",)

    def __init__(self, client: aioredis.Redis, key: str, turns: int) -> None:
        super().__init__(client, key, retry_seconds=0.05, heartbeat=HEARTBEAT)
        self.turns = turns

    async def _subscribe(self, conn: Any) -> None:
        for _ in range(self.turns):
            await asyncio.sleep(0)


async def test_stop_landing_as_the_handshake_ends(infra: Any) -> None:
    """The cancel lands on every turn of the loop around the end of the handshake, the moment where
    ``asyncio.wait_for`` would hand back the handshake's answer instead: every stop ends the watch."""
    client = aioredis.Redis.from_url(infra.redis_url)
    try:
        for turns in range(4):
            for stop_after in range(turns + 4):
                watch = _QuickHandshake(client, f"{infra.redis_prefix}quick:market:current", turns)
                watch.start()
                for _ in range(stop_after):
                    await asyncio.sleep(0)
                await _stop_within_bound(watch)
    finally:
        await client.aclose()
