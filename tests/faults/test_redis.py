"""Redis killed (SIGKILL) and stalled (SIGSTOP) while partners are served recommendations.

Partner keys are cached in Redis but checked with the profile service when Redis is away; the recommender
answers from its last good market document flagged ``stale`` (or 503 with Retry-After). No request
takes longer than its budget, and fresh answers come back on their own once Redis does.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import redis
import redis.asyncio as aioredis

from services.gateway.settings import GatewaySettings
from services.recommender.settings import RecommenderSettings
from shared.catalog import load_snapshot
from shared.market import publish
from shared.settings import load_settings
from tests.e2e.helpers import sign_up
from tests.faults.conftest import Servers, partner_client, running_stack
from tests.faults.load import Load, Sample, server_seconds
from tools.supervisor.stack import Stack

pytestmark = pytest.mark.faults

ENV = {"CAREERPATH_UPSTREAM_TIMEOUT": "2", "CAREERPATH_REDIS_TIMEOUT": "0.25"}
GATEWAY = load_settings(GatewaySettings, ENV)
RECOMMENDER = load_settings(RecommenderSettings, ENV)
# With Redis away the gateway makes two Redis calls (API-key cache read, rate limit; a failed read skips
# the cache writes), each bounded by its Redis timeout, then the recommender call by the upstream timeout
# (the recommender's own Redis reads fall within it); 0.5 s of slack for a two-core machine under load.
BUDGET = 2 * GATEWAY.redis_timeout + GATEWAY.upstream_timeout + 0.5
OUTAGE_S = 4.0
SKILLS = {"skills": {"python": 3, "postgresql": 2, "docker": 1}, "years_experience": 3}


@pytest.fixture(scope="module")
def stack(servers: Servers, log_dir: Path) -> Iterator[Stack]:
    with running_stack(servers, log_dir, **ENV) as running:
        yield running


@pytest.fixture(scope="module")
def partner_key(stack: Stack, servers: Servers) -> Iterator[dict[str, str]]:
    client = partner_client(stack, servers, ["recommendations:write"])
    yield {"Authorization": client.headers["authorization"]}
    client.close()


def _recommend(headers: dict[str, str]) -> Callable[[httpx.AsyncClient, int], object]:
    async def send(http: httpx.AsyncClient, i: int) -> httpx.Response:
        return await http.post("/api/v1/recommendations", json=SKILLS, headers=headers)

    return send


def _fresh(sample: Sample) -> bool:
    return sample.status == 200 and sample.kept == "fresh"


def _run_outage(
    stack: Stack, partner_key: dict[str, str], inject: Callable[[], None], restore: Callable[[], None]
) -> tuple[Load, float, float, float]:
    """Load, then the fault for OUTAGE_S, then recovery; returns (load, fault at, restored at, recover_s)."""
    with Load(stack.url, _recommend(partner_key), rate=25) as load:
        load.wait_for(_fresh, after=time.monotonic(), timeout=10)
        time.sleep(1.0)
        faulted = time.monotonic()
        inject()
        time.sleep(OUTAGE_S)
        restored = time.monotonic()
        restore()
        recovered = load.wait_for(_fresh, after=restored, timeout=15)
        time.sleep(1.5)
    return load, faulted, restored, recovered.ended - restored


def _assert_promises(load: Load, faulted: float, restored: float) -> None:
    samples = load.snapshot()
    assert samples and not [s for s in samples if s.status == 0], "a request got no answer"
    wrong = [s for s in samples if s.status not in (200, 503)]
    assert not wrong, wrong[:5]
    assert all(s.retry_after for s in samples if s.status == 503), "503 without Retry-After"
    slow = [s for s in samples if s.server is None or s.server > BUDGET]
    assert not slow, f"{len(slow)} requests over the {BUDGET:.2f}s budget: {slow[:3]}"
    during = [s for s in samples if faulted + 0.5 <= s.started <= restored - 0.5]
    assert during and any(s.kept == "stale" for s in during), "no stale answers while Redis was away"
    before = [s for s in samples if s.ended < faulted]
    assert before and all(_fresh(s) for s in before)
    last = samples[-10:]
    assert all(_fresh(s) for s in last), last


def _session_answers_fast(stack: Stack) -> Callable[[], None]:
    """While Redis is away, a signed-in user's request ends quickly with 503 + Retry-After."""
    user = sign_up(stack.url)

    def probe() -> None:
        answer = user.get("/api/v1/me/profile")
        assert answer.status_code == 503 and answer.headers.get("retry-after"), answer.text
        held = server_seconds(answer)
        assert held is not None and held <= BUDGET, held

    return probe


def _publish_own_version(servers: Servers) -> str:
    """A market version of this test's own (not the bundled snapshot a recommender seeds at start)."""

    async def go() -> str:
        client = aioredis.Redis.from_url(servers.redis.url)
        try:
            return await publish(client, servers.prefix, {**load_snapshot(), "as_of": "2031-01-01"})
        finally:
            await client.aclose()

    return asyncio.run(go())


def _current_version(servers: Servers) -> str | None:
    client = redis.Redis.from_url(servers.redis.url)
    try:
        found = client.get(servers.prefix + "market:current")
        return found.decode() if found else None
    finally:
        client.close()


@pytest.mark.parametrize("empty", [False, True], ids=["with-its-data", "empty"])
def test_redis_killed_then_restarted(
    stack: Stack, servers: Servers, partner_key: dict[str, str], report: Callable[[str], None], empty: bool
) -> None:
    """Restarted with its append-only file, or empty (a cache without persistence, as in the dev overlay)."""
    probe = _session_answers_fast(stack)
    version = _publish_own_version(servers)

    def inject() -> None:
        servers.redis.kill()
        if empty:
            assert servers.redis.data_dir is not None
            shutil.rmtree(servers.redis.data_dir)
        time.sleep(1.0)
        probe()

    load, faulted, restored, recover_s = _run_outage(stack, partner_key, inject, servers.redis.start)
    name = "redis-kill-empty" if empty else "redis-kill"
    report(load.figures(name, recover_s, outage_s=OUTAGE_S, budget_s=round(BUDGET, 2)))
    _assert_promises(load, faulted, restored)
    # the last good version is what is served, and Redis has it again for every other reader
    with httpx.Client(base_url=stack.url, headers=partner_key, timeout=10) as client:
        answer = client.post("/api/v1/recommendations", json=SKILLS).json()
    assert answer["market"] == {**answer["market"], "version": version, "stale": False}
    assert _current_version(servers) == version


def test_redis_stalled_then_resumed(
    stack: Stack, servers: Servers, partner_key: dict[str, str], report: Callable[[str], None]
) -> None:
    probe = _session_answers_fast(stack)

    def inject() -> None:
        servers.redis.pause()
        time.sleep(1.0)
        probe()

    try:
        load, faulted, restored, recover_s = _run_outage(stack, partner_key, inject, servers.redis.resume)
    finally:
        servers.redis.resume()
    report(load.figures("redis-stall", recover_s, outage_s=OUTAGE_S, budget_s=round(BUDGET, 2)))
    _assert_promises(load, faulted, restored)
