"""Rolling upgrade of the market document: a recommender serves a version written by a newer worker (fields
it does not know) and one written before the contract existed."""

from __future__ import annotations

import json
import secrets

import redis.asyncio as aioredis
from litestar.testing import AsyncTestClient

from services.recommender.app import create_app
from services.recommender.settings import RecommenderSettings
from shared.catalog import load_snapshot
from shared.market import MarketReader

BODY = {"skills": {"python": 3, "sql": 3, "postgresql": 2, "git": 3}, "years_experience": 3}


async def _store(client: aioredis.Redis, prefix: str, version: str, document: dict) -> None:
    await client.set(f"{prefix}market:v:{version}", json.dumps({**document, "version": version}))
    await client.set(f"{prefix}market:current", version)


async def test_a_newer_document_and_an_older_one_are_both_served(infra) -> None:  # type: ignore[no-untyped-def]
    prefix = f"{infra.redis_prefix}upgrade-{secrets.token_hex(3)}:"
    client = aioredis.Redis.from_url(infra.redis_url)
    older = {**load_snapshot(), "previous_version": None, "synthetic": False}  # explicit nulls, as before
    newer = json.loads(json.dumps(older))
    newer["region"] = "EU"
    newer["skills"]["python"]["remote_share"] = 0.7
    newer["roles"]["backend-developer"]["contract_share"] = 0.1
    settings = RecommenderSettings(
        redis_url=infra.redis_url,
        redis_prefix=prefix,
        model_dir=str(infra.model_dir),
        service_token=infra.service_token,
    )
    headers = {"x-service-token": infra.service_token}
    try:
        await _store(client, prefix, "2099-01-01-newer", newer)
        reader = MarketReader(client, prefix)
        assert (await reader.document()).skills["python"].demand == newer["skills"]["python"]["demand"]
        assert (await reader.current())["region"] == "EU"  # the store keeps what it does not know
        async with AsyncTestClient(create_app(settings)) as api:
            answer = await api.post("/recommendations/", json=BODY, headers=headers)
            assert answer.status_code == 200, answer.text
            assert answer.json()["market"]["version"] == "2099-01-01-newer"
            figures = (await api.get("/market/figures", headers=headers)).json()
            assert "remote_share" not in figures["skills"]["python"]
            await _store(client, prefix, "2024-05-31-older", older)
            answer = await api.post("/recommendations/", json=BODY, headers=headers)
            assert answer.status_code == 200 and answer.json()["market"]["version"] == "2024-05-31-older"
    finally:
        keys = [k async for k in client.scan_iter(match=prefix + "*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
