"""What a partner can rely on, through the real gateway: GET /api/v1/versions, pinning a market version,
ETags and conditional GETs on the catalogue and the market figures, the API version on every answer, and
market figures that say which roles share an occupation."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis

from shared.catalog import load_snapshot
from shared.contracts.versions import API_VERSION, MARKET_VERSION_HEADER
from shared.market import current_version, publish, rollback

BODY = {"skills": {"python": 3, "sql": 3, "postgresql": 2, "git": 3}, "years_experience": 3}
BATCH = {"candidates": [{"id": "c1", "skills": {"java": 3, "sql": 2}}], "top": 2}
CONDITIONAL = ["/api/v1/skills", "/api/v1/roles", "/api/v1/market", "/api/v1/versions"]


async def _publish_beside_live(infra: Any) -> tuple[str, str]:
    """Publish another market version and put the live one back: (the live version, the other one)."""
    client = aioredis.Redis.from_url(infra.redis_url)
    try:
        live = await current_version(client, infra.redis_prefix)
        assert live is not None
        doc = load_snapshot()
        doc["as_of"] = "2031-06-30"
        doc["skills"] = {sid: {**v, "demand": 0.5} for sid, v in doc["skills"].items()}
        other = await publish(client, infra.redis_prefix, doc)
        assert await rollback(client, infra.redis_prefix, live)
        return live, other
    finally:
        await client.aclose()


@pytest.fixture
def versions_pair(infra: Any, stack: Any) -> Iterator[tuple[str, str]]:
    yield asyncio.run(_publish_beside_live(infra))


def test_versions_are_public_and_name_api_model_and_market(anon: httpx.Client, versions_pair: tuple) -> None:
    live, other = versions_pair
    answer = anon.get("/api/v1/versions")
    assert answer.status_code == 200, answer.text
    assert answer.headers["careerpath-api-version"] == API_VERSION
    body = answer.json()
    assert body["api_version"] == API_VERSION and body["market_live"] == live
    kept = {v["version"]: v for v in body["market_versions"]}
    assert kept[live]["live"] is True and kept[other]["live"] is False
    assert kept[other]["as_of"] == "2031-06-30" and kept[other]["published_at"].endswith("Z")
    assert kept[other]["source"] and kept[other]["attribution"]
    model = body["model"]
    assert model["version"].startswith("rolefit-") and model["trained_at"][:4].isdigit()
    assert "Stack Overflow" in model["data"] and model["metrics"]


def test_a_pinned_version_answers_and_says_so(
    partner_api: httpx.Client, anon: httpx.Client, versions_pair: tuple
) -> None:
    live, other = versions_pair
    plain = partner_api.post("/api/v1/recommendations", json=BODY)
    assert plain.status_code == 200 and plain.json()["market"] == {
        **plain.json()["market"],
        "version": live,
        "pinned": False,
    }
    pinned = partner_api.post("/api/v1/recommendations", json=BODY, headers={MARKET_VERSION_HEADER: other})
    assert pinned.status_code == 200, pinned.text
    answer = pinned.json()
    assert answer["market"]["version"] == other and answer["market"]["pinned"] is True
    assert answer["market"]["as_of"] == "2031-06-30"
    assert {s["demand"] for s in answer["learning_steps"]} == {0.5}
    assert answer["model_version"] == plain.json()["model_version"]
    batch = partner_api.post(
        "/api/v1/recommendations/batch", json=BATCH, headers={MARKET_VERSION_HEADER: other}
    )
    assert batch.status_code == 200, batch.text
    assert batch.json()["market"]["version"] == other and batch.json()["market"]["pinned"] is True
    # the live version is unchanged for everyone else
    assert anon.get("/api/v1/versions").json()["market_live"] == live


@pytest.mark.parametrize("path", ["/api/v1/recommendations", "/api/v1/recommendations/batch"])
@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("2031-06-30-000000000000", 422),  # well-formed, never published
        ("no such version", 400),
        ("../../etc", 400),
        ("x" * 129, 400),
        ("", 400),
    ],
)
def test_bad_pins_name_the_header(partner_api: httpx.Client, path: str, value: str, status: int) -> None:
    body = BODY if path.endswith("recommendations") else BATCH
    answer = partner_api.post(path, json=body, headers={MARKET_VERSION_HEADER: value})
    assert answer.status_code == status, answer.text
    assert answer.headers["careerpath-api-version"] == API_VERSION
    assert MARKET_VERSION_HEADER in [e["field"] for e in answer.json()["errors"]]


@pytest.mark.parametrize("path", CONDITIONAL)
def test_conditional_get(partner_api: httpx.Client, path: str) -> None:
    first = partner_api.get(path)
    assert first.status_code == 200, first.text
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and etag.endswith('"') and first.headers["cache-control"] != "no-store"
    opaque = etag.removeprefix("W/")
    for sent in (etag, opaque, f'"nope", {etag}', "*"):
        again = partner_api.get(path, headers={"If-None-Match": sent})
        assert again.status_code == 304, (sent, again.text)
        assert again.content == b"" and again.headers["etag"] == etag
        assert again.headers["careerpath-api-version"] == API_VERSION
    fresh = partner_api.get(path, headers={"If-None-Match": '"nope", W/"other"'})
    assert fresh.status_code == 200 and fresh.json() == first.json()
    for malformed in (opaque.strip('"'), f"{etag} {etag}", "W/ x"):
        bad = partner_api.get(path, headers={"If-None-Match": malformed})
        assert bad.status_code == 400, (malformed, bad.text)
        assert [e["field"] for e in bad.json()["errors"]] == ["If-None-Match"]


def test_cache_policies(anon: httpx.Client, partner_api: httpx.Client) -> None:
    assert anon.get("/api/v1/skills").headers["cache-control"] == "public, max-age=300"
    assert anon.get("/api/v1/roles").headers["cache-control"] == "public, max-age=300"
    assert anon.get("/api/v1/versions").headers["cache-control"] == "public, no-cache"
    assert partner_api.get("/api/v1/market").headers["cache-control"] == "private, no-cache"
    assert anon.get("/api/v1/auth/me").headers["cache-control"] == "no-store"  # the rest is unchanged


def test_market_etag_follows_the_live_version(
    partner_api: httpx.Client, infra: Any, versions_pair: tuple
) -> None:
    live, other = versions_pair
    before = partner_api.get("/api/v1/market").headers["etag"]

    async def switch(to: str) -> None:
        client = aioredis.Redis.from_url(infra.redis_url)
        try:
            assert await rollback(client, infra.redis_prefix, to)
        finally:
            await client.aclose()

    asyncio.run(switch(other))
    try:
        moved = partner_api.get("/api/v1/market", headers={"If-None-Match": before})
        assert moved.status_code == 200 and moved.headers["etag"] != before
        assert moved.json()["market"]["version"] == other
    finally:
        asyncio.run(switch(live))
    assert partner_api.get("/api/v1/market", headers={"If-None-Match": before}).status_code == 304


def test_every_api_answer_names_the_api_version(anon: httpx.Client) -> None:
    for answer in (
        anon.get("/api/v1/skills"),
        anon.get("/api/v1/market"),  # 401
        anon.get("/api/v1/no-such-route"),  # 404
        anon.post("/api/v1/recommendations", json=BODY),  # 401
    ):
        assert answer.headers["careerpath-api-version"] == API_VERSION, answer.request.url
    assert "careerpath-api-version" not in anon.get("/healthz").headers
    document = anon.get("/schema/openapi.json").json()
    assert document["info"]["version"] == API_VERSION


def test_market_figures_say_which_roles_share_an_occupation(partner_api: httpx.Client) -> None:
    roles = partner_api.get("/api/v1/market").json()["roles"]
    sre = roles["site-reliability-engineer"]["occupation"]
    assert (sre["code"], sre["title"]) == ("15-1252", "Software Developers")
    assert sorted(sre["shared_with"]) == ["api-integration-engineer", "backend-developer", "devops-engineer"]
    assert "same numbers" in sre["note"]
    assert roles["database-administrator"]["occupation"]["shared_with"] == []
    fits = partner_api.post("/api/v1/recommendations", json=BODY).json()["roles"]
    devops = next(r for r in fits if r["role"] == "devops-engineer")["market"]["occupation"]
    assert "site-reliability-engineer" in devops["shared_with"]
