"""A local stand-in for the USAJOBS Search API (``GET /api/Search``), answering in its documented shape.

It checks the documented headers (``Authorization-Key``, ``User-Agent`` = the registered e-mail; a wrong
pair gets 401 as the real API answers), records every request, and behaves by the ``Keyword`` asked for:

- ``paged``: :data:`ANNOUNCEMENTS` over pages of ``ResultsPerPage``, ``UserArea.NumberOfPages`` set;
- ``busy``: the first request of each page gets 429 with ``Retry-After: 1``, the next the page;
- ``overloaded``: always 503 with ``Retry-After: 1``; ``slow-down``: 429 asking for an hour;
- ``denied``: 401 (as for an unknown key); ``broken``: 500;
- ``truncated``: a body shorter than its ``Content-Length``, then the connection closes;
- ``garbled``: 200 with JSON cut in the middle; ``gap``: page 2 of 3 comes back empty;
- ``endless``: 40 pages announced, one announcement each.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["ANNOUNCEMENTS", "KEY", "EMAIL", "UsajobsServer", "announcement"]

KEY, EMAIL = "test-key-123", "careerpath-tests@example.org"


def announcement(i: int, title: str, pay: tuple[str, str, str] | None, text: str, day: str) -> dict[str, Any]:
    """One ``SearchResultItems`` entry as the API documents it."""
    remuneration = (
        [{"MinimumRange": pay[0], "MaximumRange": pay[1], "RateIntervalCode": pay[2]}] if pay else []
    )
    return {
        "MatchedObjectId": str(800000 + i),
        "MatchedObjectDescriptor": {
            "PositionID": f"TST-{i}",
            "PositionTitle": title,
            "PositionLocationDisplay": "Washington, District of Columbia",
            "PositionRemuneration": remuneration,
            "PublicationStartDate": f"{day}T00:00:00.0000",
            "QualificationSummary": "Specialized experience as described.",
            "UserArea": {
                "Details": {
                    "JobSummary": text,
                    "MajorDuties": ["Operate the systems.", "Write automation."],
                    "Requirements": "US citizenship.",
                }
            },
        },
    }


ANNOUNCEMENTS = [
    announcement(
        1,
        "IT Specialist (Site Reliability Engineer)",
        ("120000", "150000", "PA"),
        "Run Kubernetes and Terraform on AWS.",
        "2025-05-02",
    ),
    announcement(
        2,
        "Software Engineer",
        ("60.00", "70.00", "PH"),
        "Build services in Python and PostgreSQL.",
        "2025-05-03",
    ),
    announcement(3, "Cloud Engineer", ("110000", "140000", "PA"), "Azure and Docker.", "2025-05-04"),
    announcement(
        4, "Database Administrator", ("500", "600", "PD"), "Tune PostgreSQL and MySQL.", "2025-05-05"
    ),
    announcement(5, "Volunteer Developer", ("0", "0", "WC"), "Help with Java.", "2025-05-06"),
]


class UsajobsServer:
    """Serves on 127.0.0.1 in a thread; ``url`` is its Search endpoint; ``requests`` what it was asked."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], dict[str, str]]] = []  # (headers, query) per request
        self.seen: Counter[tuple[str, str]] = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                server.requests.append(({k.lower(): v for k, v in self.headers.items()}, query))
                if parts.path != "/api/Search":
                    return self._send(404, b"not found", "text/plain")
                if self.headers.get("Authorization-Key") != KEY or self.headers.get("User-Agent") != EMAIL:
                    return self._send(401, b"", "text/plain")
                server.answer(self, query)

            def _send(self, status: int, body: bytes, kind: str, extra: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (extra or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/api/Search"

    def __enter__(self) -> UsajobsServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @staticmethod
    def page(items: list[dict[str, Any]], total: int, pages: int) -> bytes:
        return json.dumps(
            {
                "LanguageCode": "EN",
                "SearchParameters": {},
                "SearchResult": {
                    "SearchResultCount": len(items),
                    "SearchResultCountAll": total,
                    "SearchResultItems": items,
                    "UserArea": {"NumberOfPages": str(pages), "IsRadialSearch": False},
                },
            }
        ).encode()

    def answer(self, h: Any, query: dict[str, str]) -> None:
        keyword, page = query.get("Keyword", ""), int(query.get("Page", "1"))
        per_page = int(query.get("ResultsPerPage", "500"))
        self.seen[(keyword, str(page))] += 1
        first_time = self.seen[(keyword, str(page))] == 1
        json_type = "application/json; charset=utf-8"
        if keyword in ("paged", "busy"):
            if keyword == "busy" and first_time:
                return h._send(429, b"", "text/plain", {"Retry-After": "1"})
            pages = -(-len(ANNOUNCEMENTS) // per_page)
            items = ANNOUNCEMENTS[(page - 1) * per_page : page * per_page]
            return h._send(200, self.page(items, len(ANNOUNCEMENTS), pages), json_type)
        if keyword == "overloaded":
            return h._send(503, b"", "text/plain", {"Retry-After": "1"})
        if keyword == "slow-down":
            return h._send(429, b"", "text/plain", {"Retry-After": "3600"})
        if keyword == "denied":  # as the API answers a key it does not know
            return h._send(401, b"", "text/plain")
        if keyword == "broken":
            return h._send(500, b"internal error", "text/plain")
        if keyword == "truncated":
            body = self.page(ANNOUNCEMENTS, len(ANNOUNCEMENTS), 1)
            h.send_response(200)
            h.send_header("Content-Type", json_type)
            h.send_header("Content-Length", str(len(body)))
            h.send_header("Connection", "close")
            h.end_headers()
            h.wfile.write(body[: len(body) // 2])
            h.wfile.flush()
            h.close_connection = True
            return None
        if keyword == "garbled":
            body = self.page(ANNOUNCEMENTS, len(ANNOUNCEMENTS), 1)
            return h._send(200, body[: len(body) // 2], json_type)
        if keyword == "gap":
            items = [] if page == 2 else ANNOUNCEMENTS[page - 1 : page]
            return h._send(200, self.page(items, 3, 3), json_type)
        if keyword == "endless":
            item = announcement(
                100 + page, "Software Engineer", ("100000", "120000", "PA"), "Go.", "2025-05-01"
            )
            return h._send(200, self.page([item], 40, 40), json_type)
        return h._send(200, self.page([], 0, 0), json_type)
