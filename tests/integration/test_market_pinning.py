"""Pinning a market-data version against real Redis: a kept version answers, one trimmed since is 410
naming it and the live one, one never published is 422 naming the header; versions list the model."""

from __future__ import annotations

import secrets
from typing import Any

import redis.asyncio as aioredis
from litestar.testing import AsyncTestClient

from services.recommender.app import create_app
from shared.catalog import load_snapshot
from shared.contracts.versions import MARKET_VERSION_HEADER
from shared.market import KEEP_VERSIONS, is_kept, publish, was_retired
from tests.integration.test_recommender_redis import _settings

BODY = {"skills": {"python": 3, "sql": 3, "postgresql": 2, "git": 3}, "years_experience": 3}
BATCH = {"candidates": [{"id": "c1", "skills": {"java": 3, "sql": 2}}], "top": 2}


def _document(n: int) -> dict[str, Any]:
    """A distinct market document: every skill's demand n/100, the backend developer's pay n."""
    doc = load_snapshot()
    doc["as_of"] = f"2030-01-{n + 1:02d}"
    doc["skills"] = {sid: {**v, "demand": n / 100} for sid, v in doc["skills"].items()}
    doc["roles"] = {
        **doc["roles"],
        "backend-developer": {**doc["roles"]["backend-developer"], "salary_median": n},
    }
    return doc


async def test_pinned_versions_kept_trimmed_and_unknown(infra: Any) -> None:
    prefix = f"{infra.redis_prefix}pin-{secrets.token_hex(3)}:"
    client = aioredis.Redis.from_url(infra.redis_url)
    token = {"x-service-token": infra.service_token}
    try:
        first = await publish(client, prefix, _document(1))
        second = await publish(client, prefix, _document(2))
        async with AsyncTestClient(create_app(_settings(infra, prefix))) as api:

            async def recommend(version: str | None) -> Any:
                pin = {MARKET_VERSION_HEADER: version} if version is not None else {}
                return await api.post("/recommendations/", json=BODY, headers={**token, **pin})

            live = (await recommend(None)).json()
            assert live["market"]["version"] == second and live["market"]["pinned"] is False
            assert {s["demand"] for s in live["learning_steps"]} == {0.02}

            pinned = await recommend(first)
            assert pinned.status_code == 200, pinned.text
            answer = pinned.json()
            assert answer["market"] == {
                **answer["market"],
                "version": first,
                "pinned": True,
                "as_of": "2030-01-02",
            }
            assert {s["demand"] for s in answer["learning_steps"]} == {
                0.01
            }  # the pinned figures, not the live
            backend = next(r for r in answer["roles"] if r["role"] == "backend-developer")
            assert backend["market"]["salary_median"] == 1
            assert backend["market"]["occupation"]["code"] == "15-1252"
            assert "devops-engineer" in backend["market"]["occupation"]["shared_with"]
            assert answer["model_version"] == live["model_version"]

            batch = await api.post(
                "/recommendations/batch", json=BATCH, headers={**token, MARKET_VERSION_HEADER: first}
            )
            assert batch.status_code == 200, batch.text
            assert batch.json()["market"]["version"] == first and batch.json()["market"]["pinned"] is True

            # publish until the first version is trimmed away
            for n in range(3, KEEP_VERSIONS + 2):  # 11 published: the oldest goes
                newest = await publish(client, prefix, _document(n))
            assert not await is_kept(client, prefix, first) and await was_retired(client, prefix, first)
            assert await is_kept(client, prefix, second)

            gone = await recommend(first)
            assert gone.status_code == 410, gone.text
            assert first in gone.text and newest in gone.text
            assert any(e["field"] == MARKET_VERSION_HEADER for e in gone.json()["errors"])
            gone_batch = await api.post(
                "/recommendations/batch", json=BATCH, headers={**token, MARKET_VERSION_HEADER: first}
            )
            assert gone_batch.status_code == 410

            never = await recommend("2030-01-01-000000000000")
            assert never.status_code == 422, never.text
            assert any(e["field"] == MARKET_VERSION_HEADER for e in never.json()["errors"])
            assert newest in never.text

            still = await recommend(second)
            assert still.status_code == 200 and still.json()["market"]["version"] == second

            versions = (await api.get("/versions", headers=token)).json()
            assert versions["market_live"] == newest
            kept = [v["version"] for v in versions["market_versions"]]
            assert newest == kept[0] and second in kept and first not in kept and len(kept) == KEEP_VERSIONS
            assert [v["version"] for v in versions["market_versions"] if v["live"]] == [newest]
            one = versions["market_versions"][0]
            assert one["as_of"] == f"2030-01-{KEEP_VERSIONS + 2:02d}" and one["published_at"].endswith("Z")
            assert one["source"] and one["attribution"]
            model = versions["model"]
            assert model["version"] == live["model_version"] and model["trained_at"]
            assert (
                model["data_version"].startswith("so2023-us+catalog-") and "Stack Overflow" in model["data"]
            )
    finally:
        await client.aclose()


async def test_market_figures_name_the_shared_occupation(infra: Any) -> None:
    prefix = f"{infra.redis_prefix}occ-{secrets.token_hex(3)}:"
    async with AsyncTestClient(create_app(_settings(infra, prefix))) as api:
        figures = (await api.get("/market/figures", headers={"x-service-token": infra.service_token})).json()
    roles = figures["roles"]
    assert roles["site-reliability-engineer"]["occupation"]["title"] == "Software Developers"
    assert sorted(roles["site-reliability-engineer"]["occupation"]["shared_with"]) == [
        "api-integration-engineer",
        "backend-developer",
        "devops-engineer",
    ]
    assert roles["solutions-architect"]["occupation"]["shared_with"] == ["platform-engineer"]
    assert roles["data-engineer"]["occupation"]["shared_with"] == []
