"""Refresh run records in real PostgreSQL: one active run at a time, claims, heartbeats, the reaper."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from services.profile.runs.repository import RunRepository
from shared.contracts.market import RejectedSample
from shared.contracts.runs import RunCounts


@pytest.fixture
async def repo(conn: asyncpg.Connection) -> RunRepository:
    await conn.execute("DELETE FROM refresh_runs")
    return RunRepository(conn)


async def test_twenty_concurrent_triggers_queue_one_run(module_db: str, repo: RunRepository) -> None:
    async def trigger(i: int) -> tuple[str, bool]:
        conn = await asyncpg.connect(module_db)
        try:
            run, created = await RunRepository(conn).create("snapshot", f"admin-{i}")
            return run.id, created
        finally:
            await conn.close()

    results = await asyncio.gather(*(trigger(i) for i in range(20)))
    assert len({run_id for run_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert await repo.conn.fetchval("SELECT count(*) FROM refresh_runs") == 1


async def test_the_database_refuses_a_second_active_run(repo: RunRepository) -> None:
    await repo.create("snapshot", "a")
    with pytest.raises(asyncpg.UniqueViolationError):
        await repo.conn.execute("INSERT INTO refresh_runs (source, status) VALUES ('snapshot', 'running')")


async def test_run_lifecycle_claim_heartbeat_finish(repo: RunRepository) -> None:
    run, _ = await repo.create("file:a.jsonl", "admin")
    assert run.status == "queued" and run.attempts == 0
    claimed = await repo.claim(run.id, "w1", lease_seconds=30)
    assert claimed is not None and claimed.status == "running" and claimed.attempts == 1
    assert await repo.claim(run.id, "w2", lease_seconds=30) is None  # held by a live worker
    assert await repo.heartbeat(run.id, "w1", "validating", RunCounts(read=5, accepted=4, rejected=1))
    assert not await repo.heartbeat(run.id, "w2", "validating", RunCounts())
    progress = await repo.get(run.id)
    assert progress is not None and (progress.phase, progress.records_read) == ("validating", 5)
    samples = [RejectedSample(line=3, field="title", reason="missing")]
    counts = RunCounts(read=10, accepted=9, rejected=1, samples=samples)
    assert await repo.finish(run.id, "w1", counts=counts, version="2025-05-01-abc", previous_version="v0")
    done = await repo.get(run.id)
    assert done is not None and done.status == "succeeded" and done.version == "2025-05-01-abc"
    assert done.rejected_samples == samples and done.duration_ms is not None and done.finished_at is not None
    new, created = await repo.create("snapshot", "admin")  # the slot is free again
    assert created and new.id != run.id


async def test_a_run_whose_worker_died_is_requeued_then_failed_after_max_attempts(
    repo: RunRepository,
) -> None:
    run, _ = await repo.create("snapshot", "admin")
    await repo.claim(run.id, "dead-1", lease_seconds=30)
    await repo.conn.execute("UPDATE refresh_runs SET heartbeat_at = now() - interval '1 minute'")
    assert await repo.reap(lease_seconds=30, max_attempts=2, queued_timeout=3600) == [run.id]
    requeued = await repo.get(run.id)
    assert requeued is not None and requeued.status == "queued" and "worker lost" in (requeued.error or "")
    assert await repo.claim(run.id, "dead-2", lease_seconds=30) is not None
    await repo.conn.execute("UPDATE refresh_runs SET heartbeat_at = now() - interval '1 minute'")
    assert await repo.reap(lease_seconds=30, max_attempts=2, queued_timeout=3600) == []
    failed = await repo.get(run.id)
    assert (
        failed is not None
        and failed.status == "failed"
        and "gave up after 2 attempts" in (failed.error or "")
    )


async def test_a_stale_run_can_be_claimed_by_another_worker_and_the_old_one_is_fenced(
    repo: RunRepository,
) -> None:
    run, _ = await repo.create("snapshot", "admin")
    await repo.claim(run.id, "old", lease_seconds=30)
    await repo.conn.execute("UPDATE refresh_runs SET heartbeat_at = now() - interval '1 minute'")
    assert await repo.claim(run.id, "new", lease_seconds=30) is not None
    assert not await repo.heartbeat(run.id, "old", "publishing", RunCounts())
    assert not await repo.finish(run.id, "old", counts=RunCounts(), version="x")
    assert await repo.finish(run.id, "new", counts=RunCounts(), error="boom")


async def test_a_queued_run_nobody_picks_up_fails_and_frees_the_slot(repo: RunRepository) -> None:
    run, _ = await repo.create("snapshot", "admin")
    await repo.conn.execute("UPDATE refresh_runs SET created_at = now() - interval '2 hours'")
    await repo.reap(lease_seconds=30, max_attempts=3, queued_timeout=3600)
    failed = await repo.get(run.id)
    assert failed is not None and failed.status == "failed" and "not picked up" in (failed.error or "")
    assert (await repo.create("snapshot", "admin"))[1]


async def test_runs_are_paged_newest_first(repo: RunRepository) -> None:
    ids = []
    for i in range(5):
        run, _ = await repo.create("snapshot", f"a{i}")
        await repo.fail_queued(run.id, "test")
        ids.append(run.id)
    first, cursor = await repo.page(2)
    assert [r.id for r in first] == ids[::-1][:2] and cursor == ids[3]
    second, cursor = await repo.page(2, cursor)
    third, last = await repo.page(2, cursor)
    assert [r.id for r in second + third] == ids[::-1][2:] and last is None
