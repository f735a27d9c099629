"""PostgreSQL restarted, and PostgreSQL slow (a table lock held), under profile writes.

Restarted: requests in flight fail with 503 at worst, the pool reconnects by itself, and every write that
was acknowledged is read back afterwards. Slow: requests end with 503/504 within the budget, never an
unbounded wait, and the service answers normally as soon as the lock goes.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from services.gateway.settings import GatewaySettings
from services.profile.settings import ProfileSettings
from shared.settings import load_settings
from tests.e2e.helpers import sign_up
from tests.faults.conftest import Servers, running_stack
from tests.faults.load import Load, Sample
from tests.faults.writers import ProfileWriters, session_headers
from tools.supervisor.stack import Stack

pytestmark = pytest.mark.faults

ENV = {
    "CAREERPATH_UPSTREAM_TIMEOUT": "3",
    "CAREERPATH_DB_ACQUIRE_TIMEOUT": "1",
    "CAREERPATH_DB_STATEMENT_TIMEOUT_MS": "1000",
    "CAREERPATH_DB_COMMAND_TIMEOUT": "2",
}
GATEWAY = load_settings(GatewaySettings, ENV)
PROFILE = load_settings(ProfileSettings, ENV)
# The profile service gives up first: waiting for a pooled connection, then for a lock or a statement;
# the gateway's upstream timeout bounds the whole call. 0.5 s of slack for a two-core machine under load.
PROFILE_BUDGET = PROFILE.db_acquire_timeout + PROFILE.db_statement_timeout_ms / 1000
BUDGET = min(PROFILE_BUDGET + 0.5, GATEWAY.upstream_timeout + 0.5)
DOWN_S = 2.0
LOCK_S = 5.0


@pytest.fixture(scope="module")
def stack(servers: Servers, log_dir: Path) -> Iterator[Stack]:
    with running_stack(servers, log_dir, **ENV) as running:
        yield running


def _ok(sample: Sample) -> bool:
    return sample.status == 200


def _assert_bounded(load: Load) -> list[Sample]:
    samples = load.snapshot()
    assert samples and not [s for s in samples if s.status == 0], "a request got no answer"
    wrong = [s for s in samples if s.status not in (200, 201, 412, 503, 504)]
    assert not wrong, [(s.status, s.kept) for s in wrong[:5]]
    assert all(s.retry_after for s in samples if s.status == 503), "503 without Retry-After"
    slow = [s for s in samples if s.server is None or s.server > BUDGET]
    assert not slow, f"{len(slow)} requests over the {BUDGET:.2f}s budget: {slow[:3]}"
    return samples


def test_postgres_restarted_under_writes(
    stack: Stack, servers: Servers, report: Callable[[str], None]
) -> None:
    writers = ProfileWriters(stack.url).sign_up(updaters=6, creators=24)
    with Load(stack.url, writers.send, rate=30) as load:
        load.wait_for(_ok, after=time.monotonic(), timeout=10)
        time.sleep(1.5)
        faulted = time.monotonic()
        servers.pg.stop()  # fast shutdown: sessions in flight are terminated
        time.sleep(DOWN_S)
        servers.pg.start()
        restored = time.monotonic()
        recovered = load.wait_for(_ok, after=restored, timeout=15)
        time.sleep(2.0)
    recover_s = recovered.ended - restored
    with httpx.Client(base_url=stack.url, timeout=10) as client:
        deadline = time.monotonic() + 10
        while writers.pending and time.monotonic() < deadline:  # the clients' last retries
            asyncio.run(_retry_pending(stack.url, writers))
        lost = writers.lost_writes(client)
    report(
        load.figures(
            "postgres-restart",
            recover_s,
            down_s=DOWN_S,
            acked_updates=len(writers.acked_updates),
            acked_creates=len(writers.acked_creates),
            lost=len(lost),
        )
    )
    samples = _assert_bounded(load)
    assert not lost, lost[:5]
    assert not writers.conflicts, [c.text for c in writers.conflicts[:3]]
    assert not writers.pending
    assert any(s.status == 503 for s in samples if faulted <= s.started <= restored), "the outage went unseen"
    assert all(s.status in (200, 201, 412) for s in samples[-10:]), samples[-10:]


async def _retry_pending(base_url: str, writers: ProfileWriters) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        for i in range(len(writers.pending)):
            await writers.send(http, 4 * i + 3)


def _hold_lock(dsn: str, seconds: float, locked: threading.Event) -> None:
    async def hold() -> None:
        conn = await asyncpg.connect(dsn, timeout=10)
        try:
            async with conn.transaction():
                await conn.execute("LOCK TABLE profiles IN ACCESS EXCLUSIVE MODE")
                locked.set()
                await asyncio.sleep(seconds)
        finally:
            await conn.close()

    asyncio.run(hold())


def test_postgres_slow_behind_a_table_lock(
    stack: Stack, servers: Servers, report: Callable[[str], None]
) -> None:
    writers = ProfileWriters(stack.url).sign_up(updaters=6, creators=0)
    locked = threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(servers.database_url, LOCK_S, locked))
    with Load(stack.url, writers.send, rate=30) as load:
        load.wait_for(_ok, after=time.monotonic(), timeout=10)
        time.sleep(1.5)
        holder.start()
        assert locked.wait(10)
        faulted = time.monotonic()
        holder.join(LOCK_S + 10)
        released = time.monotonic()
        recovered = load.wait_for(_ok, after=released, timeout=15)
        time.sleep(1.5)
    with httpx.Client(base_url=stack.url, timeout=10) as client:
        lost = writers.lost_writes(client)
    report(
        load.figures(
            "postgres-lock",
            recovered.ended - released,
            lock_s=LOCK_S,
            budget_s=round(BUDGET, 2),
            lost=len(lost),
        )
    )
    samples = _assert_bounded(load)
    assert not lost, lost[:5]
    # started while the lock was held, and too late for it to be released before they give up
    during = [s for s in samples if faulted + 0.1 <= s.started <= released - PROFILE_BUDGET - 0.5]
    assert during and all(s.status in (503, 504) for s in during), [(s.status, s.kept) for s in during[:5]]
    assert all(s.status in (200, 412) for s in samples[-10:]), samples[-10:]


async def _post_many(base_url: str, headers: dict[str, str], body: dict, times: int) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        return await asyncio.gather(
            *(http.post("/api/v1/profiles", json=body, headers=headers) for _ in range(times))
        )


async def _rows(dsn: str, key: str) -> tuple[int, int]:
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        row = await conn.fetchrow(
            """SELECT count(DISTINCT p.id) AS profiles, count(a.*) AS assessments
               FROM profiles p LEFT JOIN assessments a ON a.profile_id = p.id WHERE p.idempotency_key = $1""",
            key,
        )
        return int(row["profiles"]), int(row["assessments"])
    finally:
        await conn.close()


def test_a_retried_post_with_the_same_idempotency_key_is_one_row(
    stack: Stack, servers: Servers, report: Callable[[str], None]
) -> None:
    client = sign_up(stack.url)
    headers = {**session_headers(client), "Idempotency-Key": "retry-" + secrets.token_hex(8)}
    client.close()
    body = {"display_name": "Retried", "skills": {"python": 2, "go": 1}, "years_experience": 1.5}
    concurrent = asyncio.run(_post_many(stack.url, headers, body, 12))
    sequential = [r for _ in range(5) for r in asyncio.run(_post_many(stack.url, headers, body, 1))]
    answers = concurrent + sequential
    profiles, assessments = asyncio.run(_rows(servers.database_url, headers["Idempotency-Key"]))
    statuses = sorted(r.status_code for r in answers)
    created, repeated = statuses.count(201), statuses.count(200)
    report(
        f"FAULT duplicate-post: sent={len(answers)} concurrent=12 sequential=5 201={created} 200={repeated} "
        f"other={len(answers) - created - repeated} rows={profiles} assessments={assessments}"
    )
    assert created == 1 and repeated == len(answers) - 1, [r.text for r in answers]
    assert len({r.json()["id"] for r in answers}) == 1
    assert (profiles, assessments) == (1, 1)
    changed = asyncio.run(_post_many(stack.url, headers, {**body, "display_name": "Other"}, 1))[0]
    assert changed.status_code == 422  # the same key with a different body is refused, not applied
