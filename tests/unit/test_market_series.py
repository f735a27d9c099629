"""The monthly series and the trend read from it; partial aggregates merge into what one pass gives."""

from __future__ import annotations

import datetime as dt

import msgspec

from services.worker.aggregate import Aggregator, Partial, series_trend
from services.worker.sources.records import Posting
from shared.catalog import load_catalog
from shared.contracts.market_document import MarketDocument

TODAY = dt.date(2026, 1, 1)


def posting(title: str, text: str, posted: dt.date | None, salary: float | None = None) -> Posting:
    return Posting(line=1, title=title, text=text, skills=(), salary=salary, location=None, posted=posted)


def month_of(shares: list[float], per_month: int = 40) -> list[Posting]:
    """``per_month`` postings in each month from 2025-01, the given share of them mentioning Python."""
    out = []
    for m, share in enumerate(shares):
        day = dt.date(2025, m + 1, 15)
        hits = round(share * per_month)
        for i in range(per_month):
            text = "Python and Docker" if i < hits else "Java and Docker"
            out.append(posting("Backend Engineer", text, day, 100_000 + i))
    return out


def test_series_trend_is_the_fitted_rise_over_the_mean() -> None:
    months = ["2025-01", "2025-02", "2025-03"]
    assert series_trend(months, [10, 20, 30], [100, 100, 100]) == 1.0  # 0.1 -> 0.3, mean 0.2
    assert series_trend(months, [30, 20, 10], [100, 100, 100]) == -1.0
    assert series_trend(months, [20, 20, 20], [100, 100, 100]) == 0.0
    assert series_trend(months, [0, 0, 0], [100, 100, 100]) == 0.0
    # a month with too few postings is no point; two points are too few for a trend
    assert series_trend(months, [10, 1, 30], [100, 5, 100]) is None
    assert series_trend(months[:2], [10, 20], [100, 100]) is None
    # only the last twelve months count: an old month far off the line changes nothing
    long = [f"{2024 + (m // 12)}-{m % 12 + 1:02d}" for m in range(14)]
    flat = [20] * 14
    assert series_trend(long, [90, 90, *flat[2:]], [100] * 14) == 0.0


def test_the_document_carries_the_series_and_trends_come_from_it() -> None:
    agg = Aggregator(load_catalog())
    for p in month_of([0.25, 0.5, 0.75]):
        agg.add(p)
    for _ in range(7):
        agg.add(posting("Backend Engineer", "Python", None))
    previous = msgspec.convert({"version": "v0", "skills": {"python": {"demand": 0.9}}}, MarketDocument)
    doc = agg.document("file:x.jsonl", previous, TODAY)
    series = doc.series
    assert series is not None
    assert series.months == ["2025-01", "2025-02", "2025-03"] and series.postings == [40, 40, 40]
    assert series.undated == 7 and doc.postings == 127
    assert series.skills["python"] == [10, 20, 30] and series.skills["docker"] == [40, 40, 40]
    assert "kubernetes" not in series.skills and series.roles["backend-developer"] == [40, 40, 40]
    # from the series (0.25 -> 0.75 over a mean of 0.5), not against the previous version's 0.9
    assert doc.skills["python"].trend == 1.0 and doc.skills["docker"].trend == 0.0
    assert doc.roles["backend-developer"].openings_trend == 0.0
    assert "least-squares" in doc.notes["trend"]


def test_gaps_are_zero_months_and_few_months_fall_back_to_the_previous_version() -> None:
    agg = Aggregator(load_catalog())
    agg.add(posting("Backend Engineer", "Python", dt.date(2025, 1, 3)))
    agg.add(posting("Backend Engineer", "Java", dt.date(2025, 4, 3)))
    previous = msgspec.convert({"version": "v0", "skills": {"python": {"demand": 0.25}}}, MarketDocument)
    doc = agg.document("file:x.jsonl", previous, TODAY)
    assert doc.series is not None and doc.series.months == ["2025-01", "2025-02", "2025-03", "2025-04"]
    assert doc.series.postings == [1, 0, 0, 1] and doc.series.skills["python"] == [1, 0, 0, 0]
    assert doc.skills["python"].trend == 1.0  # 0.25 -> 0.5 against the previous version
    assert "previous_version" in doc.notes["trend"]


def test_no_dated_postings_no_series() -> None:
    agg = Aggregator(load_catalog())
    agg.add(posting("Backend Engineer", "Python", None))
    doc = agg.document("file:x.jsonl", None, TODAY)
    assert doc.series is None and doc.postings == 1 and doc.as_of == TODAY.isoformat()


def test_partials_merge_into_what_one_pass_gives() -> None:
    catalog = load_catalog()
    items = month_of([0.1, 0.4, 0.2, 0.6]) + [posting("Data Engineer", "Kafka", None, 150_000)]
    whole = Aggregator(catalog)
    for p in items:
        whole.add(p)
    merged = Aggregator(catalog)
    for start in range(0, len(items), 37):
        part = Aggregator(catalog, (merged.skills, merged.roles))
        for p in items[start : start + 37]:
            part.add(p)
        wire = msgspec.msgpack.encode(part.partial(read=37))
        merged.merge(msgspec.msgpack.decode(wire, type=Partial))
    one, many = whole.document("s", None, TODAY), merged.document("s", None, TODAY)
    assert msgspec.to_builtins(one) == msgspec.to_builtins(many)
    assert one.roles["backend-developer"].salary_samples == 160 and one.series is not None
