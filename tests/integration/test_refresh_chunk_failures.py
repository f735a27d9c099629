"""Chunk bookkeeping in real Redis: a chunk that fails is counted with its reason and left for another
try; one that failed twice fails the run, naming the chunk; a chunk done is stored once; a finished run's
chunk tasks do nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from services.worker.aggregate import Aggregator
from services.worker.chunks import ChunkTask, Collected, collect, process_chunk
from services.worker.sources import Fetched, SourceError
from shared.catalog import load_catalog

DAY = dt.date(2026, 1, 1)
LINE = {"title": "Backend Engineer", "description": "Python and SQL", "posted_date": "2025-05-01"}
DATA = b"".join(json.dumps({**LINE, "id": i}).encode() + b"\n" for i in range(400))


@pytest.fixture
def store(redis_server: str) -> Iterator[tuple[redis.Redis, str]]:
    client = redis.Redis.from_url(redis_server)
    key = f"cp-chunks-{secrets.token_hex(4)}:refresh:run:digest"
    yield client, key
    keys = list(client.scan_iter(match=key + "*"))
    if keys:
        client.delete(*keys)
    client.close()


def task(key: str, index: int, path: Path, start: int = 0, end: int = 100) -> ChunkTask:
    return ChunkTask(
        key=key, index=index, path=str(path), start=start, end=end, first_line=1,
        today=DAY.isoformat(), sample_limit=5, lease=30,
    )  # fmt: skip


def run(redis_url: str, key: str, tmp_path: Path) -> Collected:
    fetched = Fetched(body=io.BytesIO(DATA), size=len(DATA), sha256="x", declared="jsonl", name="x.jsonl")
    return collect(
        fetched=fetched,
        redis_url=redis_url,
        key=key,
        spool_dir=tmp_path / "spool",
        chunk_bytes=len(DATA) // 4,
        lease=30,
        today=DAY,
        sample_limit=5,
        aggregator=Aggregator(load_catalog()),
        dispatch=None,
        on_progress=lambda _: None,
        lost=lambda: False,
    )


def test_a_failing_chunk_is_counted_with_its_reason_and_twice_fails_the_run(
    store: tuple[redis.Redis, str], redis_server: str, tmp_path: Path
) -> None:
    client, key = store
    client.set(f"{key}:state", "someone")
    gone = tmp_path / "gone.jsonl"  # the run's spooled copy is not there (a worker on another host, say)
    assert process_chunk(redis_server, task(key, 1, gone)) is False
    assert client.get(f"{key}:fails:1") == b"1" and b"FileNotFoundError" in client.get(f"{key}:error:1")
    assert client.get(f"{key}:claim:1") is None and client.get(f"{key}:part:1") is None  # free to retry
    assert process_chunk(redis_server, task(key, 1, gone)) is False
    assert client.get(f"{key}:fails:1") == b"2"
    assert process_chunk(redis_server, task(key, 1, gone)) is False  # twice is enough: not tried again
    assert client.get(f"{key}:fails:1") == b"2"
    with pytest.raises(SourceError) as failed:
        run(redis_server, key, tmp_path)
    message = str(failed.value)
    assert message.startswith("chunk 2 of ") and "failed 2 times: FileNotFoundError" in message
    assert list(client.scan_iter(match=key + "*")) == []  # its keys and spooled copy are cleaned up
    assert not list((tmp_path / "spool").glob("*"))


def test_chunks_are_done_once_and_a_finished_runs_tasks_do_nothing(
    store: tuple[redis.Redis, str], redis_server: str, tmp_path: Path
) -> None:
    _, key = store
    total = run(redis_server, key, tmp_path)
    assert (total.read, total.accepted, total.rejected, total.chunks) == (400, 400, 0, 4)
    source = tmp_path / "source.jsonl"
    source.write_bytes(DATA)
    # a late message for a chunk of the finished run: no state key, nothing done, nothing stored
    assert process_chunk(redis_server, task(key, 0, source, 0, len(DATA))) is False
    client = redis.Redis.from_url(redis_server)
    try:
        assert list(client.scan_iter(match=key + "*")) == []
        # while the run collects, a chunk is done once: a second delivery finds its partial
        client.set(f"{key}:state", "someone")
        assert process_chunk(redis_server, task(key, 0, source, 0, len(DATA))) is True
        assert process_chunk(redis_server, task(key, 0, source, 0, len(DATA))) is False
        assert client.exists(f"{key}:part:0") == 1
    finally:
        client.close()
