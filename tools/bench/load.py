"""The load generator: closed-loop HTTP/1.1 keep-alive connections on asyncio, in its own process.

The benchmark starts ``python -m tools.bench.load`` and writes a :class:`LoadSpec` (JSON) to its
standard input; it answers with a :class:`LoadResult` (JSON) on standard output. Each connection sends
its requests in turn, the next one as soon as the answer to the previous one has arrived, for
``warmup`` seconds unrecorded and then ``duration`` seconds recorded. The client speaks just enough
HTTP/1.1 (``Content-Length`` and chunked bodies) to stay cheap next to the servers it measures, which
share the machine with it. Only loopback addresses are accepted.

A request whose text contains ``{etag}`` gets the ETag of the connection's previous answer there (the
connection's ``etag`` at first): conditional updates that never conflict with themselves.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time

import msgspec

from shared.http import HTTPConnection, HTTPError, connect, encode_request
from tools.bench.child import child_main, run_loop

__all__ = ["LoadResult", "LoadSpec", "Request", "run_load"]

_ETAG = b"{etag}"


class Request(msgspec.Struct, kw_only=True, frozen=True):
    method: str
    path: str
    headers: dict[str, str] = {}
    body: str = ""


class Connection(msgspec.Struct, kw_only=True, frozen=True):
    """One keep-alive connection: the requests it cycles through and its first ETag."""

    requests: list[Request]
    etag: str = ""


class LoadSpec(msgspec.Struct, kw_only=True, frozen=True):
    host: str
    port: int
    connections: list[Connection]
    duration: float = 10.0
    warmup: float = 1.0
    timeout: float = 30.0


class LoadResult(msgspec.Struct, kw_only=True):
    """Latencies (seconds) of the answered 2xx requests, and every other outcome counted."""

    elapsed: float
    answered: int = 0  # every answer, the warm-up's included (for CPU time per request)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    failures: dict[str, int] = {}


def _encode(request: Request, host: str) -> bytes:
    return encode_request(request.method, request.path, host, request.headers.items(), request.body.encode())


def _count(table: dict[str, int], key: str) -> None:
    table[key] = table.get(key, 0) + 1


async def _connection(spec: LoadSpec, plan: Connection, start: float, result: LoadResult) -> None:
    """Send this connection's requests back to back until the end; record those after the warm-up."""
    raws = [_encode(r, f"{spec.host}:{spec.port}") for r in plan.requests]
    etag = plan.etag.encode()
    record_from = start + spec.warmup
    stop = record_from + spec.duration
    conn: HTTPConnection | None = None
    i = 0
    now = time.perf_counter()
    while now < stop:
        raw = raws[i % len(raws)]
        i += 1
        if _ETAG in raw:
            raw = raw.replace(_ETAG, etag)
        sent = now
        outcome: str | None = None
        try:
            if conn is None or conn.closed or not conn.reusable:
                if conn is not None:
                    conn.close()
                conn = await connect(spec.host, spec.port, spec.timeout)
            answer = await asyncio.wait_for(conn.exchange(raw, no_body=False), spec.timeout)
            status = answer.status_code
            etag = answer.headers.get("etag", "").encode() or etag
        except (OSError, HTTPError, TimeoutError) as exc:
            outcome, status = type(exc).__name__, 0
            if conn is not None:
                conn.close()
            conn = None
        now = time.perf_counter()
        if outcome is not None:
            await asyncio.sleep(0.01)  # a refused connection must not spin
        else:
            result.answered += 1
        if sent < record_from:
            continue
        if outcome is not None:
            _count(result.failures, outcome)
            continue
        _count(result.statuses, str(status))
        if 200 <= status < 300:
            result.latencies.append(now - sent)
    if conn is not None:
        conn.close()


async def _run(spec: LoadSpec) -> LoadResult:
    result = LoadResult(elapsed=0.0)
    start = time.perf_counter()
    await asyncio.gather(*(_connection(spec, conn, start, result) for conn in spec.connections))
    result.elapsed = max(time.perf_counter() - start - spec.warmup, 1e-9)
    return result


def run_load(spec: LoadSpec) -> LoadResult:
    """Run ``spec`` in this process (the benchmark calls it through a child process: see ``__main__``)."""
    if not ipaddress.ip_address(spec.host).is_loopback:
        raise ValueError(f"the load generator only targets loopback addresses, not {spec.host}")
    return run_loop(_run(spec))


if __name__ == "__main__":
    raise SystemExit(child_main(LoadSpec, run_load))
