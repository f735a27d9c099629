"""Chunked, parallel refreshes: a large JSON Lines source cut into byte ranges on line boundaries, each range
aggregated on its own (by any worker process), the partial aggregates merged.

The run's coordinator (the ``market.refresh`` task that holds the run's lease) copies the fetched source
once into a run file in ``CAREERPATH_REFRESH_SPOOL_DIR`` (shared by the worker processes of one host, or a
volume they all mount), cutting it every ``CAREERPATH_REFRESH_CHUNK_BYTES`` at the next line end (memory
stays one read buffer, whatever the size), then sends one ``market.refresh_chunk`` task per chunk and works
through the chunks itself too. Whoever takes a chunk first claims it in Redis (``SET NX`` with the lease as
expiry), aggregates its byte range into a :class:`~services.worker.aggregate.Partial` and stores it under
the chunk's number (``SET``: a chunk done twice is stored once and merged once). A worker killed
mid-chunk leaves a claim that expires; the chunk is then done again (by the coordinator, or the task's
redelivered message: ``acks_late`` and ``reject_on_worker_lost``). A chunk whose processing raises twice
fails the run. Partials are merged as they come in (counts add, salary samples concatenate) and the run
publishes once, as an unchunked run does.

Keys (prefix ``P``): ``P refresh:<run>:<digest>:state`` (the run is still collecting; chunk tasks of a
finished run do nothing), ``...:part:<i>``, ``...:claim:<i>``, ``...:fails:<i>``, ``...:error:<i>``; all
expire after a day and are deleted when the run ends. ``<digest>`` is the source's sha256 and the chunk
size: a run taken over by another worker after its coordinator died reuses the chunks already done when
the source is byte-identical.

Duplicate posting ids are found within a chunk, not across chunks.
"""

from __future__ import annotations

import codecs
import datetime as dt
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import msgspec
import redis

from services.worker.aggregate import Aggregator, Partial, Sample
from services.worker.sources import Fetched, SourceError
from services.worker.sources.records import (
    MAX_LINE,
    PlainRecord,
    _Bad,
    _checked_posting,
    _posting,
    record_posting,
)
from shared.catalog import load_catalog

__all__ = [
    "CHUNK_TASK",
    "ChunkTask",
    "Collected",
    "collect",
    "cut",
    "preload",
    "process_chunk",
    "read_range",
]

log = logging.getLogger("careerpath.worker")
CHUNK_TASK = "market.refresh_chunk"
READ = 1 << 20
TTL = 86_400
MAX_FAILS = 2
_json = msgspec.json.Decoder()
_partial = msgspec.msgpack.Decoder(Partial)
_record = msgspec.json.Decoder(PlainRecord)
# valid lines of a chunk read as a dict (a field no posting reads) before all of its lines are: a source
# with other fields is not decoded twice a line
_MISSES = 16


class ChunkTask(msgspec.Struct, kw_only=True, frozen=True):
    """One byte range of a run's spooled source (the ``market.refresh_chunk`` task's arguments)."""

    key: str  # the run's key prefix: "<prefix>refresh:<run>:<digest>"
    index: int
    path: str
    start: int
    end: int
    first_line: int
    today: str
    sample_limit: int
    lease: float


def cut(fetched: Fetched, path: Path, chunk_bytes: int) -> Iterator[tuple[int, int, int]]:
    """Copy the source into ``path``; yield (start, end, first line) of each chunk as it is cut."""
    body = fetched.body
    start = offset = 0
    line = 1  # the line the current chunk starts on
    lines_before = 0  # line ends in [start, offset)
    with path.open("wb") as out:
        while block := body.read(READ):
            out.write(block)
            lower = 0
            while offset + len(block) - start >= chunk_bytes:
                where = block.find(b"\n", max(lower, start + chunk_bytes - offset - 1))
                if where < 0:
                    break
                end = offset + where + 1
                lines_before += block.count(b"\n", lower, where + 1)
                out.flush()
                yield start, end, line
                line += lines_before
                start, lower, lines_before = end, where + 1, 0
            lines_before += block.count(b"\n", lower)
            offset += len(block)
        out.flush()
    if offset > start or start == 0:
        yield start, offset, line


def read_range(
    data: bytes, first_line: int, today: dt.date, sample_limit: int, aggregator: Aggregator
) -> Partial:
    """Aggregate one chunk's bytes (whole lines of JSON Lines) into a :class:`Partial`. Every chunk but
    the source's last ends with a line end; a last line without one that is not valid JSON is a record
    cut off (the stream ended mid-record). A line is decoded as a
    :class:`~services.worker.sources.records.PlainRecord` (no dict) while the chunk's lines have no other
    fields (tests/unit/test_records_chunk.py: the same partial as a dict a line)."""
    read = rejected = 0
    samples: list[Sample] = []
    seen: set[str] = set()

    def reject(line: int, field: str, reason: str) -> None:
        nonlocal rejected
        rejected += 1
        if len(samples) < sample_limit:
            samples.append(Sample(line, field, reason))

    if first_line == 1:
        data = data.removeprefix(codecs.BOM_UTF8)
    lines = data.split(b"\n")
    cut_off = bool(lines[-1].strip())  # the source's last line has no line end
    plain, misses = True, 0  # records decoded as PlainRecord; lines read as a dict instead
    for k, raw_line in enumerate(lines):
        stripped = raw_line.strip()
        if not stripped:
            continue
        line = first_line + k
        read += 1
        if len(raw_line) > MAX_LINE:
            reject(line, "line", f"longer than {MAX_LINE:,} bytes")
            continue
        record: PlainRecord | None = None
        if plain:
            try:
                record = _record.decode(stripped)
            except (msgspec.DecodeError, RecursionError):
                pass
        if record is not None:
            posting_id = record.id
        else:
            try:
                value = _json.decode(stripped)
            except msgspec.DecodeError as exc:
                if cut_off and k == len(lines) - 1:
                    reject(line, "line", "the source ends mid-record (its last line is cut off)")
                else:
                    reject(line, "line", f"not valid JSON: {str(exc)[:80]}")
                continue
            except RecursionError:
                reject(line, "line", "nested too deeply")
                continue
            if not isinstance(value, dict):
                reject(line, "line", "not a JSON object")
                continue
            if plain:
                misses += 1
                plain = misses < _MISSES
            posting_id = value.get("id")
        # an id is a non-empty text or an integer (not a bool), as text; one set look-up tells a repeat
        if type(posting_id) is str:
            key = posting_id
        elif isinstance(posting_id, int) and not isinstance(posting_id, bool):
            key = str(posting_id)
        else:
            key = ""
        if key:
            size = len(seen)
            seen.add(key)
            if len(seen) == size:
                reject(line, "id", f"duplicate id {key[:37]!r}")
                continue
        try:
            if record is None:
                aggregator.add(_posting(line, value, today))
            else:
                posting = record_posting(line, record, today)
                # every field is read with dict.get's default: the record's fields as a dict read the same
                aggregator.add(posting or _checked_posting(line, msgspec.structs.asdict(record), today))
        except _Bad as bad:
            reject(line, bad.field, bad.reason)
    return aggregator.partial(read=read, rejected=rejected, samples=samples)


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _run_chunk(client: redis.Redis, task: ChunkTask, aggregator: Aggregator | None = None) -> bool:
    """Claim and aggregate one chunk unless it is done, held or its run is over; True if it was done here."""
    k = task.key
    if not client.exists(f"{k}:state") or client.exists(f"{k}:part:{task.index}"):
        return False
    if int(client.get(f"{k}:fails:{task.index}") or 0) >= MAX_FAILS:
        return False
    if not client.set(f"{k}:claim:{task.index}", _worker(), nx=True, ex=max(1, int(task.lease))):
        return False
    try:
        with open(task.path, "rb") as handle:
            handle.seek(task.start)
            data = handle.read(task.end - task.start)
        if len(data) != task.end - task.start:
            raise OSError(f"the run's spooled source is shorter than expected ({task.path})")
        partial = read_range(
            data,
            task.first_line,
            dt.date.fromisoformat(task.today),
            task.sample_limit,
            Aggregator(load_catalog(), _matchers(aggregator)),
        )
        client.set(f"{k}:part:{task.index}", msgspec.msgpack.encode(partial), ex=TTL)
        return True
    except Exception as exc:
        with client.pipeline() as pipe:
            pipe.incr(f"{k}:fails:{task.index}")
            pipe.expire(f"{k}:fails:{task.index}", TTL)
            pipe.set(f"{k}:error:{task.index}", f"{type(exc).__name__}: {exc}"[:300], ex=TTL)
            pipe.execute()
        log.warning("chunk %d of %s failed: %s", task.index, k, exc)
        return False
    finally:
        client.delete(f"{k}:claim:{task.index}")


_MATCHERS: dict[str, Any] = {}


def _matchers(aggregator: Aggregator | None) -> Any:
    """The matchers to reuse (compiling them costs more than a small chunk)."""
    if aggregator is not None:
        return (aggregator.skills, aggregator.roles)
    if "m" not in _MATCHERS:
        first = Aggregator(load_catalog())
        _MATCHERS["m"] = (first.skills, first.roles)
    return _MATCHERS["m"]


def preload() -> None:
    """Build the matchers a worker process reuses for its chunks now, not at its first chunk (a process
    forked after this shares them; the worker's imports and this cost ~0.4 s of CPU a process)."""
    _matchers(None)


def process_chunk(redis_url: str, task: ChunkTask) -> bool:
    """The ``market.refresh_chunk`` task's work: do the chunk if nobody has (True if done here)."""
    client = redis.Redis.from_url(redis_url, socket_timeout=10, socket_connect_timeout=5)
    try:
        return _run_chunk(client, task)
    finally:
        client.close()


class Collected(msgspec.Struct, kw_only=True):
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    samples: list[Sample] = []
    chunks: int = 0


def collect(
    *,
    fetched: Fetched,
    redis_url: str,
    key: str,
    spool_dir: Path,
    chunk_bytes: int,
    lease: float,
    today: dt.date,
    sample_limit: int,
    aggregator: Aggregator,
    dispatch: Callable[[ChunkTask], None] | None,
    on_progress: Callable[[Collected], None],
    lost: Callable[[], bool],
) -> Collected:
    """Cut the source into chunks, have them aggregated (here and by other workers), merge the partials
    into ``aggregator``; raise :class:`SourceError` if a chunk failed twice."""
    spool_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{key.rsplit(':', 2)[-2]}-{key.rsplit(':', 1)[-1]}"  # the run and the source's digest
    path = spool_dir / f"{stem}-{os.getpid()}.jsonl"
    client = redis.Redis.from_url(redis_url, socket_timeout=10, socket_connect_timeout=5)
    client.set(f"{key}:state", _worker(), ex=TTL)  # names the coordinator
    tasks: list[ChunkTask] = []
    done: dict[int, bool] = {}
    total = Collected()
    try:
        for start, end, first_line in cut(fetched, path, chunk_bytes):
            task = ChunkTask(
                key=key,
                index=len(tasks),
                path=str(path),
                start=start,
                end=end,
                first_line=first_line,
                today=today.isoformat(),
                sample_limit=sample_limit,
                lease=lease,
            )
            tasks.append(task)
            if dispatch is not None and task.index > 0:  # the first one is done here at once
                dispatch(task)
        while len(done) < len(tasks):
            if lost():
                from services.worker.refresh import LeaseLost

                raise LeaseLost
            worked = False
            for task in tasks:
                if task.index in done:
                    continue
                raw = cast("bytes | None", client.get(f"{key}:part:{task.index}"))
                if raw is None:
                    fails = int(client.get(f"{key}:fails:{task.index}") or 0)
                    if fails >= MAX_FAILS:
                        error = cast("bytes", client.get(f"{key}:error:{task.index}") or b"").decode()
                        raise SourceError(
                            f"chunk {task.index + 1} of {len(tasks)} (bytes {task.start:,}..{task.end:,}, "
                            f"from line {task.first_line:,}) failed {fails} times: {error}"
                        )
                    worked = _run_chunk(client, task, aggregator) or worked
                    raw = cast("bytes | None", client.get(f"{key}:part:{task.index}"))
                if raw is None:
                    continue
                part = _partial.decode(raw)
                aggregator.merge(part)
                total.read += part.read
                total.accepted += part.accepted
                total.rejected += part.rejected
                total.samples = sorted([*total.samples, *part.samples], key=lambda s: s.line)[:sample_limit]
                total.chunks += 1
                done[task.index] = True
                on_progress(total)
            if not worked and len(done) < len(tasks):
                time.sleep(0.1)
        return total
    finally:
        path.unlink(missing_ok=True)
        if len(done) == len(tasks):  # merged: copies left by an earlier coordinator of this run go too
            for stale in spool_dir.glob(f"{stem}-*.jsonl"):
                stale.unlink(missing_ok=True)
        names = [f"{key}:state"] + [
            f"{key}:{kind}:{t.index}" for t in tasks for kind in ("part", "claim", "fails", "error")
        ]
        try:
            client.delete(*names)
        finally:
            client.close()


def check_jsonl_start(fetched: Fetched) -> None:
    """Refuse a source declared or sniffed as JSON Lines whose first record does not start an object."""
    head = fetched.body.read(1 << 16)
    fetched.body.seek(0)
    for number, line in enumerate(head.removeprefix(codecs.BOM_UTF8).split(b"\n"), start=1):
        if line.strip():
            if not line.strip().startswith(b"{"):
                raise SourceError(
                    f"wrong format: not JSON Lines (line {number} does not start a JSON object)"
                )
            return


def ends_mid_record(fetched: Fetched) -> bool:
    """Whether a JSON Lines source's last line has no line end and is not a whole JSON value: the stream
    ended in the middle of a record (a cut transfer, a file still being written)."""
    body = fetched.body
    body.seek(max(0, fetched.size - MAX_LINE))
    tail = body.read()
    body.seek(0)
    if not tail.strip() or tail.endswith(b"\n"):
        return False
    try:
        _json.decode(tail.rsplit(b"\n", 1)[-1].strip())
    except (msgspec.DecodeError, RecursionError):
        return True
    return False
