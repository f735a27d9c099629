"""The USAJOBS connector against a real local server answering in the Search API's documented shape."""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
from collections.abc import Iterator

import pytest

from services.worker.sources import SourceError
from services.worker.sources.records import Posting, Rejected, read_postings
from services.worker.sources.usajobs import UsajobsConfig, fetch_usajobs
from tests.usajobs_server import EMAIL, KEY, UsajobsServer

LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)


@pytest.fixture(scope="module")
def api() -> Iterator[UsajobsServer]:
    with UsajobsServer() as server:
        yield server


def config(api: UsajobsServer, **changes: object) -> UsajobsConfig:
    base = UsajobsConfig(
        url=api.url,
        key=KEY,
        email=EMAIL,
        per_page=2,
        max_pages=10,
        retries=2,
        max_retry_after=5.0,
        timeout=20.0,
        connect_timeout=2.0,
        max_bytes=1_000_000,
        allow=LOOPBACK,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def read(api: UsajobsServer, query: str, **changes: object) -> tuple[list[Posting], list[Rejected], tuple]:
    fetched = fetch_usajobs(query, config(api, **changes))
    try:
        items = list(read_postings(fetched, dt.date(2025, 6, 1)))
    finally:
        fetched.body.close()
    return (
        [p for p in items if isinstance(p, Posting)],
        [r for r in items if isinstance(r, Rejected)],
        fetched.credits,
    )


def test_pages_are_read_until_the_last_with_the_documented_headers_and_parameters(api: UsajobsServer) -> None:
    start = len(api.requests)
    postings, rejected, credits = read(api, "Keyword=paged&DatePosted=30")
    asked = api.requests[start:]
    assert [q["Page"] for _, q in asked] == ["1", "2", "3"]  # 5 announcements, 2 a page
    for headers, query in asked:
        assert headers["authorization-key"] == KEY and headers["user-agent"] == EMAIL
        assert headers["host"] == api.url.split("/")[2]
        assert query["ResultsPerPage"] == "2" and query["JobCategoryCode"] == "2210"  # IT by default
        assert query["Keyword"] == "paged" and query["DatePosted"] == "30"
    assert not rejected and [p.title for p in postings][:2] == [
        "IT Specialist (Site Reliability Engineer)",
        "Software Engineer",
    ]
    pay = {p.title: p.salary for p in postings}
    assert pay["IT Specialist (Site Reliability Engineer)"] == 135_000  # PA: as stated, mid-range
    assert pay["Software Engineer"] == round(60 * 2087 + 70 * 2087) / 2  # PH: 2,087 hours a year
    assert pay["Database Administrator"] == (500 * 260 + 600 * 260) / 2  # PD: 260 days
    assert pay["Volunteer Developer"] is None  # WC: without compensation
    sre = postings[0]
    assert sre.posted == dt.date(2025, 5, 2) and sre.location == "Washington, District of Columbia"
    assert "Kubernetes" in sre.text and "Write automation." in sre.text and "Specialized" in sre.text
    assert "5 of 5 announcements" in credits[0] and "USAJOBS" in credits[0]


def test_a_429_is_waited_out_as_retry_after_says_then_the_page_is_read(api: UsajobsServer) -> None:
    start = len(api.requests)
    postings, rejected, _ = read(api, "Keyword=busy")
    pages = [q["Page"] for _, q in api.requests[start:]]
    assert pages == ["1", "1", "2", "2", "3", "3"]  # each page refused once, then served
    assert len(postings) == 5 and not rejected


def test_the_page_cap_stops_the_search_and_says_so(api: UsajobsServer) -> None:
    postings, _, credits = read(api, "Keyword=endless", max_pages=3)
    assert len(postings) == 3
    assert "3 of 40 announcements" in credits[0] and "first 3 pages only" in credits[0]


@pytest.mark.parametrize(
    ("query", "changes", "message"),
    [
        ("Keyword=paged", {"key": "wrong"}, "refused the credentials (HTTP 401)"),
        ("Keyword=paged", {"email": "someone@else.org"}, "CAREERPATH_USAJOBS_KEY"),
        ("Keyword=paged", {"key": ""}, "no API credentials configured"),
        ("Keyword=broken", {}, "page 1 answered HTTP 500"),
        ("Keyword=overloaded", {}, "page 1 still answered HTTP 503 after 2 retries"),
        ("Keyword=slow-down", {}, "asking to wait 3600s, more than CAREERPATH_USAJOBS_MAX_RETRY_AFTER"),
        ("Keyword=truncated", {}, "page 1 was cut off"),
        ("Keyword=garbled", {}, "page 1 is not the documented JSON"),
        ("Keyword=gap", {"per_page": 1}, "page 2 of 3 came back empty"),
        ("Keyword=paged", {"allow": ()}, "loopback (SSRF guard)"),
        ("Keyword=paged", {"url": "http://127.0.0.1:9/api/Search", "connect_timeout": 0.5}, "unreachable"),
    ],
)
def test_failures_are_a_source_error_in_words(
    api: UsajobsServer, query: str, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(SourceError, match="usajobs|SSRF") as failure:
        fetch_usajobs(query, config(api, **changes))
    assert message in str(failure.value)
