"""Refresh run records in PostgreSQL (table ``refresh_runs``, migration 002), owned by the profile service.

Profile owns the table because it is in profile's database and migrations and profile is the only service
with a PostgreSQL pool; every other service reaches runs through profile's internal endpoints and the
contract in :mod:`shared.contracts.runs` (the gateway to trigger, list and read them; the worker to claim,
heartbeat, finish, release and reap them). A run is *claimed* by one worker at a time: the claim records
the worker and a heartbeat; a run whose heartbeat stopped (worker killed) can be claimed again, and the
reaper puts it back in the queue (or fails it after ``max_attempts``). A unique index lets at most one run
be queued or running.
"""

from __future__ import annotations

import json

import asyncpg
import msgspec

from shared.contracts.market import RefreshRun
from shared.contracts.runs import RunCounts

__all__ = ["RunRepository"]

_COLUMNS = """id::text AS id, status, source, requested_by, attempts, phase, records_read, records_accepted,
    records_rejected, rejected_samples, error, version, previous_version, created_at, started_at,
    heartbeat_at, finished_at, duration_ms"""
_FINISHED = (
    "finished_at = now(), "
    "duration_ms = (extract(epoch FROM now() - coalesce(started_at, created_at)) * 1000)::int"
)


def _run(row: asyncpg.Record) -> RefreshRun:
    data = dict(row)
    data["rejected_samples"] = json.loads(data["rejected_samples"])
    return msgspec.convert(data, RefreshRun)


class RunRepository:
    """All SQL about refresh runs, on one connection."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def create(self, source: str, requested_by: str) -> tuple[RefreshRun, bool]:
        """Queue a run, or return the one already queued/running (never two): (run, created)."""
        for _ in range(5):
            row = await self.conn.fetchrow(
                f"""INSERT INTO refresh_runs (source, requested_by) VALUES ($1, $2)
                    ON CONFLICT ((true)) WHERE status IN ('queued', 'running') DO NOTHING
                    RETURNING {_COLUMNS}""",
                source,
                requested_by,
            )
            if row is not None:
                return _run(row), True
            active = await self.active()
            if active is not None:
                return active, False
        raise RuntimeError("could not queue a refresh run: the active run kept changing")

    async def active(self) -> RefreshRun | None:
        row = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM refresh_runs WHERE status IN ('queued', 'running') LIMIT 1"
        )
        return _run(row) if row else None

    async def get(self, run_id: str) -> RefreshRun | None:
        row = await self.conn.fetchrow(f"SELECT {_COLUMNS} FROM refresh_runs WHERE id = $1::uuid", run_id)
        return _run(row) if row else None

    async def page(self, limit: int, before: str | None = None) -> tuple[list[RefreshRun], str | None]:
        """Runs newest first; the cursor is the id of the last run of the page (None on the last page)."""
        rows = await self.conn.fetch(
            f"""SELECT {_COLUMNS} FROM refresh_runs
                WHERE $2::uuid IS NULL
                   OR (created_at, id) < (SELECT created_at, id FROM refresh_runs WHERE id = $2::uuid)
                ORDER BY created_at DESC, id DESC LIMIT $1""",
            limit + 1,
            before,
        )
        runs = [_run(r) for r in rows[:limit]]
        return runs, (runs[-1].id if len(rows) > limit else None)

    async def fail_queued(self, run_id: str, error: str) -> None:
        """A run that could not even be enqueued (broker down) fails at once, freeing the slot."""
        await self.conn.execute(
            f"""UPDATE refresh_runs SET status = 'failed', error = $2, {_FINISHED}
                WHERE id = $1::uuid AND status = 'queued'""",
            run_id,
            error,
        )

    # --- worker side ---------------------------------------------------------------------------

    async def claim(self, run_id: str, worker: str, lease_seconds: float) -> RefreshRun | None:
        """Take the run if it is queued or its holder's heartbeat is older than the lease; None otherwise."""
        row = await self.conn.fetchrow(
            f"""UPDATE refresh_runs SET status = 'running', attempts = attempts + 1, worker = $2,
                       started_at = coalesce(started_at, now()), heartbeat_at = now(), phase = 'starting'
                WHERE id = $1::uuid AND (status = 'queued' OR (status = 'running'
                      AND heartbeat_at < now() - make_interval(secs => $3)))
                RETURNING {_COLUMNS}""",
            run_id,
            worker,
            lease_seconds,
        )
        return _run(row) if row else None

    async def heartbeat(self, run_id: str, worker: str, phase: str, counts: RunCounts) -> bool:
        """Record progress; False when this worker no longer holds the run (it must stop)."""
        done = await self.conn.fetchval(
            """UPDATE refresh_runs SET heartbeat_at = now(), phase = $3, records_read = $4,
                      records_accepted = $5, records_rejected = $6
               WHERE id = $1::uuid AND worker = $2 AND status = 'running' RETURNING 1""",
            run_id,
            worker,
            phase,
            counts.read,
            counts.accepted,
            counts.rejected,
        )
        return done is not None

    async def finish(
        self,
        run_id: str,
        worker: str,
        *,
        counts: RunCounts,
        error: str | None = None,
        version: str | None = None,
        previous_version: str | None = None,
    ) -> bool:
        """Mark the run succeeded (``error`` None) or failed; False if this worker no longer holds it."""
        done = await self.conn.fetchval(
            f"""UPDATE refresh_runs SET status = $3, phase = NULL, error = $4, version = $5,
                       previous_version = $6,
                       records_read = $7, records_accepted = $8, records_rejected = $9,
                       rejected_samples = $10::jsonb, {_FINISHED}
                WHERE id = $1::uuid AND worker = $2 AND status = 'running' RETURNING 1""",
            run_id,
            worker,
            "failed" if error else "succeeded",
            error,
            version,
            previous_version,
            counts.read,
            counts.accepted,
            counts.rejected,
            msgspec.json.encode(counts.samples).decode(),
        )
        return done is not None

    async def release(self, run_id: str, worker: str, error: str) -> bool:
        """Give the run back to the queue after a transient failure (the task is retried)."""
        done = await self.conn.fetchval(
            """UPDATE refresh_runs SET status = 'queued', phase = 'retrying', error = $3, heartbeat_at = now()
               WHERE id = $1::uuid AND worker = $2 AND status = 'running' RETURNING 1""",
            run_id,
            worker,
            error,
        )
        return done is not None

    async def reap(self, lease_seconds: float, max_attempts: int, queued_timeout: float) -> list[str]:
        """Requeue runs whose worker vanished (return their ids); fail them after ``max_attempts``.

        A queued run nobody picked up within ``queued_timeout`` (no worker, lost message) fails too, so it
        cannot block every later trigger.
        """
        lost = f"worker lost: no heartbeat for {lease_seconds:g}s"
        async with self.conn.transaction():
            await self.conn.execute(
                f"""UPDATE refresh_runs SET status = 'failed', phase = NULL, {_FINISHED},
                           error = $3 || '; gave up after ' || attempts || ' attempts'
                    WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $1)
                      AND attempts >= $2""",
                lease_seconds,
                max_attempts,
                lost,
            )
            requeued = await self.conn.fetch(
                """UPDATE refresh_runs SET status = 'queued', phase = 'requeued', heartbeat_at = now(),
                          error = $2 || '; retrying'
                   WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $1)
                   RETURNING id::text""",
                lease_seconds,
                lost,
            )
            await self.conn.execute(
                f"""UPDATE refresh_runs SET status = 'failed', phase = NULL, {_FINISHED}, error = $2
                    WHERE status = 'queued'
                      AND coalesce(heartbeat_at, created_at) < now() - make_interval(secs => $1)""",
                queued_timeout,
                f"not picked up by a worker within {queued_timeout:g}s",
            )
        return [r["id"] for r in requeued]
