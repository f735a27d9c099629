"""Postings matched to skills (taxonomy synonyms) and to roles; aggregation per skill and role."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from services.worker.aggregate import Aggregator, relative_change
from services.worker.matching import RoleMatcher, SkillMatcher
from services.worker.sources.records import Posting
from shared.catalog import load_catalog
from shared.contracts.market_document import MarketDocument


@pytest.fixture(scope="module")
def skills() -> SkillMatcher:
    return SkillMatcher(load_catalog())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Python/Django with PostgreSQL", {"python", "web-frameworks", "postgresql"}),
        ("C# and ASP.NET Core on .NET", {"csharp", "web-frameworks"}),
        ("Node.js, CI/CD with GitHub Actions", {"nodejs", "ci-cd", "git"}),
        ("REST/GraphQL APIs, T-SQL", {"rest", "graphql", "sql"}),
        ("Apache Kafka and Ruby on Rails", {"message-queues", "ruby", "web-frameworks"}),
        ("Python's ecosystem", {"python"}),
        ("We use Go and Golang", {"go"}),
    ],
)
def test_synonyms_match_skills(skills: SkillMatcher, text: str, expected: set[str]) -> None:
    assert expected <= skills.match(text)


def test_english_words_need_the_taxonomy_spelling(skills: SkillMatcher) -> None:
    assert skills.match("we go to the rest of the node and spark joy") == set()
    assert {"go", "rest", "spark"} <= skills.match("Go, REST and Spark")


@pytest.mark.parametrize(
    ("title", "role"),
    [
        ("Senior Site Reliability Engineer", "site-reliability-engineer"),
        ("SRE", "site-reliability-engineer"),
        ("Backend Developer (Go)", "backend-developer"),
        ("PostgreSQL DBA", "database-administrator"),
        ("Full-Stack Engineer", "fullstack-developer"),
        ("Cloud Security Engineer", "application-security-engineer"),
    ],
)
def test_titles_match_roles(title: str, role: str) -> None:
    assert RoleMatcher(load_catalog()).match(title, set()) == role


def test_role_falls_back_to_required_skills_then_to_none() -> None:
    matcher = RoleMatcher(load_catalog())
    catalog = load_catalog()
    dba = set(catalog.roles["database-administrator"].requirements)
    assert matcher.match("Engineer", dba) == "database-administrator"
    assert matcher.match("Engineer", {"python"}) is None


def posting(title: str, text: str, salary: float | None = None, day: int = 1) -> Posting:
    return Posting(
        line=1, title=title, text=text, skills=(), salary=salary, location=None, posted=dt.date(2025, 5, day)
    )


def test_aggregate_demand_trend_openings_and_salary_band() -> None:
    agg = Aggregator(load_catalog())
    for i in range(10):
        agg.add(
            posting(
                "Backend Engineer",
                "Python and PostgreSQL" if i < 4 else "Java",
                100_000 + i * 1000,
                day=i + 1,
            )
        )
    previous = {
        "version": "v0",
        "skills": {"python": {"demand": 0.2}, "java": {"demand": 0.6}},
        "roles": {"backend-developer": {"openings": 5}, "data-engineer": {"openings": 5}},
    }
    typed = agg.document("file:x.jsonl", msgspec.convert(previous, MarketDocument), dt.date(2025, 6, 1))
    doc = msgspec.to_builtins(typed)
    assert doc["skills"]["python"] == {"demand": 0.4, "trend": 1.0, "postings": 4, "basis": "postings"}
    assert doc["skills"]["java"]["demand"] == 0.6 and doc["skills"]["java"]["trend"] == 0.0
    assert doc["skills"]["kubernetes"]["demand"] == 0.0
    role = doc["roles"]["backend-developer"]
    assert role["openings"] == 10 and role["salary_samples"] == 10
    assert role["salary_p10"] < role["salary_median"] < role["salary_p90"]
    assert role["openings_trend"] == 1.0  # share 0.5 -> 1.0
    assert doc["as_of"] == "2025-05-10" and doc["previous_version"] == "v0" and doc["postings"] == 10
    assert set(doc["skills"]) == set(load_catalog().skills) and set(doc["roles"]) == set(load_catalog().roles)


def test_synthetic_postings_label_the_whole_document() -> None:
    agg = Aggregator(load_catalog())
    agg.add(
        Posting(
            line=1, title="SRE", text="Go", skills=(), salary=None, location=None, posted=None, synthetic=True
        )
    )
    doc = msgspec.to_builtins(agg.document("file:s.jsonl", None, dt.date(2025, 6, 1)))
    assert doc["synthetic"] is True and doc["source"].startswith("SYNTHETIC")
    assert "not market data" in doc["attribution"][0]


def test_relative_change() -> None:
    assert relative_change(0.3, 0.2) == 0.5
    assert relative_change(0.3, None) == 0.0 and relative_change(0.3, 0.0) == 0.0
    assert relative_change(1.0, 0.01) == 10.0
