"""The recommender app in-process against real Redis: seeds the snapshot, follows new versions, keeps
its last good copy (flagged stale) when Redis goes away."""

from __future__ import annotations

import asyncio
import secrets

import redis.asyncio as aioredis
from litestar.testing import AsyncTestClient

from services.recommender.app import create_app
from services.recommender.market import PointerWatch
from services.recommender.settings import RecommenderSettings
from shared.catalog import load_snapshot
from shared.market import publish
from tools.embedded import EmbeddedRedis

BODY = {"skills": {"python": 3, "sql": 3, "postgresql": 2, "git": 3}, "years_experience": 3}


def _settings(infra, prefix: str) -> RecommenderSettings:  # type: ignore[no-untyped-def]
    return RecommenderSettings(
        redis_url=infra.redis_url,
        redis_prefix=prefix,
        model_dir=str(infra.model_dir),
        service_token=infra.service_token,
        redis_timeout=0.5,
    )


WATCH_WAIT_SECONDS = 10 * PointerWatch(None, "").retry_seconds  # type: ignore[arg-type]


async def _answer_with(api: AsyncTestClient, headers: dict[str, str], version: str) -> dict:  # type: ignore[type-arg]
    """The first answer computed with market version ``version`` (asked again until then, for at most
    ten of the watch's reconnection delays)."""
    deadline = asyncio.get_running_loop().time() + WATCH_WAIT_SECONDS
    while True:
        answer = (await api.post("/recommendations/", json=BODY, headers=headers)).json()
        if answer["market"]["version"] == version or asyncio.get_running_loop().time() > deadline:
            return answer  # type: ignore[no-any-return]
        await asyncio.sleep(0.01)


async def _gets(client: aioredis.Redis) -> int:
    return int((await client.info("commandstats")).get("cmdstat_get", {}).get("calls", 0))


async def test_live_pointer_is_not_read_per_request_while_watched(infra) -> None:  # type: ignore[no-untyped-def]
    """With the pointer watched (Redis client-side caching, broadcast mode), answers do not read Redis;
    a new version, a flush or a lost watch connection are followed all the same."""
    server = EmbeddedRedis(persist=False).start()  # our own: its command counts are ours alone
    try:
        settings = RecommenderSettings(
            redis_url=server.url, model_dir=str(infra.model_dir), service_token=infra.service_token
        )
        headers = {"x-service-token": infra.service_token}
        client = aioredis.Redis.from_url(server.url)
        async with AsyncTestClient(create_app(settings)) as api:
            first = (await api.post("/recommendations/", json=BODY, headers=headers)).json()
            version = first["market"]["version"]
            deadline = asyncio.get_running_loop().time() + WATCH_WAIT_SECONDS
            while True:  # until the watch is subscribed: then 20 answers read the pointer at most once
                before = await _gets(client)
                for _ in range(20):
                    answer = await api.post("/recommendations/", json=BODY, headers=headers)
                    assert answer.json()["market"]["version"] == version
                reads = await _gets(client) - before
                if reads <= 1 or asyncio.get_running_loop().time() > deadline:
                    break
            assert reads <= 1

            changed = load_snapshot()
            changed["as_of"] = "2099-01-01"
            prefix = settings.redis_prefix
            moved = await publish(client, prefix, changed)
            assert (await _answer_with(api, headers, moved))["market"]["version"] == moved

            killed = await client.client_kill_filter(_type="pubsub")
            assert killed == 1  # the watch's connection: answers read the pointer until it is back
            back = await publish(client, prefix, load_snapshot())
            assert (await _answer_with(api, headers, back))["market"]["version"] == back

            await client.flushall()  # the data lost: the recommender gives the last good version back
            deadline = asyncio.get_running_loop().time() + WATCH_WAIT_SECONDS
            while (pointer := await client.get(prefix + "market:current")) is None:
                again = (await api.post("/recommendations/", json=BODY, headers=headers)).json()
                assert again["market"]["version"] == back
                if asyncio.get_running_loop().time() > deadline:
                    break
                await asyncio.sleep(0.01)
            assert pointer is not None and pointer.decode() == back
        await client.aclose()
    finally:
        server.stop()


async def test_seeds_snapshot_and_follows_new_versions(infra) -> None:  # type: ignore[no-untyped-def]
    prefix = f"{infra.redis_prefix}rec-{secrets.token_hex(3)}:"
    app = create_app(_settings(infra, prefix))
    headers = {"x-service-token": infra.service_token}
    client = aioredis.Redis.from_url(infra.redis_url)
    async with AsyncTestClient(app) as api:
        first = await api.post("/recommendations/", json=BODY, headers=headers)
        assert first.status_code == 200, first.text
        seeded = first.json()["market"]
        assert seeded["as_of"] == load_snapshot()["as_of"] and seeded["stale"] is False
        assert (await client.get(prefix + "market:current")).decode() == seeded["version"]

        changed = load_snapshot()
        changed["as_of"] = "2099-01-01"
        changed["skills"] = {sid: {**v, "demand": 0.9} for sid, v in changed["skills"].items()}
        new_version = await publish(client, prefix, changed)
        # the pointer watch hears of the move from Redis (asynchronously): a few answers may come first
        second = await _answer_with(api, headers, new_version)
        assert second["market"]["version"] == new_version != seeded["version"]
        assert all(step["demand"] == 0.9 for step in second["learning_steps"])
        assert second["model_version"] == first.json()["model_version"]
    await client.aclose()


async def test_last_good_copy_when_redis_goes_away(infra) -> None:  # type: ignore[no-untyped-def]
    server = EmbeddedRedis().start()  # our own, so it can be killed
    try:
        settings = RecommenderSettings(
            redis_url=server.url,
            model_dir=str(infra.model_dir),
            service_token=infra.service_token,
            redis_timeout=0.3,
        )
        headers = {"x-service-token": infra.service_token}
        async with AsyncTestClient(create_app(settings)) as api:
            good = (await api.post("/recommendations/", json=BODY, headers=headers)).json()
            assert good["market"]["stale"] is False
            server.kill()
            stale = await api.post("/recommendations/", json=BODY, headers=headers)
            assert stale.status_code == 200
            assert stale.json()["market"] == {**good["market"], "stale": True}
            assert stale.json()["roles"] == good["roles"]
    finally:
        server.stop()


async def test_no_market_data_at_all_is_503(infra) -> None:  # type: ignore[no-untyped-def]
    settings = RecommenderSettings(
        redis_url="redis://127.0.0.1:1/0",
        model_dir=str(infra.model_dir),
        service_token=infra.service_token,
        redis_timeout=0.2,
    )
    async with AsyncTestClient(create_app(settings)) as api:
        answer = await api.post(
            "/recommendations/", json=BODY, headers={"x-service-token": infra.service_token}
        )
        assert answer.status_code == 503
        assert answer.headers["retry-after"]
        assert "market data unavailable" in answer.json()["detail"]
        # the body is validated before the market is read: a bad request is still a 400
        headers = {"x-service-token": infra.service_token}
        bad = await api.post("/recommendations/", json={"skills": {"cobol": 3}}, headers=headers)
        assert bad.status_code == 400
        bad_batch = await api.post("/recommendations/batch", json={"candidates": "none"}, headers=headers)
        assert bad_batch.status_code == 400


async def test_handlers_are_given_their_dependencies(infra) -> None:  # type: ignore[no-untyped-def]
    """Every route answers with what dependency injection hands it (the market of the request, the scorer,
    Redis and the settings), and none of those shows up in the OpenAPI document as a parameter."""
    prefix = f"{infra.redis_prefix}rec-{secrets.token_hex(3)}:"
    app = create_app(_settings(infra, prefix))
    operations = [op for item in app.openapi_schema.to_schema()["paths"].values() for op in item.values()]
    parameters = {p["name"] for op in operations for p in op.get("parameters", [])}
    assert operations and parameters == {"Careerpath-Market-Version"}  # a header the caller sends, not DI
    headers = {"x-service-token": infra.service_token}
    async with AsyncTestClient(app) as api:
        ready = (await api.get("/readyz")).json()
        assert ready["checks"] == {"redis": "ok", "model": "ok"}
        market = (await api.get("/market", headers=headers)).json()
        figures = (await api.get("/market/figures", headers=headers)).json()
        assert figures["market"] == market and figures["skills"]["python"]["demand"] > 0
        versions = (await api.get("/market/versions", headers=headers)).json()
        assert versions["current"] == market["version"] == versions["versions"][0]["version"]
        batch = await api.post(
            "/recommendations/batch", json={"candidates": [{"id": "a", **BODY}], "top": 2}, headers=headers
        )
        assert batch.status_code == 200 and batch.json()["market"] == market
        assert len(batch.json()["results"][0]["roles"]) == 2
        back = await api.post("/market/rollback", json={"version": "not-kept"}, headers=headers)
        assert back.status_code == 404
