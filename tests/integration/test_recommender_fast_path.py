"""POST /recommendations/ in front of Litestar's router (services/recommender/fast_path.py) answers what
the route answers: the same status, headers and bytes for random requests of every option (top, target
role, learning plan, years, a pinned market version), and every refusal (bad or lenient-only bodies, a
wrong credential, an oversized body, a version not kept, no market data) still goes the route's way."""

from __future__ import annotations

import random
from typing import Any, cast

import httpx
from litestar import Litestar, post
from litestar.testing import AsyncTestClient

from services.recommender.app import create_app
from services.recommender.fast_path import FastRecommend, install
from services.recommender.settings import RecommenderSettings
from shared.catalog import load_catalog
from shared.contracts.versions import MARKET_VERSION_HEADER
from shared.web.middleware import ServiceTokenMiddleware, with_request_ids

CATALOG = load_catalog()
REQUESTS = 120


def _fast(app: Any) -> FastRecommend:
    fast = app.asgi_handler.app.app
    assert isinstance(fast, FastRecommend)
    return fast


def _bodies(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for _ in range(REQUESTS):
        body: dict[str, Any] = {
            "skills": {s: rng.randint(0, 4) for s in rng.sample(CATALOG.skill_ids, k=rng.randint(0, 12))}
        }
        if rng.random() < 0.7:
            body["years_experience"] = rng.choice([0, 1, 3.5, 7, 15.25, 40])
        if rng.random() < 0.5:
            body["top"] = rng.randint(1, 50)
        if rng.random() < 0.4:
            body["target_role"] = rng.choice([None, *CATALOG.role_ids])
        if rng.random() < 0.4:
            body["learning_plan"] = rng.random() < 0.5
        out.append(body)
    return out


def _seen(answer: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = [(k, v) for k, v in answer.headers.items() if k != "server-timing"]
    return answer.status_code, headers, answer.content


class _Counting:
    """The router behind the fast path, counting the requests that reach it."""

    def __init__(self, app: Any) -> None:
        self.app, self.calls = app, 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        await self.app(scope, receive, send)


async def _both(api: AsyncTestClient[Any], fast: FastRecommend, **request: Any) -> tuple[Any, Any]:
    """The same request answered with the fast path and without it (the same request id)."""
    headers = httpx.Headers(request.pop("headers", {}))  # a list of pairs: repeated names kept
    headers["x-request-id"] = "fast-path-test"
    fast.enabled = True
    with_it = _seen(await api.post("/recommendations/", headers=headers, **request))
    fast.enabled = False
    without = _seen(await api.post("/recommendations/", headers=headers, **request))
    fast.enabled = True
    return with_it, without


async def test_answers_are_the_routes_for_random_requests(infra) -> None:  # type: ignore[no-untyped-def]
    settings = RecommenderSettings(
        redis_url=infra.redis_url,
        redis_prefix=f"{infra.redis_prefix}fast:",
        model_dir=str(infra.model_dir),
        service_token=infra.service_token,
    )
    app = create_app(settings)
    fast = _fast(app)
    router = fast.app = _Counting(fast.app)
    token = {"x-service-token": infra.service_token}
    async with AsyncTestClient(app) as api:
        live = (await api.get("/market", headers=token)).json()["version"]
        for i, body in enumerate(_bodies(18)):
            headers = {**token, **({MARKET_VERSION_HEADER: live} if i % 5 == 0 else {})}
            before = router.calls
            with_it, without = await _both(api, fast, json=body, headers=headers)
            assert with_it == without, body
            assert with_it[0] == 200
            assert router.calls == before + 1  # only the request without the fast path reached the router
        refusals: list[dict[str, Any]] = [
            {"content": b"{not json", "headers": token},
            {"content": b"", "headers": token},
            {"json": {"skills": {"cobol": 3}}, "headers": token},
            {"json": {"skills": {"python": 9}, "top": 0}, "headers": token},
            {"json": {"skills": {"python": 3}, "extra": 1}, "headers": token},
            {"json": {"skills": {"python": 3}}, "headers": {"x-service-token": "w" * 32}},
            {"json": {"skills": {"python": 3}}, "headers": {}},
            {"json": {"skills": {"python": 3}}, "headers": {**token, MARKET_VERSION_HEADER: "never-kept"}},
            {"content": b'{"skills": {"python": 3}, "note": "' + b"x" * 1_100_000 + b'"}', "headers": token},
        ]
        for request in refusals:
            with_it, without = await _both(api, fast, **request)
            assert with_it == without, request
            assert with_it[0] >= 400
        # lenient only: Litestar converts "3" to 3; the fast path leaves it to Litestar
        with_it, without = await _both(api, fast, json={"skills": {"python": 3}, "top": "3"}, headers=token)
        assert with_it == without and with_it[0] == 200
        # the body is JSON whatever its content type says; of two version headers, the first counts
        plain = {**token, "content-type": "text/plain"}
        with_it, without = await _both(api, fast, content=b'{"skills": {"sql": 2}}', headers=plain)
        assert with_it == without and with_it[0] == 200
        # two version headers (sent as one line, "a, b"): refused by both, as a version never published
        twice = [*token.items(), (MARKET_VERSION_HEADER, live), (MARKET_VERSION_HEADER, "x")]
        with_it, without = await _both(api, fast, json={"skills": {"sql": 2}}, headers=twice)
        assert with_it == without and with_it[0] == 422


async def test_no_market_data_is_the_routes_503(infra) -> None:  # type: ignore[no-untyped-def]
    settings = RecommenderSettings(
        redis_url="redis://127.0.0.1:1/0",
        model_dir=str(infra.model_dir),
        service_token=infra.service_token,
        redis_timeout=0.2,
    )
    app = create_app(settings)
    async with AsyncTestClient(app) as api:
        request = {"json": {"skills": {"python": 3}}, "headers": {"x-service-token": infra.service_token}}
        with_it, without = await _both(api, _fast(app), **request)
        assert with_it == without
        assert with_it[0] == 503


def test_not_installed_where_it_would_skip_a_guard_or_a_hook() -> None:
    def never(connection: Any, handler: Any) -> None:
        raise AssertionError("a guard")

    def hook(request: Any) -> None:
        return None

    @post("/recommendations", sync_to_thread=False)
    def plain() -> None:
        return None

    @post("/recommendations", guards=[never], sync_to_thread=False)
    def guarded() -> None:
        return None

    @post("/recommendations", before_request=hook, sync_to_thread=False)
    def hooked() -> None:
        return None

    def built(handler: Any) -> Litestar:
        middleware = [ServiceTokenMiddleware("t" * 32)]
        return with_request_ids(Litestar([handler], middleware=middleware, openapi_config=None))

    scorer, market = cast(Any, None), cast(Any, lambda: None)
    assert install(built(plain), scorer, market, "t" * 32, 1024)
    assert not install(built(guarded), scorer, market, "t" * 32, 1024)
    assert not install(built(hooked), scorer, market, "t" * 32, 1024)
