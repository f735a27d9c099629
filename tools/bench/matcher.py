"""The skill matcher alone: ``python -m tools.bench.matcher`` (also printed under the refresh workers' table).

CPU µs a posting (process time, best of 5 passes) of :meth:`SkillMatcher.match` (what a refresh calls)
and :meth:`SkillMatcher.mentions` (what ``POST /api/v1/skills/extract`` calls) on the text a refresh
matches (title, description, skills): the bundled real postings (``shared/catalog/postings/``) and 5,000
SYNTHETIC ones. The baseline, measured in the same run on the same texts: splitting them into tokens
(``TOKEN.findall``), which every way of matching does first.

Issue 17, fourth round (the sparse path's loop, see :class:`shared.catalog.matching.SkillMatcher`):
callgrind, 2,000 SYNTHETIC texts, ``PYTHONHASHSEED=0``: ``match`` 171,100 -> 153,200 instructions a posting
(-10.5 %); the bundled real ones 8.70 M -> 8.67 M. Wall clock at load 2.2-4.1 (three runs each, alternating
with c0a3124, as printed under the refresh table): SYNTHETIC 26.1-29.0 -> 30.3-38.8 µs, real 723-858 ->
902-1,141 µs, i.e. noise (the machine ran ~40 % slower than quiet); the instruction counts decide.

Issue 17, fifth round (every text on the sparse path: negating and wish words, web addresses, compound
tokens and long texts read around the hits): callgrind, ``PYTHONHASHSEED=0``, back to back with 30d499f:
``match`` on the 262 bundled real postings 6.04 M -> 2.55 M instructions a posting (-58 %), on 2,000
SYNTHETIC ones 154,420 -> 154,460 (the same). This benchmark, this machine (an Intel Xeon, slower than
the last), load 0.97, two runs alternating: bundled real ``match`` 749 / 756 -> 373 / 424 µs (match /
tokenizing 2.7 -> 1.1-1.4, ~2,500 real postings/s a process instead of ~1,350), SYNTHETIC 24.7 / 23.9 ->
25.1 / 37.6 µs (noise: the instruction counts are the same); ``mentions`` unchanged (761-864 / 747-779 µs).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["figures", "main", "render", "worker_texts"]

POSTINGS = Path(__file__).resolve().parents[2] / "shared" / "catalog" / "postings"


def worker_texts(path: Path) -> list[str]:
    """The text a refresh matches for each valid posting of a JSON Lines file."""
    from services.worker.aggregate import posting_text
    from services.worker.sources import Fetched
    from services.worker.sources.records import Posting, read_postings

    with path.open("rb") as body:
        fetched = Fetched(body=body, size=path.stat().st_size, sha256="-", declared="jsonl", name=str(path))
        return [
            posting_text(p) for p in read_postings(fetched, dt.date(2026, 1, 1)) if isinstance(p, Posting)
        ]


def _per_posting(work: Callable[[str], Any], texts: list[str], passes: int = 5) -> float:
    best = float("inf")
    for _ in range(passes):
        started = time.process_time()
        for text in texts:
            work(text)
        best = min(best, time.process_time() - started)
    return best / len(texts) * 1e6


def figures(synthetic: int = 5_000) -> list[dict[str, Any]]:
    """µs a posting of tokenizing, ``match`` and ``mentions`` on the real and the SYNTHETIC texts."""
    from services.worker.sources.synthetic import generate_postings
    from shared.catalog import load_catalog
    from shared.catalog.matching import TOKEN, SkillMatcher

    matcher = SkillMatcher(load_catalog())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "synthetic.jsonl"
        generate_postings(path, count=synthetic, seed=11, bad_ratio=0.0)
        sets = {
            "bundled real": [t for p in sorted(POSTINGS.glob("*.jsonl")) for t in worker_texts(p)],
            "SYNTHETIC": worker_texts(path),
        }
    rows = []
    for name, texts in sets.items():
        rows.append(
            {
                "texts": name,
                "postings": len(texts),
                "characters": round(sum(map(len, texts)) / len(texts)),
                "tokenize_us": round(_per_posting(TOKEN.findall, texts), 1),
                "match_us": round(_per_posting(matcher.match, texts), 1),
                "mentions_us": round(_per_posting(matcher.mentions, texts), 1),
            }
        )
    return rows


def render(rows: list[dict[str, Any]]) -> str:
    out = [
        "| postings | count | characters | match | mentions | tokenizing (baseline) | match / baseline |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['texts']} | {r['postings']:,} | {r['characters']:,} | {r['match_us']} µs | "
            f"{r['mentions_us']} µs | {r['tokenize_us']} µs | {r['match_us'] / r['tokenize_us']:.1f} |"
        )
    return "\n".join(out) + "\n"


def main() -> int:
    print("Skill matcher alone (CPU µs a posting, best of 5 passes)\n")
    print(render(figures()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
