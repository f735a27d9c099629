"""``usajobs:QUERY`` sources: US federal job announcements from the USAJOBS Search API, paged.

What the API documents (developer.usajobs.gov, "API Reference: Search"; checked against public clients
such as github.com/mrandrewmills/USAJobs and the USAJOBS write-up on dev.to "Five things to know before
you build on the USAJOBS Search API"):

* ``GET https://data.usajobs.gov/api/Search`` with the headers ``Host: data.usajobs.gov``,
  ``User-Agent: <the e-mail the key was registered with>`` and ``Authorization-Key: <key>``;
* parameters ``Keyword``, ``PositionTitle``, ``JobCategoryCode`` (occupational series, 2210 = IT),
  ``LocationName``, ``Organization``, ``DatePosted`` (days, 0..60), ``ResultsPerPage`` (at most 500) and
  ``Page`` (from 1); one query pages through at most 10,000 results;
* the answer: ``SearchResult.SearchResultCount`` (items on this page), ``SearchResultCountAll`` (all
  matches), ``SearchResultItems[].MatchedObjectDescriptor`` with ``PositionID``, ``PositionTitle``,
  ``PositionLocationDisplay``, ``PublicationStartDate``, ``QualificationSummary``,
  ``PositionRemuneration[]`` (``MinimumRange``, ``MaximumRange``, ``RateIntervalCode``: PA per year,
  PH per hour, PD per day, BW bi-weekly, PM per month, WC without compensation) and
  ``UserArea.Details`` (``JobSummary``, ``MajorDuties``, ``Requirements``); and
  ``SearchResult.UserArea.NumberOfPages``.

Each announcement becomes one posting record (title, the summary, duties, requirements and
qualifications as the text, pay normalised to a year: 2,087 hours, 260 days, 26 pay periods or 12
months; location; publication date), written as JSON Lines into the private spool the refresh validates
like any other source. Every request goes to an address the SSRF guard allows
(``CAREERPATH_SOURCE_ALLOW_NETWORKS``), redirects are not followed. A 429 or 503 is waited out as its
``Retry-After`` says (at most ``CAREERPATH_USAJOBS_MAX_RETRY_AFTER`` seconds, at most
``CAREERPATH_USAJOBS_RETRIES`` times a page); a refused key (401/403), another error status, a body that
is not the documented JSON, a short body or a page that comes back empty before ``NumberOfPages`` fail
the run with a :class:`SourceError` saying which page and why. ``CAREERPATH_USAJOBS_MAX_PAGES`` caps the
pages read; the version's attribution says when the cap cut the search short.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import msgspec

from services.worker.settings import WorkerSettings
from services.worker.sources import Fetched, SourceError, spool
from services.worker.sources.http import Network, pinned_target
from shared.contracts.sources import usajobs_query

__all__ = ["ANNUAL", "UsajobsConfig", "annual_pay", "fetch_usajobs", "posting_record"]

#: RateIntervalCode -> periods in a year (OPM: 2,087 working hours a year). Others (WC...) carry no pay.
ANNUAL = {"PA": 1, "PH": 2087, "PD": 260, "BW": 26, "PM": 12}
DEFAULT_CATEGORY = "2210"  # Information Technology Management
RETRY_STATUSES = (429, 503)


class Remuneration(msgspec.Struct, rename="pascal"):
    minimum_range: str | float | None = None
    maximum_range: str | float | None = None
    rate_interval_code: str | None = None


class Details(msgspec.Struct, rename="pascal"):
    job_summary: str | None = None
    major_duties: list[str] | str | None = None
    requirements: str | None = None


class ItemArea(msgspec.Struct, rename="pascal"):
    details: Details | None = None


class Descriptor(msgspec.Struct, rename="pascal"):
    position_i_d: str | None = msgspec.field(default=None, name="PositionID")
    position_title: str | None = None
    position_location_display: str | None = None
    publication_start_date: str | None = None
    qualification_summary: str | None = None
    position_remuneration: list[Remuneration] = []
    user_area: ItemArea | None = None


class Item(msgspec.Struct, rename="pascal"):
    matched_object_id: str | int | None = None
    matched_object_descriptor: Descriptor | None = None


class PageArea(msgspec.Struct, rename="pascal"):
    number_of_pages: int | str | None = None


class SearchResult(msgspec.Struct, rename="pascal"):
    search_result_count: int
    search_result_count_all: int
    search_result_items: list[Item] = []
    user_area: PageArea | None = None


class Answer(msgspec.Struct, rename="pascal"):
    search_result: SearchResult


_answer = msgspec.json.Decoder(Answer)
_record = msgspec.json.Encoder()


@dataclass(frozen=True)
class UsajobsConfig:
    """What a USAJOBS fetch needs from the worker's settings."""

    url: str
    key: str
    email: str
    per_page: int
    max_pages: int
    retries: int
    max_retry_after: float
    timeout: float
    connect_timeout: float
    max_bytes: int
    allow: tuple[Network, ...] = ()

    @classmethod
    def from_settings(cls, settings: WorkerSettings) -> UsajobsConfig:
        return cls(
            url=settings.usajobs_url,
            key=settings.usajobs_key,
            email=settings.usajobs_email,
            per_page=settings.usajobs_results_per_page,
            max_pages=settings.usajobs_max_pages,
            retries=settings.usajobs_retries,
            max_retry_after=settings.usajobs_max_retry_after,
            timeout=settings.source_timeout,
            connect_timeout=settings.source_connect_timeout,
            max_bytes=settings.source_max_bytes,
            allow=settings.allow_networks,
        )


@dataclass
class _Tally:
    pages: int = 0
    items: int = 0
    total: int | None = None
    cut: bool = False
    first: str = ""
    last: str = ""
    dates: list[str] = field(default_factory=list)


def _amount(value: str | float | None) -> float | None:
    try:
        amount = float(value) if value is not None and value != "" else None
    except ValueError:
        return None
    return amount if amount and amount > 0 else None


def annual_pay(pay: list[Remuneration]) -> tuple[float | None, float | None]:
    """(minimum, maximum) a year, from the first range with a known interval; (None, None) without one."""
    for band in pay:
        periods = ANNUAL.get((band.rate_interval_code or "").strip().upper())
        if periods is None:
            continue
        low, high = _amount(band.minimum_range), _amount(band.maximum_range)
        if low is None and high is None:
            continue
        return (
            round(low * periods) if low is not None else None,
            round(high * periods) if high is not None else None,
        )
    return None, None


def _text(descriptor: Descriptor) -> str:
    details = descriptor.user_area.details if descriptor.user_area else None
    duties = details.major_duties if details else None
    parts = [
        details.job_summary if details else None,
        "\n".join(duties) if isinstance(duties, list) else duties,
        details.requirements if details else None,
        descriptor.qualification_summary,
    ]
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def posting_record(item: Item) -> dict[str, Any]:
    """One announcement as a posting record of the refresh's format (validated by ``read_postings``)."""
    descriptor = item.matched_object_descriptor or Descriptor()
    low, high = annual_pay(descriptor.position_remuneration)
    record: dict[str, Any] = {
        "id": f"usajobs-{item.matched_object_id or descriptor.position_i_d or ''}".rstrip("-") or None,
        "title": (descriptor.position_title or "").strip(),
        "description": _text(descriptor),
        "salary_min": low,
        "salary_max": high,
        "location": (descriptor.position_location_display or "").strip()[:200] or None,
        "posted_date": (descriptor.publication_start_date or "")[:10] or None,
    }
    if record["id"] == "usajobs":
        record["id"] = None
    return {k: v for k, v in record.items() if v not in (None, "")}


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


class _Search:
    """One search: pages fetched in order, each checked, retried on 429/503 as the server asks."""

    def __init__(self, params: dict[str, str], config: UsajobsConfig, client: httpx.Client) -> None:
        self.params, self.config, self.client = params, config, client
        self.deadline = time.monotonic() + config.timeout
        self.tally = _Tally()

    def _wait(self, page: int, status: int, retry_after: str | None, attempt: int) -> None:
        asked = _retry_after(retry_after)
        wait = asked if asked is not None else min(2.0**attempt, self.config.max_retry_after)
        if attempt >= self.config.retries:
            raise SourceError(
                f"usajobs: page {page} still answered HTTP {status} after {self.config.retries} retries"
            )
        if wait > self.config.max_retry_after:
            raise SourceError(
                f"usajobs: page {page} answered HTTP {status} asking to wait {wait:g}s, more than "
                f"CAREERPATH_USAJOBS_MAX_RETRY_AFTER ({self.config.max_retry_after:g}s)"
            )
        if time.monotonic() + wait > self.deadline:
            raise SourceError(
                f"usajobs: page {page} answered HTTP {status}; waiting {wait:g}s would pass the source "
                f"timeout ({self.config.timeout:g}s)"
            )
        time.sleep(wait)

    def _body(self, page: int) -> bytes:
        query = urlencode({**self.params, "ResultsPerPage": self.config.per_page, "Page": page})
        url = f"{self.config.url}{'&' if '?' in self.config.url else '?'}{query}"
        for attempt in range(self.config.retries + 1):
            target, host, extensions = pinned_target(url, self.config.allow, self.config.connect_timeout)
            try:
                with self.client.stream("GET", target, headers=host, extensions=extensions) as response:
                    status = response.status_code
                    if status in RETRY_STATUSES:
                        retry_after = response.headers.get("retry-after")
                    elif status in (401, 403):
                        raise SourceError(
                            f"usajobs: the API refused the credentials (HTTP {status}): check "
                            "CAREERPATH_USAJOBS_KEY and CAREERPATH_USAJOBS_EMAIL"
                        )
                    elif status != 200:
                        raise SourceError(f"usajobs: page {page} answered HTTP {status}")
                    else:
                        return self._read(response, page)
            except httpx.TimeoutException:
                raise SourceError(f"usajobs: page {page}: no complete answer within the timeout") from None
            except httpx.HTTPError as exc:
                raise SourceError(f"usajobs: page {page} was cut off or unreachable: {exc}"[:300]) from None
            self._wait(page, status, retry_after, attempt)
        raise AssertionError("unreachable")  # pragma: no cover - _wait raises on the last attempt

    def _read(self, response: httpx.Response, page: int) -> bytes:
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > self.config.max_bytes:
                raise SourceError(f"usajobs: page {page} is larger than the configured source cap")
            if time.monotonic() > self.deadline:
                raise SourceError(f"usajobs: the search did not finish within {self.config.timeout:g}s")
        return bytes(body)

    def _page(self, page: int) -> SearchResult:
        body = self._body(page)
        try:
            return _answer.decode(body).search_result
        except msgspec.DecodeError as exc:
            raise SourceError(
                f"usajobs: page {page} is not the documented JSON (SearchResult...): {str(exc)[:120]}"
            ) from None

    def records(self) -> Iterator[bytes]:
        """The announcements of every page, as JSON Lines, page after page."""
        page, pages = 1, 1
        while page <= pages:
            result = self._page(page)
            area = result.user_area.number_of_pages if result.user_area else None
            pages = int(area) if isinstance(area, int) or (isinstance(area, str) and area.isdigit()) else page
            self.tally.total = result.search_result_count_all
            if not result.search_result_items and page <= pages and result.search_result_count_all:
                raise SourceError(
                    f"usajobs: page {page} of {pages} came back empty "
                    f"({result.search_result_count_all:,} announcements announced)"
                )
            self.tally.pages, self.tally.items = page, self.tally.items + len(result.search_result_items)
            yield b"".join(
                _record.encode(posting_record(item)) + b"\n" for item in result.search_result_items
            )
            if page >= self.config.max_pages and pages > page:
                self.tally.cut = True
                return
            page += 1


def fetch_usajobs(query: str, config: UsajobsConfig) -> Fetched:
    """Every announcement the search finds (up to the page cap), as a JSON Lines spool with its credit."""
    if not config.key or not config.email:
        raise SourceError(
            "usajobs: no API credentials configured: set CAREERPATH_USAJOBS_KEY and CAREERPATH_USAJOBS_EMAIL "
            "(the key is free from developer.usajobs.gov)"
        )
    params = usajobs_query(query)
    params.setdefault("JobCategoryCode", DEFAULT_CATEGORY)
    headers = {"user-agent": config.email, "authorization-key": config.key, "accept": "application/json"}
    limits = httpx.Timeout(config.timeout, connect=config.connect_timeout)
    with httpx.Client(timeout=limits, follow_redirects=False, trust_env=False, headers=headers) as client:
        search = _Search(params, config, client)
        fetched = spool(
            search.records(),
            max_bytes=config.max_bytes,
            name="usajobs.jsonl",
            declared="jsonl",
            deadline=search.deadline,
        )
    tally = search.tally
    cut = f", the first {tally.pages} pages only (CAREERPATH_USAJOBS_MAX_PAGES)" if tally.cut else ""
    fetched.credits = (
        f"USAJOBS Search API (data.usajobs.gov, US Office of Personnel Management), "
        f"{urlencode(sorted(params.items()))}: {tally.items:,} of {tally.total or 0:,} announcements{cut}, "
        f"read {dt.date.today().isoformat()}. US federal government data.",
    )
    return fetched
