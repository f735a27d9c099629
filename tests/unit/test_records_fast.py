"""The record check's fast path (``_posting``) gives what each field's own check gives (``_checked_posting``):
the same posting, or the same first invalid field and reason, on usual and odd records."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

from services.worker.sources.records import MAX_TITLE, Posting, _Bad, _checked_posting, _posting

TODAY = dt.date(2026, 1, 1)
VALUES: dict[str, list[Any]] = {
    "title": [
        "Data Engineer", "  Backend Developer ", "", "   ", None, 5, "x" * MAX_TITLE, "x" * (MAX_TITLE + 1),
    ],
    "description": ["We use Python.", "", "  ", None, ["a"], "y" * 100_001, " We use Go "],
    "skills": [None, "", "Python, Go", ["Docker", " Go "], [], [1], "x" * 101, 7],
    "location": ["Berlin", "", "  Paris ", None, 3, "z" * 201],
    "salary": [
        None, "", 120_000, 120_000.5, True, 5, 3_000_000, "120k", "$100,000-140,000",
        {"min": 90_000, "max": 110_000}, {"min": 110_000, "max": 90_000}, {"min": 90_000},
        {"min": True, "max": 100_000}, {"min": "90k", "max": "110k"},
        {"min": 1.0, "max": 9_000.0}, {}, [1], float("inf"),
    ],
    "salary_min": [None, "", 80_000, "abc"],
    "posted_date": [
        None, "", "2025-06-23", "2025-06-23T10:00:00Z", "20250623", "2025-13-01", "1999-12-31", "2026-01-02",
        "2026-01-03", 20250623,
    ],
    "posted_at": [None, "2024-01-01", "bad"],
    "synthetic": [None, True, "yes", False, 1],
}  # fmt: skip


def _outcome(check: Any, raw: dict[str, Any]) -> Posting | tuple[str, str]:
    try:
        return check(7, raw, TODAY)  # type: ignore[no-any-return]
    except _Bad as bad:
        return bad.field, bad.reason


def _records(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    records = []
    for _ in range(count):
        raw = {}
        for field, values in VALUES.items():
            if rng.random() < 0.8:
                raw[field] = rng.choice(values)
        records.append(raw)
    return records


def test_fast_path_answers_as_each_check() -> None:
    records = _records(20_000, seed=3)
    usual = {
        "title": "Data Engineer",
        "description": "We use Python.",
        "salary": {"min": 90_000, "max": 110_000},
    }
    records += [{**usual, field: value} for field, values in VALUES.items() for value in values]
    records += [
        {"title": t, "description": d, "salary": s, "posted_date": p}
        for t, d, s, p in itertools.product(
            VALUES["title"], VALUES["description"], VALUES["salary"], VALUES["posted_date"]
        )
    ]
    outcomes = [(_outcome(_posting, r), _outcome(_checked_posting, r)) for r in records]
    assert sum(isinstance(expected, Posting) for _, expected in outcomes) > 500  # valid ones are read
    assert len({expected for _, expected in outcomes if isinstance(expected, tuple)}) > 15  # and many errors
    for (got, expected), raw in zip(outcomes, records, strict=True):
        assert got == expected, raw


def test_remembered_dates_are_those_of_the_day_of_reading() -> None:
    """A valid date's text is remembered per day of reading: read again on another day, it is checked again
    (a day after tomorrow is out of range)."""
    days = ["2026-01-02", "2026-01-02T08:00:00Z", "2025-12-31", "1999-12-31", "2000-01-01", "2026-1-02x"]
    for today in [dt.date(2026, 1, 1), dt.date(2025, 12, 30), dt.date(2026, 1, 1), dt.date(2025, 12, 31)] * 2:
        for day in days:
            raw = {"title": "Data Engineer", "description": "We use Python.", "posted_date": day}

            def outcome(check: Any, raw: dict[str, Any] = raw, today: dt.date = today) -> Any:
                try:
                    return check(7, raw, today)
                except _Bad as bad:
                    return bad.field, bad.reason

            assert outcome(_posting) == outcome(_checked_posting), (today, day)
