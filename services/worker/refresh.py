"""One refresh run, start to finish: claim the run, read and validate the source, aggregate, publish, record.

Synchronous (it runs inside a Celery task); the run is recorded through the profile service, which owns
``refresh_runs`` (:class:`~shared.contracts.runs.RunsClient`); each Redis step runs a short asyncio loop
with its own connection. A heartbeat thread records progress every few seconds and notices when the run
was taken away (its heartbeat went stale and another worker claimed it): then this worker stops without
publishing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import msgspec
import redis.asyncio as aioredis
from celery.exceptions import SoftTimeLimitExceeded
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from services.worker.aggregate import AGGREGATION_VERSION, Aggregator
from services.worker.chunks import ChunkTask, Collected, check_jsonl_start, collect, ends_mid_record
from services.worker.settings import WorkerSettings
from services.worker.sources import Fetched, SourceError, SourceSpec, parse_source
from services.worker.sources.fetch import fetch_source
from services.worker.sources.records import Posting, detect_format, read_postings
from shared.catalog import load_catalog, load_snapshot
from shared.contracts.market import RejectedSample
from shared.contracts.market_document import MarketDocument
from shared.contracts.runs import FinishRequest, RunCounts, RunsClient
from shared.market import current_version, get_document, publish

__all__ = ["Outcome", "Progress", "TRANSIENT", "build", "execute_run", "reap_runs", "runs_client"]

log = logging.getLogger("careerpath.worker")
T = TypeVar("T")
# Infrastructure failures worth retrying (the source itself failing is final: SourceError). The profile
# service unreachable or answering 5xx (its database down, say) is a ConnectionError: ProfileUnavailable.
TRANSIENT: tuple[type[BaseException], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    asyncio.TimeoutError,
    OSError,
)
CHECK_EVERY = 2000


class LeaseLost(Exception):
    """Another worker holds the run now (this one was presumed dead); stop without publishing."""


@dataclass
class Progress:
    """What the run has done so far; the heartbeat thread reads it, the reading loop writes it."""

    sample_limit: int
    phase: str = "starting"
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    samples: list[RejectedSample] = field(default_factory=list)
    lost: threading.Event = field(default_factory=threading.Event)

    def counts(self) -> RunCounts:
        return RunCounts(
            read=self.read, accepted=self.accepted, rejected=self.rejected, samples=list(self.samples)
        )

    def reject(self, line: int, field_name: str, reason: str) -> None:
        self.rejected += 1
        if len(self.samples) < self.sample_limit:
            self.samples.append(RejectedSample(line=line, field=field_name, reason=reason))


@dataclass
class Outcome:
    document: MarketDocument
    version: str | None  # None: derive from the content (the snapshot)


def runs_client(settings: WorkerSettings) -> RunsClient:
    """The profile service's runs endpoints, with the service credential."""
    return RunsClient(settings.profile_url, settings.service_token, settings.profile_timeout)


async def _redis(settings: WorkerSettings, work: Callable[[aioredis.Redis], Awaitable[T]]) -> T:
    client = aioredis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=5)
    try:
        return await work(client)
    finally:
        await client.aclose()


def redis_call(settings: WorkerSettings, work: Callable[[aioredis.Redis], Awaitable[T]]) -> T:
    return asyncio.run(_redis(settings, work))


def _fetch(spec: SourceSpec, settings: WorkerSettings) -> Fetched:
    return fetch_source(spec, settings)


def _catalog_fingerprint() -> str:
    return hashlib.sha256(msgspec.json.encode(load_catalog())).hexdigest()


def build(
    source: str,
    settings: WorkerSettings,
    progress: Progress,
    previous: MarketDocument | None,
    today: dt.date | None = None,
    run_id: str = "local",
    dispatch: Callable[[ChunkTask], None] | None = None,
) -> Outcome:
    """Read, validate and aggregate ``source`` into a market document (no I/O besides the source and, for a
    chunked run, the spool folder and Redis; ``dispatch`` sends chunks to other workers)."""
    spec = parse_source(source) if isinstance(source, str) else source
    if spec.kind == "snapshot":
        progress.phase = "reading"
        document = msgspec.convert(load_snapshot(), MarketDocument)
        progress.read = progress.accepted = len(document.skills) + len(document.roles)
        return Outcome(document, None)  # its version comes from its content, as when the recommender seeds it
    progress.phase = "fetching"
    fetched = _fetch(spec, settings)
    today = today or dt.date.today()
    try:
        progress.phase = "validating"
        aggregator = Aggregator(load_catalog())
        jsonl = detect_format(fetched) == "jsonl"  # before reading: a CSV reader closes the body when done
        if _chunked(fetched, settings):
            _collect(fetched, settings, progress, aggregator, today, run_id, dispatch)
        else:
            for item in read_postings(fetched, today):
                progress.read += 1
                if isinstance(item, Posting):
                    progress.accepted += 1
                    aggregator.add(item)
                else:
                    progress.reject(item.line, item.field, item.reason)
                if progress.read % CHECK_EVERY == 0 and progress.lost.is_set():
                    raise LeaseLost
        if jsonl and ends_mid_record(fetched):
            raise SourceError(
                f"the source ends mid-record: its last line is cut off ({progress.read:,} records read); "
                "an incomplete source is not published"
            )
    finally:
        fetched.body.close()
    if progress.accepted == 0:
        raise SourceError(f"no valid postings in the source ({progress.rejected:,} records rejected)")
    if progress.rejected / progress.read > settings.max_reject_ratio:
        raise SourceError(
            f"too many bad records: {progress.rejected:,} of {progress.read:,} rejected "
            f"(more than {settings.max_reject_ratio:.0%})"
        )
    progress.phase = "aggregating"
    document = aggregator.document(str(spec), previous, today)
    if fetched.credits:  # a real source's own credit (bundled sets, USAJOBS) beside the counts
        document = msgspec.structs.replace(document, attribution=[*document.attribution, *fetched.credits])
    key = f"{fetched.sha256}:{AGGREGATION_VERSION}:{_catalog_fingerprint()}"
    version = f"{document.as_of}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"
    return Outcome(document, version)


def _chunked(fetched: Fetched, settings: WorkerSettings) -> bool:
    """Whether the source is read in chunks (JSON Lines larger than one chunk; CSV is read in one pass)."""
    limit = settings.refresh_chunk_bytes
    return bool(limit) and fetched.size > limit and detect_format(fetched) == "jsonl"


def _collect(
    fetched: Fetched,
    settings: WorkerSettings,
    progress: Progress,
    aggregator: Aggregator,
    today: dt.date,
    run_id: str,
    dispatch: Callable[[ChunkTask], None] | None,
) -> None:
    """A chunked read (:mod:`services.worker.chunks`): the merged counts land in ``progress``."""
    check_jsonl_start(fetched)

    def update(total: Collected) -> None:
        progress.read, progress.accepted, progress.rejected = total.read, total.accepted, total.rejected
        progress.samples = [
            RejectedSample(line=s.line, field=s.field, reason=s.reason) for s in total.samples
        ]

    digest = f"{fetched.sha256[:16]}-{settings.refresh_chunk_bytes}"
    collect(
        fetched=fetched,
        redis_url=settings.redis_url,
        key=f"{settings.redis_prefix}refresh:{run_id}:{digest}",
        spool_dir=settings.spool_dir,
        chunk_bytes=settings.refresh_chunk_bytes,
        lease=settings.lease_seconds,
        today=today,
        sample_limit=settings.rejected_sample_limit,
        aggregator=aggregator,
        dispatch=dispatch,
        on_progress=update,
        lost=progress.lost.is_set,
    )


class Heartbeat(threading.Thread):
    """Every ``interval`` seconds: record progress; flag ``progress.lost`` if the run was taken away."""

    def __init__(
        self, settings: WorkerSettings, runs: RunsClient, run_id: str, worker: str, progress: Progress
    ) -> None:
        super().__init__(name=f"heartbeat-{run_id[:8]}", daemon=True)
        self.runs, self.run_id, self.worker, self.progress = runs, run_id, worker, progress
        self.interval = min(5.0, settings.lease_seconds / 4)
        self.stopped = threading.Event()

    def beat(self) -> None:
        held = self.runs.heartbeat(self.run_id, self.worker, self.progress.phase, self.progress.counts())
        if not held:
            self.progress.lost.set()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                self.beat()
            except Exception as exc:  # noqa: BLE001 - a missed beat is not fatal; the lease is generous
                log.warning("heartbeat of run %s failed: %s", self.run_id, exc)

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)


def _publish(settings: WorkerSettings, outcome: Outcome) -> tuple[str, str | None]:
    """Publish the outcome: live at once, unless it is synthetic (generated test data), which is only kept;
    an admin makes it live with an explicit confirmation (``confirm_synthetic``)."""

    async def work(client: aioredis.Redis) -> tuple[str, str | None]:
        before = await current_version(client, settings.redis_prefix)
        live = not outcome.document.synthetic
        version = await publish(client, settings.redis_prefix, outcome.document, outcome.version, live=live)
        return version, before

    return redis_call(settings, work)


def _previous(settings: WorkerSettings) -> MarketDocument | None:
    async def work(client: aioredis.Redis) -> MarketDocument | None:
        version = await current_version(client, settings.redis_prefix)
        return await get_document(client, settings.redis_prefix, version) if version else None

    return redis_call(settings, work)


def execute_run(
    run_id: str,
    settings: WorkerSettings,
    worker: str,
    attempts_left: bool = True,
    dispatch: Callable[[ChunkTask], None] | None = None,
) -> dict[str, Any]:
    """Run one refresh; returns a summary. Raises a TRANSIENT error after giving the run back to the queue."""
    with runs_client(settings) as runs:
        return _execute(run_id, settings, runs, worker, attempts_left, dispatch)


def _execute(
    run_id: str,
    settings: WorkerSettings,
    runs: RunsClient,
    worker: str,
    attempts_left: bool,
    dispatch: Callable[[ChunkTask], None] | None = None,
) -> dict[str, Any]:
    claim = runs.claim(run_id, worker, settings.lease_seconds)
    run = claim.run
    if not claim.claimed or run is None:
        held = run is not None and run.status == "running"
        log.info(
            "run %s is not claimable (%s); skipping", run_id, "held by another worker" if held else "finished"
        )
        return {"run_id": run_id, "skipped": True, "held": held}
    started = time.monotonic()
    log.info("run %s: refreshing from %s (attempt %d)", run_id, run.source, run.attempts)
    progress = Progress(sample_limit=settings.rejected_sample_limit)
    heartbeat = Heartbeat(settings, runs, run_id, worker, progress)
    heartbeat.start()
    error: str | None = None
    version = previous_version = None
    try:
        outcome = build(run.source, settings, progress, _previous(settings), run_id=run_id, dispatch=dispatch)
        progress.phase = "publishing"
        heartbeat.beat()  # fence: never publish a run this worker no longer holds
        if progress.lost.is_set():
            raise LeaseLost
        version, previous_version = _publish(settings, outcome)
    except LeaseLost:
        log.warning("run %s was taken over by another worker; stopping without publishing", run_id)
        return {"run_id": run_id, "lost": True}
    except SourceError as exc:
        error = str(exc)
    except SoftTimeLimitExceeded:
        error = f"time limit exceeded ({settings.task_soft_time_limit:g}s)"
    except TRANSIENT as exc:
        heartbeat.stop()
        reason = f"transient failure: {type(exc).__name__}: {exc}"[:500]
        if run.attempts < settings.max_attempts and attempts_left:
            log.warning("run %s: %s; will retry", run_id, reason)
            _quietly(lambda: runs.release(run_id, worker, reason))
            raise
        error = f"{reason} (gave up after {run.attempts} attempts)"
    except Exception as exc:  # noqa: BLE001 - any other failure fails the run, with its reason recorded
        log.exception("run %s failed", run_id)
        error = f"internal error: {type(exc).__name__}: {exc}"[:500]
    finally:
        heartbeat.stop()
    record = FinishRequest(
        worker=worker,
        counts=progress.counts(),
        error=error,
        version=version,
        previous_version=previous_version,
    )
    runs.finish(run_id, record)
    elapsed = time.monotonic() - started
    log.info(
        "run %s %s in %.2fs: read %d, accepted %d, rejected %d, version %s%s",
        run_id,
        "failed" if error else "succeeded",
        elapsed,
        progress.read,
        progress.accepted,
        progress.rejected,
        version,
        f" ({error})" if error else "",
    )
    return {
        "run_id": run_id,
        "status": "failed" if error else "succeeded",
        "version": version,
        "error": error,
    }


def _quietly(action: Callable[[], object]) -> None:
    try:
        action()
    except Exception as exc:  # noqa: BLE001
        log.warning("could not record the run's state: %s", exc)


def reap_runs(settings: WorkerSettings) -> list[str]:
    """Requeue or fail runs whose worker died; returns the run ids to enqueue again."""
    with runs_client(settings) as runs:
        return runs.reap(settings.lease_seconds, settings.max_attempts, settings.queued_timeout)
