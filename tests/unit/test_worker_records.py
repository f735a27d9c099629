"""Postings validation: bad records are counted with line, field and reason; a wrong format stops the run."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pytest

from services.worker.sources import Fetched, SourceError
from services.worker.sources.records import MAX_LINE, Posting, Rejected, read_postings

TODAY = dt.date(2025, 6, 1)


def fetched(data: bytes, declared: str | None = None) -> Fetched:
    return Fetched(
        body=io.BytesIO(data),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        declared=declared,
        name="x",
    )  # type: ignore[arg-type]


def read(data: bytes, declared: str | None = None) -> list[Posting | Rejected]:
    return list(read_postings(fetched(data, declared), TODAY))


def lines(*records: object) -> bytes:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records).encode()


GOOD = {
    "title": "Backend Engineer",
    "description": "Python and PostgreSQL",
    "salary": 120000,
    "location": "Remote",
    "posted_date": "2025-05-01",
}


def test_valid_jsonl_postings_are_read_with_their_fields() -> None:
    [posting] = read(lines(GOOD))
    assert isinstance(posting, Posting)
    assert (posting.line, posting.title, posting.salary, posting.location) == (
        1,
        "Backend Engineer",
        120000,
        "Remote",
    )
    assert posting.posted == dt.date(2025, 5, 1)


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"title": ""}, "title", "missing"),
        ({"title": 42}, "title", "expected text"),
        ({"title": "x" * 301}, "title", "longer than"),
        ({"description": "", "skills": []}, "description", "needs a description or skills"),
        ({"skills": "x" * 101, "description": ""}, "skills", "longer than"),
        ({"skills": [1, 2]}, "skills", "expected text items"),
        ({"salary": "competitive"}, "salary", "not an amount"),
        ({"salary": 5}, "salary", "outside"),
        ({"salary": {"min": 150000, "max": 100000}}, "salary", "minimum above maximum"),
        ({"salary": True}, "salary", "not an amount"),
        ({"posted_date": "yesterday"}, "posted_date", "not an ISO date"),
        ({"posted_date": "2030-01-01"}, "posted_date", "out of range"),
        ({"location": ["x"]}, "location", "expected text"),
    ],
)
def test_each_bad_field_is_rejected_with_its_reason(change: dict, field: str, reason: str) -> None:
    good, bad = read(lines(GOOD, {**GOOD, **change}))
    assert isinstance(good, Posting)
    assert isinstance(bad, Rejected)
    assert (bad.line, bad.field) == (2, field)
    assert reason in bad.reason


@pytest.mark.parametrize(
    ("salary", "amount"),
    [
        ("$120,000", 120000),
        ("100k-140k", 120000),
        ("100000 – 140000 USD", 120000),
        ("90k/yr", 90000),
        ({"min": 100000, "max": 120000}, 110000),
    ],
)
def test_salary_forms(salary: object, amount: float) -> None:
    [posting] = read(lines({**GOOD, "salary": salary}))
    assert isinstance(posting, Posting) and posting.salary == amount


def test_broken_lines_duplicates_and_non_objects_are_counted_not_fatal() -> None:
    items = read(lines(GOOD, "{not json", "[1, 2]", {**GOOD, "id": 7}, {**GOOD, "id": 7}, "", GOOD))
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert [(r.line, r.field) for r in rejected] == [(2, "line"), (3, "line"), (5, "id")]
    assert sum(isinstance(i, Posting) for i in items) == 3


def test_a_deeply_nested_line_is_rejected_and_reading_goes_on() -> None:
    deep = b'{"a":' * 1000 + b"1" + b"}" * 1000 + b"\n"
    items = read(lines(GOOD) + deep + lines({**GOOD, "id": 2}))
    assert [type(i).__name__ for i in items] == ["Posting", "Rejected", "Posting"]
    assert items[1].line == 2 and items[1].reason == "nested too deeply"  # type: ignore[union-attr]


def test_an_overlong_line_is_rejected_and_reading_goes_on() -> None:
    data = lines(GOOD) + b'{"title": "' + b"x" * (MAX_LINE + 10) + b'"}\n' + lines(GOOD)
    items = read(data)
    assert [type(i).__name__ for i in items] == ["Posting", "Rejected", "Posting"]
    assert items[1].line == 2 and "longer than" in items[1].reason  # type: ignore[union-attr]


def test_csv_postings_with_skills_column() -> None:
    data = b'title,skills,salary,posted_date\nSRE,"Go; Kubernetes; Prometheus",130000,2025-04-02\n,Go,1,\n'
    posting, bad = read(data, "csv")
    assert isinstance(posting, Posting) and posting.skills == ("Go", "Kubernetes", "Prometheus")
    assert isinstance(bad, Rejected) and (bad.line, bad.field) == (3, "title")


def test_csv_row_with_wrong_column_count_is_rejected() -> None:
    items = read(b"title,description\nA,b\nA,b,c\n", "csv")
    assert isinstance(items[1], Rejected) and items[1].field == "line" and "columns" in items[1].reason


@pytest.mark.parametrize(
    ("data", "declared", "message"),
    [
        (b"<html><body>Not here</body></html>", "jsonl", "not JSON Lines"),
        (b'[{"title": "a"}]', "jsonl", "not JSON Lines"),
        (b"name,age\nbob,3\n", "csv", "not a postings CSV"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", None, "binary"),
    ],
)
def test_a_source_that_is_not_its_declared_format_fails(
    data: bytes, declared: str | None, message: str
) -> None:
    with pytest.raises(SourceError, match=message):
        read(data, declared)


def test_format_is_sniffed_when_not_declared() -> None:
    assert isinstance(read(lines(GOOD))[0], Posting)
    assert isinstance(read(b"title,description\nA,Python\n")[0], Posting)
