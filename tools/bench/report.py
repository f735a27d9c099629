"""Figures from load results: percentiles, the table, the targets, and the README's Benchmark section.

Pure functions over plain data (no I/O, no clocks), so the unit tests can check them exactly.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Sequence

import msgspec
import numpy as np

__all__ = [
    "ClientRow",
    "Machine",
    "Report",
    "Row",
    "Target",
    "WrkFigures",
    "check_targets",
    "client_pairs",
    "percentile",
    "render",
    "replace_section",
    "summarise",
]

MB = 1024 * 1024
RSS_LIMIT = 200 * MB


class WrkFigures(msgspec.Struct, kw_only=True):
    """One wrk run: answers (any status) in ``seconds``, latency percentiles (ms), failures."""

    requests: int
    seconds: float
    p50: float
    p99: float
    errors: int  # socket errors and timeouts
    non_2xx: int

    @property
    def throughput(self) -> float:
        """Answered requests per second, the refused ones (non-2xx) left out."""
        good = self.requests - self.non_2xx
        return good / self.seconds if self.seconds > 0 else 0.0


class Row(msgspec.Struct, kw_only=True):
    """One scenario's figures: latencies in milliseconds; ``items`` per request (e.g. 1,000 candidates)."""

    name: str
    endpoint: str
    connections: int
    requests: int
    errors: int
    seconds: float
    p50: float
    p95: float
    p99: float
    items: int = 1
    item_unit: str = ""
    note: str = ""
    cpu: dict[str, float] = {}  # process -> CPU milliseconds per request
    wrk: WrkFigures | None = None  # the same scenario run with wrk, when it was

    @property
    def throughput(self) -> float:
        """Successful requests per second."""
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def item_rate(self) -> float:
        return self.throughput * self.items


class ClientRow(msgspec.Struct, kw_only=True):
    """One HTTP client at one number of concurrent callers: (requests/s, client CPU ms per request) of
    each round of ``requests`` requests, with at most ``pool`` connections."""

    client: str
    callers: int
    pool: int
    requests: int
    errors: int
    rounds: list[tuple[float, float]]

    @property
    def throughput(self) -> float:
        return statistics.median(r[0] for r in self.rounds) if self.rounds else 0.0

    @property
    def cpu_ms(self) -> float:
        return statistics.median(r[1] for r in self.rounds) if self.rounds else math.nan


class Machine(msgspec.Struct, kw_only=True):
    cpu: str
    cores: int
    python: str
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]


class Target(msgspec.Struct, kw_only=True):
    what: str
    measured: str
    met: bool | None  # None: not measured in this run


class Report(msgspec.Struct, kw_only=True):
    machine: Machine
    rows: list[Row]
    memory: dict[str, int] = {}  # process name -> resident bytes
    clients: list[ClientRow] = []
    targets: list[Target] = []
    notes: list[str] = []


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) by ``numpy.percentile`` (linear interpolation); NaN when empty."""
    if not values:
        return math.nan
    return float(np.percentile(values, q))  # ValueError outside 0..100


def summarise(
    name: str,
    endpoint: str,
    connections: int,
    latencies: Sequence[float],
    errors: int,
    seconds: float,
    items: int = 1,
    item_unit: str = "",
    note: str = "",
    cpu: dict[str, float] | None = None,
) -> Row:
    """A Row from successful-request latencies (seconds) over a measured period of ``seconds``."""
    ms = [v * 1000 for v in latencies]
    return Row(
        name=name,
        endpoint=endpoint,
        connections=connections,
        requests=len(ms),
        errors=errors,
        seconds=seconds,
        p50=percentile(ms, 50),
        p95=percentile(ms, 95),
        p99=percentile(ms, 99),
        items=items,
        item_unit=item_unit,
        note=note,
        cpu=cpu or {},
    )


def _row(rows: Sequence[Row], name: str) -> Row | None:
    return next((r for r in rows if r.name == name), None)


HELLO = "hello world"
FLOOR = "two-hop floor"  # tools/bench/relay.py: the path with no work; said beside a target, never judged
RECOMMEND_RATIO, RECOMMEND_P99, PROFILE_RATIO, BATCH_RATE = 0.20, 30.0, 0.30, 50_000


def _ratio_target(rows: Sequence[Row], name: str, floor: float) -> Target:
    """``name``'s requests/s at least ``floor`` times the hello world's in the same run (wrk's ratio also
    said when both ran with it; the verdict is the load generator's)."""
    what = f"{name} >= {floor:.2f}x hello world"
    base, row = _row(rows, HELLO), _row(rows, name)
    if not (base and row and base.throughput > 0):
        return Target(what=what, measured="not measured", met=None)
    ratio = row.throughput / base.throughput
    measured = f"{ratio:.2f}x ({row.throughput:,.0f} vs {base.throughput:,.0f} req/s)"
    if base.wrk and row.wrk and base.wrk.throughput > 0:
        measured += f"; wrk {row.wrk.throughput / base.wrk.throughput:.2f}x"
    no_work = _row(rows, FLOOR)
    if no_work and no_work.throughput > 0:
        measured += f"; the two-hop floor, no work: {no_work.throughput / base.throughput:.2f}x"
    return Target(what=what, measured=measured, met=ratio >= floor and row.errors == 0)


def _p99_target(rows: Sequence[Row], name: str, target_connections: int) -> Target:
    what = f"{name} p99 <= {RECOMMEND_P99:.0f} ms at {target_connections} connections"
    row = _row(rows, name)
    if not (row and row.requests):
        return Target(what=what, measured="not measured", met=None)
    measured = f"{row.p99:.1f} ms at {row.connections} connections"
    if row.wrk:
        measured += f"; wrk {row.wrk.p99:.1f} ms"
    no_work = _row(rows, FLOOR)
    if no_work and no_work.requests and no_work.connections == row.connections:
        measured += f"; the two-hop floor, no work: {no_work.p99:.1f} ms"
    met = (row.p99 <= RECOMMEND_P99 and row.errors == 0) if row.connections == target_connections else None
    return Target(what=what, measured=measured, met=met)


def check_targets(
    rows: Sequence[Row],
    memory: dict[str, int],
    target_connections: int = 32,
    clients: Sequence[ClientRow] = (),
) -> list[Target]:
    """The issue's targets, each measured or marked not measured (``met`` None)."""
    out: list[Target] = []
    for name in ("recommend", "recommend (user)"):
        out.append(_ratio_target(rows, name, RECOMMEND_RATIO))
        out.append(_p99_target(rows, name, target_connections))
    out.append(_ratio_target(rows, "profile read", PROFILE_RATIO))
    for name in ("batch", "batch (figures only)"):
        batch = _row(rows, name)
        out.append(
            Target(
                what=f"{name} >= {BATCH_RATE:,} candidates/s",
                measured=f"{batch.item_rate:,.0f} candidates/s"
                if batch and batch.requests
                else "not measured",
                met=(batch.item_rate >= BATCH_RATE and batch.errors == 0)
                if batch and batch.requests
                else None,
            )
        )
    refresh = _row(rows, "refresh")
    done = refresh is not None and refresh.requests > 0
    full = done and refresh is not None and refresh.items >= 100_000
    out.append(
        Target(
            what="100,000-posting refresh < 20 s",
            measured=f"{refresh.p50 / 1000:.1f} s for {refresh.items:,} postings"
            if done and refresh
            else "not measured",
            met=(refresh.p50 < 20_000 and refresh.errors == 0) if full and refresh else None,
        )
    )
    for name, rss in memory.items():
        out.append(
            Target(
                what=f"{name} resident memory < 200 MB", measured=f"{rss / MB:.0f} MB", met=rss < RSS_LIMIT
            )
        )
    if not memory:
        out.append(Target(what="each service's resident memory < 200 MB", measured="not measured", met=None))
    pairs = client_pairs(clients)
    out.append(
        Target(
            what="shared.http costs the gateway less CPU per request than aiohttp",
            measured="; ".join(
                f"{ours.cpu_ms / other.cpu_ms:.2f}x aiohttp's at {ours.callers} "
                f"caller{'s' if ours.callers > 1 else ''}"
                for ours, other in pairs
            )
            or "not measured",
            met=all(ours.cpu_ms < other.cpu_ms and not ours.errors for ours, other in pairs)
            if pairs
            else None,
        )
    )
    return out


def client_pairs(clients: Sequence[ClientRow]) -> list[tuple[ClientRow, ClientRow]]:
    """(shared.http, aiohttp) rows at the same number of callers."""
    ours = {r.callers: r for r in clients if r.client == "shared.http"}
    return [(ours[r.callers], r) for r in clients if r.client.startswith("aiohttp") and r.callers in ours]


def _ms(value: float) -> str:
    if math.isnan(value):
        return "—"
    return f"{value:,.0f}" if value >= 1000 else f"{value:.1f}"


def _rate(row: Row) -> str:
    if row.items > 1 and row.item_unit:
        return f"{row.throughput:,.1f} ({row.item_rate:,.0f} {row.item_unit}/s)"
    return f"{row.throughput:,.0f}"


def render(report: Report) -> str:
    """The report as Markdown: machine, the table, memory, targets."""
    m = report.machine
    lines = [
        f"Machine: {m.cpu}, {m.cores} cores, Python {m.python}; load average "
        f"{m.load_before[0]:.2f} before, {m.load_after[0]:.2f} after (1-minute).",
    ]
    if report.rows:
        lines += [
            "",
            "| scenario | endpoint | conns | requests | errors | throughput /s "
            "| p50 ms | p95 ms | p99 ms | x hello world |",
            "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
        ]
    base = _row(report.rows, HELLO)
    for row in report.rows:
        ratio = (
            f"{row.throughput / base.throughput:.2f}" if base and base.throughput and row.items == 1 else ""
        )
        lines.append(
            f"| {row.name} | `{row.endpoint}` | {row.connections} | {row.requests:,} | {row.errors:,} | "
            f"{_rate(row)} | {_ms(row.p50)} | {_ms(row.p95)} | {_ms(row.p99)} | {ratio} |"
        )
    lines += _wrk_table(report.rows)
    lines += _cpu_table(report.rows)
    lines += _client_table(report.clients)
    if report.memory:
        lines += [
            "",
            "Resident memory after the load: "
            + ", ".join(f"{name} {rss / MB:.0f} MB" for name, rss in report.memory.items())
            + ".",
        ]
    if report.targets:
        lines += ["", "| target | measured | met |", "|---|---|---|"]
        for t in report.targets:
            verdict = "not measured" if t.met is None else ("yes" if t.met else "**no**")
            lines.append(f"| {t.what} | {t.measured} | {verdict} |")
    lines += [f"\n{note}" for note in report.notes]
    return "\n".join(lines) + "\n"


def _wrk_table(rows: Sequence[Row]) -> list[str]:
    """The same scenarios run with wrk (-t1, as many connections): the outside check."""
    measured = [row for row in rows if row.wrk is not None]
    if not measured:
        return []
    base = _row(rows, HELLO)
    floor = base.wrk.throughput if base and base.wrk else 0.0
    lines = [
        "",
        "The same scenarios with wrk (`-t1`, the same connections and requests, a Lua script for bodies "
        "and headers), run right after each:",
        "",
        "| scenario | wrk requests/s | x hello world | p50 ms | p99 ms | non-2xx | socket errors |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for row in measured:
        w = row.wrk
        assert w is not None
        ratio = f"{w.throughput / floor:.2f}" if floor and row.items == 1 else ""
        rate = f"{w.throughput:,.1f}" if row.items > 1 else f"{w.throughput:,.0f}"
        lines.append(
            f"| {row.name} | {rate} | {ratio} | {_ms(w.p50)} | {_ms(w.p99)} | {w.non_2xx:,} | {w.errors:,} |"
        )
    return lines


def _client_table(clients: Sequence[ClientRow]) -> list[str]:
    """The gateway's HTTP client against aiohttp: the same requests to the same upstream."""
    if not clients:
        return []
    first = clients[0]
    rounds = f"{len(first.rounds)} round{'s' if len(first.rounds) > 1 else ''}"
    lines = [
        "",
        "HTTP client (the gateway's pool to the services): `shared.http` against aiohttp, "
        f"{first.requests:,} POSTs per run (2 KB JSON answers) to a Litestar app under uvicorn on loopback, "
        f"keep-alive, at most {first.pool} connections; median of {rounds}, then every round's "
        "(requests/s, CPU ms per request) in the client process. With many callers the upstream (one "
        "process) sets the pace; the client's CPU per request is what compares them:",
        "",
        "| client | callers | requests/s | client CPU ms/request | errors | rounds |",
        "|---|--:|--:|--:|--:|---|",
    ]
    for row in clients:
        each = ", ".join(f"{rate:,.0f} / {cpu:.3f}" for rate, cpu in row.rounds)
        lines.append(
            f"| {row.client} | {row.callers} | {row.throughput:,.0f} | {row.cpu_ms:.3f} | {row.errors:,} "
            f"| {each} |"
        )
    for ours, other in client_pairs(clients):
        lines.append(
            f"\nAt {ours.callers} caller{'s' if ours.callers > 1 else ''}, `shared.http` makes "
            f"{ours.throughput / other.throughput:.2f}x aiohttp's requests/s for "
            f"{ours.cpu_ms / other.cpu_ms:.2f}x its CPU per request."
        )
    return lines


_CPU_ORDER = (
    "hello world",
    "gateway",
    "profile",
    "recommender",
    "worker",
    "beat",
    "postgres",
    "redis",
    "load generator",
)


def _cpu_table(rows: Sequence[Row]) -> list[str]:
    """CPU milliseconds per request by process: what a request costs, however busy the machine was."""
    seen = {name for row in rows for name in row.cpu}
    names = [n for n in _CPU_ORDER if n in seen] + sorted(seen - set(_CPU_ORDER))
    if not names:
        return []
    lines = [
        "",
        "CPU time per request, ms (all the machine's work for one request, by process):",
        "",
        "| scenario | " + " | ".join(names) + " | total |",
        "|---|" + "--:|" * (len(names) + 1),
    ]
    for row in rows:
        if row.cpu:
            cells = [f"{row.cpu[n]:.2f}" if n in row.cpu else "" for n in names]
            lines.append(f"| {row.name} | " + " | ".join(cells) + f" | {sum(row.cpu.values()):.2f} |")
    return lines


_HEADING = re.compile(r"^## (.+?)\s*$", re.MULTILINE)
_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def replace_section(text: str, title: str, body: str) -> str:
    """``text`` with the ``## title`` section's body replaced by ``body`` (appended when there is none).

    When the text has :data:`START` and :data:`END` markers, only what lies between them is replaced, so
    prose written around the figures stays.
    """
    start, end = text.find(START), text.find(END)
    if 0 <= start < end:
        return text[: start + len(START)] + "\n" + body.strip() + "\n" + text[end:]
    section = f"## {title}\n\n{START}\n{body.strip()}\n{END}\n"
    fences = [f.span() for f in _FENCE.finditer(text)]
    headings = [h for h in _HEADING.finditer(text) if not any(a <= h.start() < b for a, b in fences)]
    for i, heading in enumerate(headings):
        if heading.group(1) == title:
            end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
            tail = text[end:]
            return text[: heading.start()] + section + ("\n" + tail if tail else "")
    return text.rstrip("\n") + "\n\n" + section
