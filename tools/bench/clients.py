"""HTTP client micro-benchmark: :mod:`shared.http`'s pool against aiohttp's ``ClientSession``.

Both clients send the same POSTs (the gateway's headers, a JSON body) to the same upstream, a Litestar app
under uvicorn (:mod:`tools.bench.upstream`, its own process on loopback), one caller after another and
many callers at once, with keep-alive connections and the same limit on them (the gateway's
``upstream_max_connections``). Each run is a child process (``python -m tools.bench.clients``, a
:class:`ClientSpec` on standard input, a :class:`ClientRun` on standard output) on uvloop, as the gateway
runs, that sends unmeasured warm-up requests first and then times the measured ones: wall time and its
own CPU time. The clients take turns within each round, first one then the other, so a burst of load from
something else on the machine falls on both alike; the report keeps every round and their medians.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Literal

import msgspec

from shared.http import ConnectionPool
from tools.bench.child import child_main, in_child, run_loop
from tools.bench.report import ClientRow
from tools.bench.upstream import ANSWER, PATH
from tools.embedded import free_port, wait_for_port

__all__ = ["ClientOptions", "ClientRun", "ClientSpec", "compare", "run_client"]

Client = Literal["shared.http", "aiohttp"]
CLIENTS: tuple[Client, ...] = ("shared.http", "aiohttp")
BODY = msgspec.json.encode({"skills": {f"skill-{i}": i % 5 for i in range(24)}, "limit": 20})
HEADERS = {  # what the gateway sends: the body's type, the service credential, the request id
    "content-type": "application/json",
    "x-service-token": "bench-service-token",
    "x-request-id": "0123456789abcdef",
}
TIMEOUT = 10.0


class ClientSpec(msgspec.Struct, kw_only=True, frozen=True):
    client: Client
    host: str
    port: int
    requests: int
    callers: int
    pool: int
    warmup: int = 300


class ClientRun(msgspec.Struct, kw_only=True, frozen=True):
    """The measured requests' wall time and the child process's CPU time meanwhile (seconds)."""

    seconds: float
    cpu_seconds: float
    errors: int


class ClientOptions(msgspec.Struct, kw_only=True, frozen=True):
    requests: int = 5000  # per client, number of callers and round
    rounds: int = 3
    callers: tuple[int, ...] = (1, 32)
    pool: int = 0  # 0: the gateway's upstream_max_connections default


Send = Callable[[], Awaitable[int]]


async def _drive(send: Send, requests: int, callers: int) -> int:
    """Send ``requests`` requests from ``callers`` tasks, each sending its next as soon as its last is
    answered; the number of answers other than 200 with the upstream's document."""
    left, errors = requests, 0

    async def caller() -> None:
        nonlocal left, errors
        while left > 0:
            left -= 1
            if await send() != 200:
                errors += 1

    await asyncio.gather(*(caller() for _ in range(callers)))
    return errors


async def _measure(spec: ClientSpec, send: Send) -> ClientRun:
    await _drive(send, spec.warmup, spec.callers)
    wall, cpu = time.perf_counter(), time.process_time()
    errors = await _drive(send, spec.requests, spec.callers)
    return ClientRun(seconds=time.perf_counter() - wall, cpu_seconds=time.process_time() - cpu, errors=errors)


async def _ours(spec: ClientSpec) -> ClientRun:
    pool = ConnectionPool(spec.host, spec.port, max_connections=spec.pool)
    headers = list(HEADERS.items())

    async def send() -> int:
        answer = await pool.request("POST", PATH, headers=headers, body=BODY, timeout=TIMEOUT)
        return answer.status_code if answer.content == ANSWER else -1

    try:
        return await _measure(spec, send)
    finally:
        await pool.aclose()


async def _aiohttp(spec: ClientSpec) -> ClientRun:
    import aiohttp

    url = f"http://{spec.host}:{spec.port}{PATH}"
    connector = aiohttp.TCPConnector(limit=spec.pool)
    timeout = aiohttp.ClientTimeout(total=TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def send() -> int:
            async with session.post(url, data=BODY, headers=HEADERS) as answer:
                return answer.status if await answer.read() == ANSWER else -1

        return await _measure(spec, send)


def run_client(spec: ClientSpec) -> ClientRun:
    """Run ``spec`` in this process (``compare`` runs it in a child process: see ``__main__``)."""
    return run_loop((_ours if spec.client == "shared.http" else _aiohttp)(spec))


def _child(spec: ClientSpec) -> ClientRun:
    timeout = 120 + spec.requests * 0.01
    return in_child("tools.bench.clients", spec, ClientRun, timeout, f"the {spec.client} run")


def _default_pool() -> int:
    from services.gateway.settings import GatewaySettings

    field = next(f for f in msgspec.structs.fields(GatewaySettings) if f.name == "upstream_max_connections")
    return int(field.default)


def _label(client: Client) -> str:
    if client == "aiohttp":
        import aiohttp

        return f"aiohttp {aiohttp.__version__}"
    return client


def compare(options: ClientOptions) -> list[ClientRow]:
    """Start the upstream, run every client at every number of callers ``rounds`` times, stop it."""
    pool = options.pool or _default_pool()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "tools.bench.upstream:create_app"]
        + ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    runs: dict[tuple[Client, int], list[ClientRun]] = {(c, n): [] for c in CLIENTS for n in options.callers}
    try:
        wait_for_port(port, 30, server)
        for turn in range(options.rounds):
            for callers in options.callers:
                for client in CLIENTS if turn % 2 == 0 else CLIENTS[::-1]:
                    print(
                        f"http client: round {turn + 1}/{options.rounds}, {client}, {callers} callers, "
                        f"{options.requests:,} requests ...",
                        file=sys.stderr,
                        flush=True,
                    )
                    spec = ClientSpec(
                        client=client,
                        host="127.0.0.1",
                        port=port,
                        requests=options.requests,
                        callers=callers,
                        pool=pool,
                    )
                    runs[client, callers].append(_child(spec))
    finally:
        server.terminate()
        server.wait(10)
    return [
        ClientRow(
            client=_label(client),
            callers=callers,
            pool=pool,
            requests=options.requests,
            errors=sum(r.errors for r in done),
            rounds=[(options.requests / r.seconds, r.cpu_seconds * 1000 / options.requests) for r in done],
        )
        for callers in options.callers
        for client in CLIENTS
        if (done := runs[client, callers])
    ]


if __name__ == "__main__":
    raise SystemExit(child_main(ClientSpec, run_client))
