"""The market document contract: the snapshot goes through it unchanged, a document with a field this
version does not know still decodes (rolling upgrade), and a document written before the contract reads."""

from __future__ import annotations

import json

import msgspec

from shared.catalog import load_snapshot
from shared.contracts.market_document import MarketDocument
from shared.market import content_version

# What the worker wrote before the contract existed (explicit nulls included).
BEFORE = {
    "source": "postings: file:python.jsonl",
    "as_of": "2025-05-01",
    "attribution": ["Job postings from file:python.jsonl (30 postings, 2025-05-01..2025-05-01)."],
    "basis": "postings",
    "synthetic": False,
    "postings": 30,
    "previous_version": None,
    "notes": {"demand": "share"},
    "skills": {"python": {"demand": 1.0, "trend": 0.0, "postings": 30, "basis": "postings"}},
    "roles": {
        "backend-developer": {
            "name": "Backend Developer",
            "occupation_code": "15-1252",
            "openings": 30,
            "salary_p10": None,
            "salary_median": None,
            "salary_p90": None,
            "salary_samples": 0,
            "openings_trend": 0.0,
        }
    },
    "version": "2025-05-01-abc",
    "published_at": 1746000000.5,
}


def test_the_snapshot_round_trips_unchanged_and_keeps_its_content_version() -> None:
    snapshot = load_snapshot()
    typed = msgspec.convert(snapshot, MarketDocument)
    assert msgspec.to_builtins(typed) == snapshot
    assert content_version(typed) == content_version(snapshot)


def test_a_document_from_before_the_contract_reads() -> None:
    doc = msgspec.json.decode(json.dumps(BEFORE).encode(), type=MarketDocument)
    assert doc.version == "2025-05-01-abc" and doc.skills["python"].demand == 1.0
    role = doc.roles["backend-developer"]
    assert role.openings == 30 and role.salary_median is None and doc.previous_version is None


def test_fields_a_newer_writer_adds_are_ignored_by_an_older_reader() -> None:
    newer = json.loads(json.dumps(BEFORE))
    newer["region"] = "EU"
    newer["skills"]["python"]["remote_share"] = 0.7
    newer["roles"]["backend-developer"]["contract_share"] = 0.1
    doc = msgspec.json.decode(json.dumps(newer).encode(), type=MarketDocument)
    assert doc == msgspec.json.decode(json.dumps(BEFORE).encode(), type=MarketDocument)


def test_the_contract_schema_is_stable() -> None:
    """A change to the document's fields shows up here as a diff."""
    (_,), components = msgspec.json.schema_components([MarketDocument])
    assert {name: sorted(c["properties"]) for name, c in components.items()} == {
        "MarketDocument": sorted(
            ["version", "published_at", "source", "as_of", "attribution", "basis", "synthetic", "postings"]
            + ["previous_version", "notes", "skills", "roles", "series"]
        ),
        "MarketSeries": ["months", "postings", "roles", "skills", "undated"],
        "RoleFigures": sorted(
            ["name", "occupation_code", "occupation_title", "employment", "openings", "salary_p10"]
            + ["salary_median", "salary_p90", "salary_samples", "growth_pct", "openings_trend"]
        ),
        "SkillFigures": ["basis", "demand", "postings", "trend"],
    }


def test_a_document_with_a_series_is_read_by_an_older_reader() -> None:
    """A postings-2 document (with ``series``) decodes with a reader that has no such field."""

    class OlderDocument(msgspec.Struct, kw_only=True):
        source: str = ""
        skills: dict[str, dict[str, object]] = {}

    newer = {
        **BEFORE,
        "series": {
            "months": ["2025-04", "2025-05"],
            "postings": [3, 4],
            "undated": 1,
            "skills": {"python": [1, 2]},
            "roles": {},
        },
    }
    raw = json.dumps(newer).encode()
    assert msgspec.json.decode(raw, type=OlderDocument).skills["python"]["demand"] == 1.0
    doc = msgspec.json.decode(raw, type=MarketDocument)
    assert doc.series is not None and doc.series.skills["python"] == [1, 2] and doc.series.undated == 1
