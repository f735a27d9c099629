"""The HTTP client comparison: its figures (tools/bench/report.py) and its request driver (clients.py)."""

from __future__ import annotations

import asyncio

from tools.bench.clients import _drive
from tools.bench.report import ClientRow, Machine, Report, check_targets, render


def _client(name: str, callers: int, rounds: list[tuple[float, float]], errors: int = 0) -> ClientRow:
    return ClientRow(client=name, callers=callers, pool=100, requests=5000, errors=errors, rounds=rounds)


def _report(clients: list[ClientRow]) -> Report:
    machine = Machine(cpu="c", cores=2, python="3", load_before=(0, 0, 0), load_after=(0, 0, 0))
    return Report(machine=machine, rows=[], clients=clients)


CLIENTS = [
    _client("shared.http", 1, [(2000, 0.09), (1000, 0.30), (1800, 0.08)]),
    _client("aiohttp 3.14.5", 1, [(1000, 0.20), (900, 0.19), (1100, 0.21)]),
    _client("shared.http", 32, [(4000, 0.05)]),
    _client("aiohttp 3.14.5", 32, [(2000, 0.10)]),
]


def test_client_rows_take_the_median_round() -> None:
    assert (CLIENTS[0].throughput, CLIENTS[0].cpu_ms) == (1800, 0.09)


def test_render_client_table_and_ratios() -> None:
    text = render(_report(CLIENTS))
    assert "| scenario |" not in text  # no system scenario was run
    assert "| shared.http | 1 | 1,800 | 0.090 | 0 | 2,000 / 0.090, 1,000 / 0.300, 1,800 / 0.080 |" in text
    assert "| aiohttp 3.14.5 | 32 | 2,000 | 0.100 | 0 | 2,000 / 0.100 |" in text
    assert (
        "At 1 caller, `shared.http` makes 1.80x aiohttp's requests/s for 0.45x its CPU per request." in text
    )
    assert (
        "At 32 callers, `shared.http` makes 2.00x aiohttp's requests/s for 0.50x its CPU per request." in text
    )


def test_client_target() -> None:
    what = "shared.http costs the gateway less CPU per request than aiohttp"
    (target,) = [t for t in check_targets([], {}, clients=CLIENTS) if t.what == what]
    assert (
        target.met is True and target.measured == "0.45x aiohttp's at 1 caller; 0.50x aiohttp's at 32 callers"
    )
    slower = [*CLIENTS[:3], _client("aiohttp 3.14.5", 32, [(2000, 0.04)])]
    assert [t.met for t in check_targets([], {}, clients=slower) if t.what == what] == [False]
    assert [t.met for t in check_targets([], {}) if t.what == what] == [None]


async def test_drive_sends_each_request_once_with_that_many_callers() -> None:
    sent, busy, most = 0, 0, 0

    async def send() -> int:
        nonlocal sent, busy, most
        sent += 1
        number = sent
        busy += 1
        most = max(most, busy)
        await asyncio.sleep(0)
        busy -= 1
        return 200 if number % 10 else 503

    assert await _drive(send, 100, 8) == 10
    assert (sent, most) == (100, 8)
