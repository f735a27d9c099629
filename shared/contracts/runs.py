"""The refresh-run contract between the worker and the profile service, which owns ``refresh_runs``.

The worker never touches the table: it claims a run, reports progress, finishes or releases it, reaps
lost runs and queues the scheduled run through the profile's internal endpoints, with these Structs
(service-to-service, so unknown fields are tolerated) and :class:`RunsClient`, which owns each path, method
and error mapping. Transport failures and 5xx answers raise :class:`ProfileUnavailable`, a
``ConnectionError``, so a Celery task retries them as it retries any infrastructure failure.
"""

from __future__ import annotations

from typing import Annotated, TypeVar

import httpx
import msgspec

from shared.contracts.market import RefreshRun, RejectedSample
from shared.web.middleware import SERVICE_TOKEN_HEADER

__all__ = [
    "ClaimRequest",
    "FinishRequest",
    "HeartbeatRequest",
    "LeaseAnswer",
    "ProfileUnavailable",
    "ReapAnswer",
    "ReapRequest",
    "ReleaseRequest",
    "RunClaim",
    "RunCounts",
    "RunsClient",
    "RunsRefused",
    "ScheduledRun",
    "ScheduledRunRequest",
]

T = TypeVar("T")
Worker = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
Lease = Annotated[float, msgspec.Meta(ge=1, le=3600)]
Count = Annotated[int, msgspec.Meta(ge=0)]


class RunCounts(msgspec.Struct, kw_only=True, frozen=True):
    """Records read, accepted and rejected so far, with a few rejected samples."""

    read: Count = 0
    accepted: Count = 0
    rejected: Count = 0
    samples: list[RejectedSample] = []


class ClaimRequest(msgspec.Struct, kw_only=True, frozen=True):
    """Take a run: it is queued, or its holder's heartbeat is older than ``lease_seconds``."""

    worker: Worker
    lease_seconds: Lease


class RunClaim(msgspec.Struct, kw_only=True, frozen=True):
    """``claimed``: the run is now this worker's; else ``run`` is the run as it is (None: no such run)."""

    claimed: bool
    run: RefreshRun | None = None


class HeartbeatRequest(msgspec.Struct, kw_only=True, frozen=True):
    worker: Worker
    phase: Annotated[str, msgspec.Meta(max_length=64)]
    counts: RunCounts = msgspec.field(default_factory=RunCounts)


class FinishRequest(msgspec.Struct, kw_only=True, frozen=True):
    """Succeeded when ``error`` is None, failed otherwise."""

    worker: Worker
    counts: RunCounts = msgspec.field(default_factory=RunCounts)
    error: str | None = None
    version: str | None = None
    previous_version: str | None = None


class ReleaseRequest(msgspec.Struct, kw_only=True, frozen=True):
    """Give the run back to the queue after a transient failure (the task is retried)."""

    worker: Worker
    error: str


class LeaseAnswer(msgspec.Struct, kw_only=True, frozen=True):
    """``held`` False: this worker no longer holds the run (another one took it over); it must stop."""

    held: bool


class ReapRequest(msgspec.Struct, kw_only=True, frozen=True):
    lease_seconds: Lease
    max_attempts: Annotated[int, msgspec.Meta(ge=1, le=10)]
    queued_timeout: Annotated[float, msgspec.Meta(ge=10, le=7 * 86400)]


class ReapAnswer(msgspec.Struct, kw_only=True, frozen=True):
    """The runs put back in the queue; the caller enqueues them again."""

    requeued: list[str] = []


class ScheduledRunRequest(msgspec.Struct, kw_only=True, frozen=True):
    source: Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]


class ScheduledRun(msgspec.Struct, kw_only=True, frozen=True):
    """The run queued (and enqueued) for the schedule, or the one already queued or running."""

    run: RefreshRun
    created: bool


class ProfileUnavailable(ConnectionError):
    """The profile service did not answer, or answered 5xx: transient, retry later."""


class RunsRefused(RuntimeError):
    """The profile service refused the call (4xx: wrong credential, a request it cannot take): final."""


class RunsClient:
    """The worker's side of the runs contract, on one keep-alive ``httpx.Client`` (thread-safe)."""

    def __init__(self, base_url: str, service_token: str, timeout: float = 10.0) -> None:
        self.http = httpx.Client(
            base_url=base_url,
            timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)),
            headers={SERVICE_TOKEN_HEADER: service_token},
        )

    def __enter__(self) -> RunsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def _call(self, path: str, body: msgspec.Struct, answer: type[T]) -> T:
        try:
            response = self.http.post(
                path, content=msgspec.json.encode(body), headers={"content-type": "application/json"}
            )
        except httpx.TransportError as exc:
            raise ProfileUnavailable(f"profile service unreachable: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500:
            raise ProfileUnavailable(f"profile service answered {response.status_code} on {path}")
        if response.status_code >= 400:
            raise RunsRefused(f"profile service refused {path}: {response.status_code} {response.text[:300]}")
        return msgspec.json.decode(response.content, type=answer)

    def claim(self, run_id: str, worker: str, lease_seconds: float) -> RunClaim:
        body = ClaimRequest(worker=worker, lease_seconds=lease_seconds)
        return self._call(f"/market/runs/{run_id}/claim", body, RunClaim)

    def heartbeat(self, run_id: str, worker: str, phase: str, counts: RunCounts) -> bool:
        body = HeartbeatRequest(worker=worker, phase=phase, counts=counts)
        return self._call(f"/market/runs/{run_id}/heartbeat", body, LeaseAnswer).held

    def finish(self, run_id: str, outcome: FinishRequest) -> bool:
        """Record the run's outcome (failed when ``outcome.error`` is set)."""
        return self._call(f"/market/runs/{run_id}/finish", outcome, LeaseAnswer).held

    def release(self, run_id: str, worker: str, error: str) -> bool:
        body = ReleaseRequest(worker=worker, error=error)
        return self._call(f"/market/runs/{run_id}/release", body, LeaseAnswer).held

    def reap(self, lease_seconds: float, max_attempts: int, queued_timeout: float) -> list[str]:
        body = ReapRequest(
            lease_seconds=lease_seconds, max_attempts=max_attempts, queued_timeout=queued_timeout
        )
        return self._call("/market/runs/reap", body, ReapAnswer).requeued

    def schedule(self, source: str) -> ScheduledRun:
        """Queue (and enqueue) a run of ``source`` for the schedule unless one is queued or running."""
        return self._call("/market/runs/scheduled", ScheduledRunRequest(source=source), ScheduledRun)
