"""The bundled real postings (``shared/catalog/postings/``), normalised from the team kit's copies.

Called by :mod:`tools.build_data` (``python -m tools.build_data --data-dir ../shared/data``); reads
``postings/skillspan/postings.jsonl`` and ``postings/tts_join/postings.jsonl`` under ``--data-dir`` and
writes one JSON Lines file per source in the refresh's postings format (``id``, ``title``, ``description``,
``posted_date``, ``salary_min``/``salary_max`` when stated, ``location``), their licences, and
``sources.json`` (what each file is: rows, dates, licence, credit), deterministically.

- SkillSpan: the ``tech`` postings only (Stack Overflow Jobs, 2020-12..2021-08; the ``house`` ones are
  not technology jobs). The title is the first line up to the page's header fields, without the
  de-identification tags; the text is kept whole (header lines and the employer's ``Technologies`` tag
  line included); no salaries upstream.
- GSA TTS: HTML tags and template placeholders stripped from the Markdown; test pages and pages without a
  text dropped; re-posts of the same role kept once, the latest version (:func:`near_duplicates`).
  ``posted_date`` is the opening date, else the day the page was first published in the repository
  (``first_committed``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

__all__ = ["build_postings", "near_duplicates", "role_key", "shingles"]

SKILLSPAN = "postings/skillspan"
TTS = "postings/tts_join"
_TAG = re.compile(r"<(?:ORGANIZATION|ADDRESS|LOCATION|PERSON|URL|EMAIL|PHONE)>")
_HTML = re.compile(r"<[^>\n]{1,200}>|\{%.*?%\}|\{\{.*?\}\}", re.S)
_OFFICE = re.compile(
    r"\b(?:upcoming role|18f|login\.gov|cloud\.gov|tts operations|tts|coe|centers of excellence|pif|"
    r"presidential innovation fellows|usdc)\b|\bgs-?\d+\b|\(it specialist\)|[^a-z0-9 ]",
    re.I,
)
# Where a SkillSpan posting's first sentence runs from its title into the page's header fields.
_HEADER = re.compile(r"\s(?:Date posted:|Likes:|Job description:|Location options:)")
MAX_TITLE = 200
_WORD = re.compile(r"[a-z0-9]+")
SAME_ROLE, SAME_TEXT = 0.5, 0.9  # shingle overlap for a re-post: same role title / any title


def shingles(text: str, size: int = 5) -> frozenset[str]:
    """The text's runs of ``size`` words (lower case), its fingerprint for near-duplicate checks."""
    words = _WORD.findall(text.lower())
    return frozenset(" ".join(words[i : i + size]) for i in range(max(1, len(words) - size + 1)))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def role_key(title: str) -> str:
    """A title without office names, grades and punctuation ("18F - Strategist": "strategist")."""
    return " ".join(_OFFICE.sub(" ", title.lower()).split())


def near_duplicates(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``records`` (oldest first) without earlier versions of a re-posted role: the latest of each is kept.

    A re-post has the same :func:`role_key` and at least half its word 5-shingles in common (the hiring
    boilerplate alone makes different roles up to ~0.7 alike), or 90 % in common whatever its title.
    """
    kept: list[tuple[str, frozenset[str], dict[str, Any]]] = []
    for record in records:
        title, marks = role_key(record["title"]), shingles(record["description"])
        for i, (other, other_marks, _) in enumerate(kept):
            alike = _jaccard(marks, other_marks)
            if alike >= SAME_TEXT or (other == title and alike >= SAME_ROLE):
                kept[i] = (title, marks, record)
                break
        else:
            kept.append((title, marks, record))
    return [record for _, _, record in kept]


def _lines(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _skillspan(data_dir: Path) -> list[dict[str, Any]]:
    out = []
    for row in _lines(data_dir / SKILLSPAN / "postings.jsonl"):
        if row["source"] != "tech":
            continue
        first = _HEADER.split(row["text"].partition("\n")[0], 1)[0]
        title = re.sub(r"\s+", " ", _TAG.sub("", first)).strip(" -,")[:MAX_TITLE]
        options = re.search(r"Location options:\n([^\n]*)", row["text"])
        out.append(
            {
                "id": f"skillspan-{row['posting_key']}",
                "title": title,
                "description": row["text"],
                "posted_date": row["date_posted"],
                "location": "Remote" if options and "Remote" in options.group(1) else None,
            }
        )
    return sorted(out, key=lambda r: (r["posted_date"] or "", r["id"]))


def _tts(data_dir: Path) -> list[dict[str, Any]]:
    out = []
    for row in _lines(data_dir / TTS / "postings.jsonl"):
        text = _HTML.sub(" ", row.get("description_markdown") or "")
        text = re.sub(r"[ \t]+\n", "\n", re.sub(r"\n{3,}", "\n\n", text)).strip()
        title = (row.get("title") or "").strip()
        if not title or len(text) < 200 or re.search(r"\btest (?:job|position)\b", title, re.I):
            continue
        low, high = row.get("salary_min_usd"), row.get("salary_max_usd")
        out.append(
            {
                "id": f"gsa-tts-{row['id']}",
                "title": title,
                "description": text,
                "posted_date": row.get("opens_date") or (row.get("first_committed") or "")[:10] or None,
                "salary_min": round(low) if low else None,
                "salary_max": round(high) if high else None,
                "location": (row.get("location") or "").strip()[:200] or None,
            }
        )
    out.sort(key=lambda r: (r["posted_date"] or "", r["id"]))
    kept, ids = near_duplicates(out), Counter[str]()
    for record in kept:  # two pages of one id (moved in the repository): both kept, ids made unique
        ids[record["id"]] += 1
        if ids[record["id"]] > 1:
            record["id"] += f"-{ids[record['id']]}"
    return kept


def _jsonl(records: list[dict[str, Any]]) -> str:
    return "".join(
        json.dumps({k: v for k, v in r.items() if v is not None}, ensure_ascii=False, sort_keys=True) + "\n"
        for r in records
    )


def _about(records: list[dict[str, Any]], **facts: Any) -> dict[str, Any]:
    dates = sorted(r["posted_date"] for r in records if r.get("posted_date"))
    return {
        **facts,
        "postings": len(records),
        "dated": len(dates),
        "with_salary": sum(1 for r in records if r.get("salary_min") or r.get("salary_max")),
        "first": dates[0] if dates else None,
        "last": dates[-1] if dates else None,
    }


def build_postings(data_dir: Path) -> dict[str, str]:
    """{path under shared/catalog: text} for the bundled postings, their licences and ``sources.json``."""
    skillspan, tts = _skillspan(data_dir), _tts(data_dir)
    raw_tts = sum(1 for _ in _lines(data_dir / TTS / "postings.jsonl"))
    about = {
        "skillspan-2021": _about(
            skillspan,
            file="skillspan-2021.jsonl",
            licence="MIT (LICENSE-skillspan); the authors' dataset card says CC BY 4.0",
            credit="SkillSpan (Zhang, Jensen, Sonniks, Plank, NAACL 2022, "
            "https://aclanthology.org/2022.naacl-main.366): Stack Overflow Jobs tech postings",
            note="tech postings of the train and dev splits; de-identified upstream; no salaries",
        ),
        "gsa-tts-2018-2025": _about(
            tts,
            file="gsa-tts-2018-2025.jsonl",
            licence="US public domain, CC0 1.0 worldwide (LICENSE-gsa-tts.md)",
            credit="US General Services Administration, Technology Transformation Services job postings "
            "(github.com/18F/join.tts.gsa.gov, snapshot 5dfa66db)",
            note=f"{raw_tts} posting pages; test pages, empty pages and earlier versions of re-posted roles "
            "removed (same role title and texts at least half alike, or texts 90 % alike)",
        ),
    }
    return {
        "postings/skillspan-2021.jsonl": _jsonl(skillspan),
        "postings/gsa-tts-2018-2025.jsonl": _jsonl(tts),
        "postings/LICENSE-skillspan": (data_dir / SKILLSPAN / "LICENSE").read_text(encoding="utf-8"),
        "postings/LICENSE-gsa-tts.md": (data_dir / TTS / "LICENSE.md").read_text(encoding="utf-8"),
        "postings/sources.json": json.dumps(about, indent=1) + "\n",
    }
