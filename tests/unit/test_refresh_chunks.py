"""Cutting a source into chunks on line boundaries, and reading a chunk's byte range."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import msgspec
import pytest

from services.worker.aggregate import Aggregator
from services.worker.chunks import cut, read_range
from services.worker.sources import Fetched
from shared.catalog import load_catalog


def fetched(data: bytes) -> Fetched:
    return Fetched(body=io.BytesIO(data), size=len(data), sha256="x", declared="jsonl", name="x.jsonl")


@pytest.mark.parametrize("chunk_bytes", [1, 7, 64, 100, 1000, 1 << 20])
@pytest.mark.parametrize("tail", [b"", b"\n", b'{"cut'])
def test_chunks_cover_the_source_on_line_ends_with_their_first_line(
    tmp_path: Path, chunk_bytes: int, tail: bytes
) -> None:
    lines = [json.dumps({"n": i, "pad": "x" * (i % 13)}).encode() for i in range(300)]
    data = b"\n".join(lines) + tail
    path = tmp_path / "spool.jsonl"
    chunks = list(cut(fetched(data), path, chunk_bytes))
    assert path.read_bytes() == data
    assert chunks[0][0] == 0 and chunks[-1][1] == len(data)
    for (_, end, _), (start, _, _) in zip(chunks, chunks[1:], strict=False):
        assert end == start and data[end - 1 : end] == b"\n"
    for start, end, first_line in chunks:
        assert first_line == data[:start].count(b"\n") + 1
        assert end - start >= min(chunk_bytes, len(data) - start) or end == len(data)


def test_an_empty_source_is_one_empty_chunk(tmp_path: Path) -> None:
    assert list(cut(fetched(b""), tmp_path / "e.jsonl", 100)) == [(0, 0, 1)]


def test_a_chunk_counts_rejects_with_source_line_numbers_and_a_cut_off_last_record() -> None:
    good = {"title": "Backend Engineer", "description": "Python", "posted_date": "2025-05-01", "id": "a"}
    data = b"\n".join(
        [
            json.dumps(good).encode(),
            b"",
            b"[1]",
            json.dumps(good).encode(),  # same id
            json.dumps({**good, "id": "b", "title": ""}).encode(),
            b'{"title": "SRE", "descr',
        ]
    )
    part = read_range(data, 41, dt.date(2026, 1, 1), 10, Aggregator(load_catalog()))
    assert (part.read, part.accepted, part.rejected) == (5, 1, 4)
    assert [tuple(msgspec.to_builtins(s)) for s in part.samples] == [
        (43, "line", "not a JSON object"),
        (44, "id", "duplicate id 'a'"),
        (45, "title", "missing"),
        (46, "line", "the source ends mid-record (its last line is cut off)"),
    ]
    assert part.months == {"2025-05": 1} and part.mentions == {"python": 1}
