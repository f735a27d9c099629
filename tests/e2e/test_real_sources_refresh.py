"""Refreshes from real sources through a real Celery worker: the bundled postings (the default source) and
the USAJOBS connector against a local server answering in the Search API's documented shape."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.refresh_support import RefreshServices, refresh_services
from tests.usajobs_server import EMAIL, KEY, UsajobsServer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def api() -> Iterator[UsajobsServer]:
    with UsajobsServer() as server:
        yield server


@pytest.fixture(scope="module")
def svc(
    database_server: str, redis_server: str, tmp_path_factory: pytest.TempPathFactory, api: UsajobsServer
) -> Iterator[RefreshServices]:
    extra = {
        "CAREERPATH_USAJOBS_KEY": KEY,
        "CAREERPATH_USAJOBS_EMAIL": EMAIL,
        "CAREERPATH_USAJOBS_URL": api.url,
        "CAREERPATH_USAJOBS_RESULTS_PER_PAGE": "2",
        "CAREERPATH_USAJOBS_MAX_RETRY_AFTER": "2",
        "CAREERPATH_SOURCE_TIMEOUT": "20",
    }
    with refresh_services(
        database_server, redis_server, tmp_path_factory.mktemp("real"), **extra
    ) as services:
        yield services


def test_the_default_source_is_the_bundled_real_postings_credited(svc: RefreshServices) -> None:
    run = svc.refresh(None)  # no source: the configured default
    assert run["status"] == "succeeded" and run["source"] == "bundled:real-postings", run
    assert run["records_rejected"] == 0 and run["records_accepted"] == 262  # 109 SkillSpan + 153 GSA TTS
    version, doc = svc.current()
    assert version == run["version"] and doc is not None and not doc["synthetic"]
    credits = " ".join(doc["attribution"])
    assert "SkillSpan" in credits and "CC BY 4.0" in credits and "2020-12-23..2021-08-18" in credits
    assert "Technology Transformation Services" in credits and "CC0 1.0" in credits
    assert doc["skills"]["java"]["postings"] > 20 and doc["roles"]["backend-developer"]["openings"] > 10


def test_a_usajobs_search_is_paged_and_published_with_annual_pay(
    svc: RefreshServices, api: UsajobsServer
) -> None:
    start = len(api.requests)
    run = svc.refresh("usajobs:Keyword=busy&DatePosted=30")  # each page answers 429 once, Retry-After: 1
    assert run["status"] == "succeeded", run
    assert (run["records_read"], run["records_accepted"]) == (5, 5)
    assert [q["Page"] for _, q in api.requests[start:]] == ["1", "1", "2", "2", "3", "3"]
    _, doc = svc.current()
    assert doc is not None and doc["source"] == "postings: usajobs:DatePosted=30&Keyword=busy"
    assert any("USAJOBS Search API" in line and "5 of 5 announcements" in line for line in doc["attribution"])
    assert doc["roles"]["site-reliability-engineer"]["salary_median"] == 135_000
    assert doc["roles"]["database-administrator"]["salary_median"] == 143_000  # 550 a day x 260
    assert doc["skills"]["kubernetes"]["postings"] == 1 and doc["as_of"] == "2025-05-06"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("Keyword=denied", "the API refused the credentials (HTTP 401)"),
        ("Keyword=broken", "page 1 answered HTTP 500"),
        ("Keyword=garbled", "page 1 is not the documented JSON"),
        ("Keyword=truncated", "page 1 was cut off"),
        ("Keyword=gap", "page 2 of 3 came back empty"),
    ],
)
def test_a_failing_usajobs_search_fails_the_run_in_words_and_the_live_version_stays(
    svc: RefreshServices, query: str, message: str
) -> None:
    good = svc.refresh("bundled:skillspan-2021")
    assert good["status"] == "succeeded", good
    before = svc.current()
    run = svc.refresh(f"usajobs:{query}")
    assert run["status"] == "failed" and message in (run["error"] or ""), run
    assert run["version"] is None and svc.current() == before


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("bundled:synthetic", "unknown bundled source"),
        ("usajobs:Foo=1", "unknown parameter"),
        ("usajobs:DatePosted=365", "DatePosted"),
    ],
)
def test_a_bad_real_source_is_refused_with_400_naming_the_field(
    svc: RefreshServices, source: str, reason: str
) -> None:
    before = svc.client.get("/market/runs/", params={"limit": 100}).json()["items"]
    answer = svc.client.post("/market/runs/", json={"source": source, "requested_by": "tests"})
    assert answer.status_code == 400 and answer.headers["content-type"].startswith("application/problem+json")
    error = answer.json()["errors"][0]
    assert error["field"] == "source" and reason in error["message"], answer.text
    assert svc.client.get("/market/runs/", params={"limit": 100}).json()["items"] == before
