"""Kept market-data versions beside the live one, published straight into the stack's Redis (no worker):
``kept_versions`` gives (the live version, another real one, a synthetic one) and makes the live one live
again afterwards. Import the fixture into a test module."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from shared.catalog import load_snapshot
from shared.market import current_version, publish, rollback
from tools.supervisor.stack import Stack

__all__ = ["kept_versions"]


async def _publish_beside_live(infra: Any, as_of: str, *, synthetic: bool) -> tuple[str, str]:
    """Publish a version and put the live one back: (the live version, the new one)."""
    client = aioredis.Redis.from_url(infra.redis_url)
    try:
        live = await current_version(client, infra.redis_prefix)
        assert live is not None
        doc = {**load_snapshot(), "as_of": as_of, "synthetic": synthetic}
        other = await publish(client, infra.redis_prefix, doc)
        assert await rollback(client, infra.redis_prefix, live)
        return live, other
    finally:
        await client.aclose()


async def _make_live(infra: Any, version: str) -> None:
    client = aioredis.Redis.from_url(infra.redis_url)
    try:
        assert await rollback(client, infra.redis_prefix, version)
    finally:
        await client.aclose()


@pytest.fixture
def kept_versions(infra: Any, stack: Stack) -> Iterator[tuple[str, str, str]]:
    """(the live version, another real one, a synthetic one); the live one is live again afterwards."""
    live, real = asyncio.run(_publish_beside_live(infra, "2031-03-31", synthetic=False))
    _, synthetic = asyncio.run(_publish_beside_live(infra, "2031-04-30", synthetic=True))
    yield live, real, synthetic
    asyncio.run(_make_live(infra, live))
