"""The aggregator's counts are those of counting each posting on its own, however many postings wait to be
counted together (more than one batch of them here, with months and undated postings mixed)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path

import msgspec

from services.worker.aggregate import _PENDING, Aggregator, posting_text
from services.worker.matching import SkillMatcher
from services.worker.sources import Fetched
from services.worker.sources.records import Posting, read_postings
from services.worker.sources.synthetic import generate_postings
from shared.catalog import load_catalog


def _postings(path: Path) -> list[Posting]:
    with path.open("rb") as body:
        fetched = Fetched(body=body, size=path.stat().st_size, sha256="-", declared="jsonl", name=str(path))
        return [p for p in read_postings(fetched, dt.date(2026, 1, 1)) if isinstance(p, Posting)]


def test_counts_equal_one_posting_at_a_time(tmp_path: Path) -> None:
    generate_postings(tmp_path / "p.jsonl", count=2 * _PENDING + 300, seed=3, bad_ratio=0.0)
    postings = _postings(tmp_path / "p.jsonl")
    postings = [p if k % 7 else msgspec.structs.replace(p, posted=None) for k, p in enumerate(postings)]
    catalog = load_catalog()
    matcher = SkillMatcher(catalog)
    mentions: Counter[str] = Counter()
    by_month: dict[str, Counter[str]] = defaultdict(Counter)
    for posting in postings:
        found = matcher.match(posting_text(posting))
        mentions.update(found)
        if posting.posted is not None:
            by_month[posting.posted.isoformat()[:7]].update(found)
    aggregator = Aggregator(catalog)
    for k, posting in enumerate(postings):
        aggregator.add(posting)
        if k == _PENDING // 2:  # a partial taken mid-batch counts what was added so far
            assert sum(aggregator.partial().mentions.values()) > 0
    part = aggregator.partial()
    assert part.accepted == len(postings) and part.undated == sum(p.posted is None for p in postings)
    assert part.mentions == dict(mentions)
    assert part.month_mentions == {m: dict(c) for m, c in by_month.items()}
    assert sum(part.months.values()) == len(postings) - part.undated
