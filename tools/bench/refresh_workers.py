"""Refresh throughput by worker processes: ``python -m tools.bench.refresh_workers [--postings N]``.

Aggregates one SYNTHETIC postings file (generated once, kept in ``var/bench/``) with 1, 2 and 4 worker
processes and prints postings/s, the scaling against one process, the CPU per posting and each process's
peak resident memory, with the machine's core count and load. The processes run the chunked refresh's
own code (:mod:`services.worker.chunks`): one coordinator that cuts the file and works through the chunks
(``collect``), the others taking chunks from the same Redis claims the ``market.refresh_chunk`` tasks use;
chunks reach them through a Redis list instead of Celery's queue (one message per chunk either way), and
nothing is published (no run, no profile service). Redis is started here (an embedded server). Under the
table: the skill matcher alone (:mod:`tools.bench.matcher`).

Issue 17, refresh throughput (100,000 postings, 4 MB chunks, 2 cores at load 4-7, three rounds
alternating the code before (b6cb42e) and after (059d76c) on the same file): CPU per posting 232-289 ->
76-110 µs (x3.0-3.1 round by round); one process 1,118-2,711 -> 6,315-8,087 postings/s, two 1,647-2,793
-> 6,202-7,798, four 1,707-2,254 -> 4,648-9,723; peak 64-68 MB a process either way. The skill matcher
went from ~70 % to ~65 % of a posting's CPU (``match`` x4); JSON decoding ~1.5 µs, checking a record
~3-5 µs, the aggregation's counters ~5 µs. The 40,000 postings/s a process target (25 µs) is not met.

Second round (100,000 postings, the processes forked after the worker's imports and matchers, three
rounds alternating the code before (4cfcbe2) and after, load 3.7-6.0 on 2 cores, so wall-clock rates
swing 2x between runs): CPU per posting, one process 38.6-42.0 -> 32.8-37.4 µs, two 42.6-49.2 ->
37.5-45.1, four 42.2-52.7 -> 35.7-42.0; instructions per posting (valgrind, ``read_range`` over 5,000
postings, imports subtracted) 372,500 -> 299,400 (-20 %); peak ~55 MB a process either way. The matcher
is ~25 of the ~30 µs a posting takes on a quiet core; the rest (JSON 1.5, checking 2.2, counting ~1.5 µs)
was 7.3 µs. 40,000 postings/s a process (25 µs) is still missed: the best one-process run read 29,435/s.

Third round (SQL/HTTP's stand-alone test in one loop, compound tokens found with ``filterfalse``, a fast
path for the usual record): instructions per posting (valgrind, as above) 304,600 -> 279,100 (-8.4 %;
the matcher 239,900 -> 235,900, checking a record 24,800 -> 15,000); one process, 100,000 postings, three
rounds alternating with d09d10c at load 1.0-1.2: CPU per posting 31.4-32.8 -> 29.6-29.9 µs, 30,228-31,740
-> 33,229-33,340 postings/s. 40,000 postings/s a process (25 µs) is still missed: the matcher alone is
~23.6 µs a SYNTHETIC posting, of which splitting into tokens (one ``re.split``, ~70,000 of its ~236,000
instructions) and the offsets (~28,000) are a third.

Fourth round (records decoded as a Struct of a posting's fields, no dict; a date's text remembered; the
month's skills counted once; the matcher's sparse loop lighter, see SkillMatcher): instructions per refreshed
SYNTHETIC posting (valgrind, ``read_range`` over 4,000 postings, 1,000 subtracted, ``PYTHONHASHSEED=0``)
216,400 -> 188,200 (-13.0 %); commit by commit: the Struct decode 213,600, the matcher's loop 203,400, a
month's skills counted once 197,900, the date 194,400, the scan's token-end group 192,300, compound matches
added as a list 189,700, an id's repeat by one set add 188,200 (the matcher alone, 2,000 texts: 171,100 ->
153,200). The 40,000 postings/s a process target is 25 µs: 188,200/216,400 of the last quiet 26.3 µs is ~22.9
µs (~43,700/s; ~73,000/s with two at x1.68: 10 M in ~2.3 min), to be confirmed on a quiet machine. CPU per
posting, one process, ``read_range`` over 22,668 postings, best of 4, four runs alternating with c0a3124 at
load 2.6-2.9 (the machine ran ~40 % slower than quiet: other sessions' valgrind): 36.1-45.3 -> 33.5-34.8 µs.
This script at load 2.2-4.1, three rounds alternating: one process 10,376-23,326 -> 12,821-21,085 postings/s,
two 11,106-27,337 -> 14,366-19,692 (wall-clock swings 2x between runs; no conclusion from it); peak 55-59 MB a
process either way. OPENBLAS_NUM_THREADS=1 changes nothing in a worker process: forked after numpy's import it
has one thread either way (numpy's thread pool stays in the parent, idle), the same peak memory (46.9 MB) and
CPU for ``series_trend``; not set.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import multiprocessing as mp
import os
import resource
import time
from pathlib import Path
from typing import Any, cast

import msgspec
import redis

__all__ = ["CHUNK_BYTES", "main", "measure", "run"]

DAY = dt.date(2026, 1, 1)
CHUNK_BYTES = 4_000_000


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _helper(url: str, key: str, out: Any) -> None:
    from services.worker.chunks import ChunkTask, process_chunk

    client = redis.Redis.from_url(url)
    done = 0
    while True:
        item = client.blpop([f"{key}:queue"], timeout=1)
        if item is None:
            if not client.exists(f"{key}:state") and client.exists(f"{key}:over"):
                break
            continue
        done += process_chunk(url, msgspec.msgpack.decode(cast("bytes", item[1]), type=ChunkTask))
    out.put(("helper", os.getpid(), done, _cpu(), _peak_mb()))


def _coordinator(url: str, key: str, path: str, chunk_bytes: int, spool: str, out: Any) -> None:
    from services.worker.aggregate import Aggregator
    from services.worker.chunks import ChunkTask, collect
    from services.worker.sources import Fetched
    from shared.catalog import load_catalog

    client = redis.Redis.from_url(url)

    def dispatch(task: ChunkTask) -> None:
        client.rpush(f"{key}:queue", msgspec.msgpack.encode(task))

    started = time.perf_counter()
    with open(path, "rb") as body:
        fetched = Fetched(body=body, size=os.path.getsize(path), sha256="bench", declared="jsonl", name=path)
        total = collect(
            fetched=fetched,
            redis_url=url,
            key=key,
            spool_dir=Path(spool),
            chunk_bytes=chunk_bytes,
            lease=600,
            today=DAY,
            sample_limit=20,
            aggregator=Aggregator(load_catalog()),
            dispatch=dispatch,
            on_progress=lambda _: None,
            lost=lambda: False,
        )
    elapsed = time.perf_counter() - started
    client.set(f"{key}:over", 1)
    out.put(("coordinator", os.getpid(), total.read, _cpu(), _peak_mb(), elapsed, total.chunks))


def measure(url: str, path: Path, workers: int, chunk_bytes: int, spool: Path) -> dict[str, Any]:
    """One aggregation of ``path`` by ``workers`` processes: its figures. The processes are forked once the
    worker's modules are imported and its matchers built (:func:`services.worker.chunks.preload`), as a
    long-lived worker process has them: CPU per posting is then the refresh's own, without ~0.4 s of
    imports a process (4 µs a posting per process on 100,000 postings, nothing on 10 million)."""
    from services.worker.chunks import preload

    preload()
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    key = f"bench:refresh:{workers}-{time.time_ns()}"
    procs = [ctx.Process(target=_helper, args=(url, key, out)) for _ in range(workers - 1)]
    procs.append(ctx.Process(target=_coordinator, args=(url, key, str(path), chunk_bytes, str(spool), out)))
    for p in procs:
        p.start()
    results = [out.get(timeout=3600) for _ in procs]
    for p in procs:
        p.join(60)
    coordinator = next(r for r in results if r[0] == "coordinator")
    read, elapsed = coordinator[2], coordinator[5]
    cpu = sum(r[3] for r in results)
    return {
        "workers": workers,
        "postings": read,
        "seconds": round(elapsed, 2),
        "per_second": round(read / elapsed),
        "cpu_us_per_posting": round(cpu / read * 1e6, 1),
        "peak_mb": [round(r[4], 1) for r in sorted(results, key=lambda r: r[0])],
        "chunks": coordinator[6],
    }


def run(postings: int, workers: tuple[int, ...], chunk_bytes: int, folder: Path) -> str:
    """Measure each worker count on one file of ``postings``; the Markdown table (also printed as it goes)."""
    from services.worker.sources.synthetic import generate_postings
    from tools.embedded import EmbeddedRedis

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"refresh-{postings}.jsonl"
    if not path.exists():
        print(f"generating {postings:,} SYNTHETIC postings in {path} ...", flush=True)
        generate_postings(path, count=postings, seed=7, bad_ratio=0.01)
    server = EmbeddedRedis().start()
    rows = []
    try:
        for count in workers:
            load = os.getloadavg()
            row = measure(server.url, path, count, chunk_bytes, folder / "spool")
            row["load"] = [round(x, 1) for x in load]
            rows.append(row)
            print(msgspec.json.encode(row).decode(), flush=True)
    finally:
        server.stop()
    one = rows[0]["per_second"] / rows[0]["workers"]
    out = io.StringIO()
    out.write(
        f"Refresh by worker processes: {path.stat().st_size / 1e6:.0f} MB, {rows[0]['postings']:,} "
        f"postings, {chunk_bytes / 1e6:g} MB chunks; {os.cpu_count()} cores\n\n"
    )
    out.write(
        "| workers | postings/s | x one | CPU per posting | peak memory per process (MB) | load before |\n"
    )
    out.write("|---|---|---|---|---|---|\n")
    for r in rows:
        out.write(
            f"| {r['workers']} | {r['per_second']:,} | {r['per_second'] / one:.2f} | "
            f"{r['cpu_us_per_posting']} µs | {', '.join(map(str, r['peak_mb']))} | {r['load'][0]} |\n"
        )
    best = max(r["per_second"] for r in rows)
    out.write(f"\n10,000,000 postings at {best:,}/s: {10_000_000 / best / 60:.1f} minutes (extrapolated)\n")
    from tools.bench.matcher import figures, render

    out.write("\nThe skill matcher alone (CPU µs a posting, best of 5 passes, one process):\n\n")
    out.write(render(figures()))
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.refresh_workers", description=__doc__)
    parser.add_argument("--postings", type=int, default=200_000, help="postings in the file (200000)")
    parser.add_argument("--workers", default="1,2,4", help="worker process counts (1,2,4)")
    parser.add_argument(
        "--chunk-bytes", type=int, default=CHUNK_BYTES, help=f"bytes per chunk ({CHUNK_BYTES})"
    )
    parser.add_argument("--folder", type=Path, default=Path("var/bench"), help="where the file is kept")
    args = parser.parse_args(argv)
    workers = tuple(int(w) for w in args.workers.split(","))
    print(run(args.postings, workers, args.chunk_bytes, args.folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
