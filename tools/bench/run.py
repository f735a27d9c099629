"""``careerpath bench``: start the system (or use ``--url``), run each scenario's load in a child process,
time a refresh of a large postings file, read the services' memory; then, with the system stopped,
compare the gateway's HTTP client with aiohttp (``http client``, 30-40 s on two busy cores; no system needed
when it is the only scenario) and time the refresh's aggregation by 1, 2 and 4 worker processes
(``refresh workers``, :mod:`tools.bench.refresh_workers`); print and save the table."""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import resource
import sys
from collections.abc import Iterator
from pathlib import Path

import msgspec

from tools.bench.child import in_child
from tools.bench.clients import ClientOptions, compare
from tools.bench.load import LoadResult, LoadSpec
from tools.bench.relay import relay_floor
from tools.bench.report import Machine, Report, Row, check_targets, render, replace_section, summarise
from tools.bench.scenarios import Callers, Options, floor_spec, hello_spec, prepare, refresh_once, specs
from tools.bench.system import System, cpu_seconds, hello_world, resident_memory, started_system
from tools.bench.wrk import run_wrk, wrk_path

__all__ = ["main"]

SCENARIOS = (
    "hello world",
    "two-hop floor",
    "healthz",
    "recommend",
    "recommend (no plan)",
    "recommend (user)",
    "profile read",
    "profile update",
    "batch",
    "batch (figures only)",
    "refresh",
    "http client",
    "refresh workers",
)
SYSTEMLESS = ("http client", "refresh workers")  # measured with the system stopped


def _parser() -> argparse.ArgumentParser:
    client = ClientOptions()
    p = argparse.ArgumentParser(prog="careerpath bench", description=__doc__)
    p.add_argument("--url", help="benchmark a running gateway instead of starting the system")
    p.add_argument(
        "--admin-email", help="with --url: an admin account (password in CAREERPATH_ADMIN_PASSWORD)"
    )
    p.add_argument("--database-url", help="with --url: create an admin there with `careerpath create-admin`")
    p.add_argument(
        "--sources-dir", type=Path, help="with --url: a folder the worker reads file: sources from"
    )
    p.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    p.add_argument("--duration", type=float, default=10.0, help="seconds measured per scenario (default 10)")
    p.add_argument("--warmup", type=float, default=1.0, help="seconds of unmeasured load first (default 1)")
    p.add_argument("--batch-size", type=int, default=1000, help="candidates per batch request (default 1000)")
    p.add_argument("--batch-connections", type=int, default=4, help="connections for the batch (default 4)")
    p.add_argument(
        "--postings", type=int, default=100_000, help="postings in the refresh file (default 100000)"
    )
    p.add_argument(
        "--client-requests",
        type=int,
        default=client.requests,
        help=f"http client: requests per client and run (default {client.requests})",
    )
    p.add_argument(
        "--client-rounds",
        type=int,
        default=client.rounds,
        help=f"http client: rounds, each client in turn (default {client.rounds})",
    )
    p.add_argument("--only", help=f"comma-separated scenarios among: {', '.join(SCENARIOS)}")
    p.add_argument(
        "--output", type=Path, default=Path("var/bench/latest.md"), help="where to write the table"
    )
    p.add_argument(
        "--readme", type=Path, help="also replace this file's '## Benchmark' section with the table"
    )
    p.add_argument("--logs", type=Path, help="keep the started services' logs in this folder")
    p.add_argument("--no-wrk", action="store_true", help="do not also run the scenarios with wrk")
    return p


def machine(load: tuple[float, float, float]) -> Machine:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return Machine(
        cpu=cpu,
        cores=os.cpu_count() or 1,
        python=platform.python_version(),
        load_before=load,
        load_after=load,
    )


def run_child(spec: LoadSpec) -> LoadResult:
    """Run the load generator in its own process (it must not share a CPU-bound loop with us)."""
    timeout = spec.warmup + spec.duration + spec.timeout + 60
    return in_child("tools.bench.load", spec, LoadResult, timeout, "the load generator")


def _measured(system: System, spec: LoadSpec) -> tuple[LoadResult, dict[str, float]]:
    """Run the load; also the CPU milliseconds each process spent per answered request meanwhile."""
    pids = {**system.pids, **system.infra_pids}
    before, child_before = cpu_seconds(pids), _children_cpu()
    result = run_child(spec)
    after, child_after = cpu_seconds(pids), _children_cpu()
    per = 1000 / max(result.answered, 1)
    cpu = {name: (after[name] - before[name]) * per for name in pids if after[name] > before[name]}
    if pids:
        cpu["load generator"] = (child_after - child_before) * per
    return result, cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _errors(result: LoadResult) -> int:
    bad = sum(n for status, n in result.statuses.items() if not status.startswith("2"))
    return bad + sum(result.failures.values())


def _note(result: LoadResult) -> str:
    odd = {**{k: v for k, v in result.statuses.items() if not k.startswith("2")}, **result.failures}
    return ", ".join(f"{k}: {v}" for k, v in sorted(odd.items()))


@contextlib.contextmanager
def _system(args: argparse.Namespace) -> Iterator[System]:
    if args.url:
        yield System(url=args.url.rstrip("/"), database_url=args.database_url, sources_dir=args.sources_dir)
        return
    print(
        "starting the system (embedded PostgreSQL/Redis unless DATABASE_URL/REDIS_URL are set) ...",
        file=sys.stderr,
        flush=True,
    )
    with started_system(args.logs) as system:
        yield system


def _refresh(system: System, callers: Callers, postings: int) -> Row:
    from services.worker.sources.synthetic import generate_postings

    name = f"bench-postings-{postings}.jsonl"
    assert system.sources_dir is not None and callers.admin is not None
    generate_postings(system.sources_dir / name, count=postings, seed=7, bad_ratio=0.01)
    pids = {**system.pids, **system.infra_pids}
    before = cpu_seconds(pids)
    seconds, run = refresh_once(callers.admin, f"file:{name}")
    after = cpu_seconds(pids)
    ok = run["status"] == "succeeded"
    note = (
        f"{run['records_accepted']:,} accepted, {run['records_rejected']:,} rejected; "
        f"run {run.get('duration_ms') or 0:,} ms in the worker"
        if ok
        else f"failed: {run.get('error')}"
    )
    return summarise(
        "refresh",
        f"POST /api/v1/admin/market/refresh (file, {postings:,} postings)",
        1,
        [seconds] if ok else [],
        0 if ok else 1,
        seconds,
        items=postings,
        item_unit="postings",
        note=note,
        cpu={n: (after[n] - before[n]) * 1000 for n in pids if after[n] > before[n]},
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    chosen = [s.strip() for s in args.only.split(",")] if args.only else list(SCENARIOS)
    if unknown := [s for s in chosen if s not in SCENARIOS]:
        print(f"careerpath bench: unknown scenarios {unknown}; choose among {SCENARIOS}", file=sys.stderr)
        return 2
    options = Options(
        connections=args.connections,
        duration=args.duration,
        warmup=args.warmup,
        batch_size=args.batch_size,
        batch_connections=args.batch_connections,
    )
    report = Report(machine=machine(os.getloadavg()), rows=[])
    if any(name not in SYSTEMLESS for name in chosen):
        _system_scenarios(args, chosen, options, report)
    workers_table = ""
    if "refresh workers" in chosen:
        from tools.bench.refresh_workers import CHUNK_BYTES
        from tools.bench.refresh_workers import run as refresh_workers

        workers_table = refresh_workers(args.postings, (1, 2, 4), CHUNK_BYTES, args.output.parent)
    if "http client" in chosen:
        client_options = ClientOptions(requests=args.client_requests, rounds=args.client_rounds)
        report.clients = compare(client_options)
    report.machine.load_after = os.getloadavg()
    report.targets = check_targets(report.rows, report.memory, target_connections=32, clients=report.clients)
    report.notes += [f"{r.name}: {r.note}" for r in report.rows if r.note]
    text = render(report) + (f"\n{workers_table}" if workers_table else "")
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    args.output.with_suffix(".json").write_bytes(msgspec.json.format(msgspec.json.encode(report)))
    if args.readme:
        args.readme.write_text(replace_section(args.readme.read_text(), "Benchmark", text))
    return 0


def _system_scenarios(args: argparse.Namespace, chosen: list[str], options: Options, report: Report) -> None:
    """Start (or reach) the system and the hello world, run the chosen load scenarios (each also with wrk
    when it is installed) and the refresh, read the memory."""
    admin = (args.admin_email, os.environ.get("CAREERPATH_ADMIN_PASSWORD", "")) if args.admin_email else None
    wrk = None if args.no_wrk else wrk_path()
    if wrk is None:
        report.notes.append("wrk not run: " + ("--no-wrk" if args.no_wrk else "not installed (Debian: wrk)"))
    with _system(args) as system, hello_world() as (hello_port, hello_pid), contextlib.ExitStack() as extra:
        system.pids["hello world"] = hello_pid
        callers = prepare(system.url, options, system.database_url, admin)
        host, port = system.host_port
        plans = {"hello world": ("GET /hello (Litestar + msgspec)", hello_spec(options, host, hello_port))}
        if "two-hop floor" in chosen:
            floor_port, floor_pids = extra.enter_context(relay_floor())
            system.pids.update(floor_pids)
            plans["two-hop floor"] = (
                "POST /relay: a Redis call and a hop to a second app, no work (tools.bench.relay)",
                floor_spec(options, "127.0.0.1", floor_port),
            )
        plans.update(specs(callers, options, host, port))
        for name, (endpoint, spec) in plans.items():
            if name not in chosen:
                continue
            print(
                f"{name}: {endpoint}, {len(spec.connections)} connections, {spec.duration:.0f}s ...",
                file=sys.stderr,
                flush=True,
            )
            result, cpu = _measured(system, spec)
            row = summarise(
                name,
                endpoint,
                len(spec.connections),
                result.latencies,
                _errors(result),
                result.elapsed,
                items=options.batch_size if name.startswith("batch") else 1,
                item_unit="candidates" if name.startswith("batch") else "",
                note=_note(result),
                cpu=cpu,
            )
            if wrk is not None:
                print(f"{name}: wrk -t1 -c{len(spec.connections)} ...", file=sys.stderr, flush=True)
                row.wrk = run_wrk(spec, wrk)
            report.rows.append(row)
        if "refresh" in chosen:
            if system.sources_dir is None or callers.admin is None:
                report.notes.append("refresh not measured: needs an admin and --sources-dir with --url")
            else:
                print(f"refresh: {args.postings:,} postings ...", file=sys.stderr, flush=True)
                report.rows.append(_refresh(system, callers, args.postings))
        report.memory = resident_memory(
            {k: v for k, v in system.pids.items() if k != "hello world" and not k.startswith("floor ")}
        )
        if callers.admin is not None:
            callers.admin.close()
