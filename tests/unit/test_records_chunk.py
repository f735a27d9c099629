"""A chunk's lines decoded as :class:`PlainRecord` (no dict) give what reading each line as a dict and
checking each field on its own gives (the reading before the record decode, with ``_checked_posting`` for
the fast path it was shown to equal): the same partial, rejected lines, reasons and samples, on SYNTHETIC
postings and on lines a record decode could read otherwise (other fields, invalid UTF-8 or numbers out of
range in them, repeated or escaped keys, not objects, deep nesting, a cut-off last line)."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import msgspec
import pytest

from services.worker.aggregate import Aggregator, Partial, Sample
from services.worker.chunks import read_range
from services.worker.sources.records import MAX_LINE, _Bad, _checked_posting
from services.worker.sources.synthetic import generate_postings
from shared.catalog import load_catalog
from tests.unit.test_records_fast import VALUES

TODAY = dt.date(2026, 1, 1)
_json = msgspec.json.Decoder()


def reference_range(data: bytes, first_line: int, sample_limit: int, aggregator: Aggregator) -> Partial:
    """read_range as it read a line before: a dict decode, then each field's own check."""
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
    cut_off = bool(lines[-1].strip())
    for k, raw_line in enumerate(lines):
        stripped = raw_line.strip()
        if not stripped:
            continue
        line = first_line + k
        read += 1
        if len(raw_line) > MAX_LINE:
            reject(line, "line", f"longer than {MAX_LINE:,} bytes")
            continue
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
        posting_id = value.get("id")
        if isinstance(posting_id, (str, int)) and not isinstance(posting_id, bool) and posting_id != "":
            key = str(posting_id)
            if key in seen:
                reject(line, "id", f"duplicate id {key[:37]!r}")
                continue
            seen.add(key)
        try:
            aggregator.add(_checked_posting(line, value, TODAY))
        except _Bad as bad:
            reject(line, bad.field, bad.reason)
    return aggregator.partial(read=read, rejected=rejected, samples=samples)


ODD_LINES = [
    b'{"title": "Data Engineer", "description": "We use Python.", "team": "\xff"}',  # invalid UTF-8, other
    b'{"title": "Data Engineer", "description": "We use Python.", "\xff": 1}',
    b'{"title": "Data Engineer", "description": "We use Python.", "team": "\xed\xa0\x80"}',
    b'{"title": "Data Engineer", "description": "We use Python.", "team": 1e999}',  # out of range
    b'{"title": "Data Engineer", "description": "We use Python.", "salary": 1e999}',
    b'{"title": "Data Engineer", "description": "We use Python.", "title": ""}',  # repeated key
    b'{"title": "", "description": "We use Python.", "title": "Data Engineer"}',
    b'{"\\u0074itle": "Data Engineer", "description": "We use Go.", "posted_date": "2025-01-02"}',
    b'{"title": "Data Engineer", "description": "We use \\u0050ython.", "posted_date": "2025-01-02"}',
    b'{"title": "Data Engineer", "description": "x", "team": {"a": [1, 2, {"b": null}]}}',
    b'{"title": "Data Engineer", "description": "x", "deep": ' + b"[" * 2000 + b"]" * 2000 + b"}",
    b'{"title": "Data Engineer", "description": "x", "skills": ' + b"[" * 2000 + b"]" * 2000 + b"}",
    b'{"title": "Data Engineer", "description": "\xff"}',
    b"[1, 2]",
    b'"a string"',
    b"42",
    b"null",
    b"{not json",
    b'{"title": "Data Engineer",}',
    b'{"id": true, "title": "A", "description": "Go"}',
    b'{"id": 7, "title": "A", "description": "Go"}',
    b'{"id": "7", "title": "A", "description": "Go"}',
    b'{"id": 7.0, "title": "A", "description": "Go"}',
    b'{"id": "", "title": "A", "description": "Go"}',
    b'{"id": ["x"], "title": "A", "description": "Go"}',
    b'{"title": "A", "description": "Go", "posted_date": "2025-02-30"}',
    b'{"title": "A", "description": "Go", "posted_at": "2025-02-03", "date": "bad"}',
    b'{"title": "A", "description": "Go", "salary_min": 90000, "salary_max": 100000}',
    b'{"title": "A", "description": "Go", "salary": null, "salary_min": "90k"}',
    b"   ",
    b"",
]


def _lines(synthetic: Path, seed: int) -> list[bytes]:
    """SYNTHETIC postings (1 in 100 spoiled), the odd lines above and records of the record check's odd
    values (tests/unit/test_records_fast.py), shuffled."""
    rng = random.Random(seed)
    lines = [line for line in synthetic.read_bytes().split(b"\n") if line]
    lines += ODD_LINES * 3
    for _ in range(1500):
        raw = {f: rng.choice(v) for f, v in VALUES.items() if rng.random() < 0.7 and f != "salary"}
        if rng.random() < 0.7:
            raw["salary"] = rng.choice([v for v in VALUES["salary"] if v != float("inf")])
        if rng.random() < 0.3:
            raw["id"] = rng.choice(["a", "b", 1, 2, True, "", None, 1.5])
        if rng.random() < 0.02:
            raw["other"] = rng.choice([1, "x", [1], {"a": None}])
        lines.append(json.dumps(raw).encode())
    rng.shuffle(lines)
    return lines


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_postings(tmp_path_factory.mktemp("chunk") / "synthetic.jsonl", 2_000, 5, 0.01)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("tail", [b"\n", b'{"title": "cut', b'{"title": "A", "description": "Go"}'])
def test_chunk_reads_as_each_line_as_a_dict(synthetic: Path, seed: int, tail: bytes) -> None:
    """Chunks of 150 lines (a chunk reads its lines as a dict after 16 with other fields): each chunk's
    partial, and the first chunk of all the lines."""
    catalog = load_catalog()
    first = Aggregator(catalog)
    matchers = (first.skills, first.roles)
    lines = _lines(synthetic, seed)
    chunks = [(b"\n".join(lines[k : k + 150]) + b"\n", k + 1) for k in range(0, len(lines), 150)]
    chunks.append((codecs.BOM_UTF8 + b"\n".join(lines) + b"\n" + tail, 1))
    chunks.append((b"\n".join(lines[:150]) + b"\n" + tail, 40))
    accepted = rejected = 0
    for data, first_line in chunks:
        got = read_range(data, first_line, TODAY, 5_000, Aggregator(catalog, matchers))
        assert got == reference_range(data, first_line, 5_000, Aggregator(catalog, matchers))
        accepted, rejected = accepted + got.accepted, rejected + got.rejected
    assert rejected > 1_000 and accepted > 3_000  # both kinds are read


def test_a_source_with_other_fields_reads_the_same_after_the_plain_decode_stops() -> None:
    catalog = load_catalog()
    first = Aggregator(catalog)
    matchers = (first.skills, first.roles)
    records: list[dict[str, Any]] = [
        {"id": i, "title": "Data Engineer", "description": f"We use Python {i}.", "source": "x"}
        for i in range(100)
    ]
    records[50]["source"] = 1e300
    data = b"\n".join(json.dumps(r).encode() for r in records) + b"\n" + ODD_LINES[3] + b"\n" + ODD_LINES[0]
    got = read_range(data, 1, TODAY, 20, Aggregator(catalog, matchers))
    assert got == reference_range(data, 1, 20, Aggregator(catalog, matchers))
    assert got.accepted == 100 and got.rejected == 2
