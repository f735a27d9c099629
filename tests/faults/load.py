"""Steady, bounded load from inside a test: requests at a fixed rate from a background thread, each answer
recorded (status, latency, the time the gateway held it, what the test wants kept), and the figures a
fault test reports.

Two clocks. `latency` is the client's: on a busy machine it also counts the time the test process waited
for a core, so it is only held to the hang guard (the client timeout). `server` is the gateway's own
(`Server-Timing: app;dur=`), from the moment it took the request to its answer: what its configured
timeouts promise to bound, and what the fault tests judge."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["Load", "Sample", "market_state", "server_seconds"]

Send = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]
Keep = Callable[[httpx.Response], Any]


def market_state(response: httpx.Response) -> Any:
    """``"stale"`` / ``"fresh"`` for an answer carrying market info; the error detail otherwise."""
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and isinstance(body.get("market"), dict):
        return "stale" if body["market"].get("stale") else "fresh"
    return body.get("detail") if isinstance(body, dict) else None


def server_seconds(response: httpx.Response) -> float | None:
    """The gateway's own time for an answer (its ``Server-Timing: app;dur=<ms>``), in seconds."""
    for part in response.headers.get("server-timing", "").split(","):
        name, _, params = part.strip().partition(";")
        if name == "app" and params.startswith("dur="):
            try:
                return float(params[4:]) / 1000
            except ValueError:
                return None
    return None


@dataclass(frozen=True)
class Sample:
    i: int
    started: float  # time.monotonic()
    latency: float  # seconds
    status: int  # 0: no HTTP answer (client timeout, connection refused)
    retry_after: str | None
    kept: Any
    server: float | None = None  # seconds the gateway held it (Server-Timing); None without an answer

    @property
    def ended(self) -> float:
        return self.started + self.latency


class Load:
    """``send(client, i)`` at ``rate`` per second, at most ``max_in_flight`` at once (extra ticks skipped).

    Use as a context manager; leaving it waits for the requests still in flight.
    """

    def __init__(
        self,
        base_url: str,
        send: Send,
        *,
        rate: float = 25.0,
        max_in_flight: int = 64,
        timeout: float = 20.0,
        keep: Keep = market_state,
    ) -> None:
        self.base_url = base_url
        self.send = send
        self.rate = rate
        self.max_in_flight = max_in_flight
        self.timeout = timeout
        self.keep = keep
        self.samples: list[Sample] = []
        self.skipped = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    def __enter__(self) -> Load:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(self.timeout + 10)

    async def _one(self, http: httpx.AsyncClient, i: int) -> None:
        started = time.monotonic()
        try:
            response = await self.send(http, i)
        except httpx.HTTPError as exc:
            self.samples.append(Sample(i, started, time.monotonic() - started, 0, None, repr(exc)))
            return
        latency = time.monotonic() - started
        kept = self.keep(response)
        self.samples.append(
            Sample(
                i,
                started,
                latency,
                response.status_code,
                response.headers.get("retry-after"),
                kept,
                server_seconds(response),
            )
        )

    async def _run(self) -> None:
        limits = httpx.Limits(
            max_connections=self.max_in_flight, max_keepalive_connections=self.max_in_flight
        )
        async with httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout, limits=limits) as http:
            in_flight: set[asyncio.Task[None]] = set()
            tick, next_at = 0, time.monotonic()
            while not self._stop.is_set():
                if len(in_flight) < self.max_in_flight:
                    task = asyncio.create_task(self._one(http, tick))
                    in_flight.add(task)
                    task.add_done_callback(in_flight.discard)
                else:
                    self.skipped += 1
                tick += 1
                next_at += 1 / self.rate
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            if in_flight:
                await asyncio.wait(in_flight)

    # --- reading the results -------------------------------------------------------------------------

    def snapshot(self) -> list[Sample]:
        return list(self.samples)

    def wait_for(self, ok: Callable[[Sample], bool], after: float, timeout: float = 20.0) -> Sample:
        """The first answer started after ``after`` that satisfies ``ok`` (waits for it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [s for s in self.snapshot() if s.started >= after and ok(s)]
            if found:
                return min(found, key=lambda s: s.ended)
            time.sleep(0.05)
        raise AssertionError(f"no satisfying answer within {timeout}s; last: {self.snapshot()[-5:]}")

    def figures(self, name: str, recover_s: float | None, **extra: object) -> str:
        samples = self.snapshot()
        ok = sum(1 for s in samples if 200 <= s.status < 300)
        failed = sum(1 for s in samples if s.status >= 500)
        stale = sum(1 for s in samples if s.kept == "stale")
        unanswered = sum(1 for s in samples if s.status == 0)
        longest = max((s.latency for s in samples), default=0.0)
        held = max((s.server or 0.0 for s in samples), default=0.0)
        fields = {
            "sent": len(samples),
            "2xx": ok,
            "5xx": failed,
            "stale": stale,
            "no_answer": unanswered,
            "other": len(samples) - ok - failed - unanswered,
            "max_latency_ms": round(longest * 1000),
            "max_server_ms": round(held * 1000),
            "recover_s": "-" if recover_s is None else f"{recover_s:.2f}",
            **extra,
        }
        return f"FAULT {name}: " + " ".join(f"{k}={v}" for k, v in fields.items())
