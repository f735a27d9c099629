"""What names a job-market source: ``snapshot``, ``bundled:NAME``, ``usajobs:QUERY``, ``file:NAME`` or a URL.

Part of the refresh contract: the profile service refuses a trigger whose source does not parse (400), the
worker resolves, fetches and validates the content of one that does.

* ``bundled:NAME`` names real postings shipped with careerpath (:data:`BUNDLED`);
* ``usajobs:`` the USAJOBS Search API (US federal job announcements), optionally with search parameters
  in query-string form: ``usajobs:JobCategoryCode=2210&DatePosted=30&Keyword=python``
  (:data:`USAJOBS_PARAMETERS`; without ``JobCategoryCode`` the search is 2210, Information Technology).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

__all__ = ["BUNDLED", "USAJOBS_PARAMETERS", "SourceSpec", "parse_source", "usajobs_query"]

#: Real postings bundled with careerpath (``shared/catalog/postings/``), by source name.
BUNDLED: dict[str, str] = {
    "real-postings": "both sets below, one run",
    "skillspan-2021": "SkillSpan: Stack Overflow Jobs tech postings, 2020-12..2021-08 (MIT / CC BY 4.0)",
    "gsa-tts-2018-2025": "GSA Technology Transformation Services postings, 2018-04..2025-02 (CC0 1.0)",
}
#: USAJOBS Search API parameters a ``usajobs:`` source may set, each with the pattern its value must match.
USAJOBS_PARAMETERS: dict[str, re.Pattern[str]] = {
    "Keyword": re.compile(r"[^\x00-\x1f]{1,200}"),
    "PositionTitle": re.compile(r"[^\x00-\x1f]{1,200}"),
    "JobCategoryCode": re.compile(r"\d{4}(?:;\d{4}){0,9}"),
    "LocationName": re.compile(r"[^\x00-\x1f]{1,200}"),
    "Organization": re.compile(r"[A-Za-z0-9]{2,10}(?:;[A-Za-z0-9]{2,10}){0,9}"),
    "DatePosted": re.compile(r"(?:[0-9]|[1-5][0-9]|60)"),
}


@dataclass(frozen=True)
class SourceSpec:
    kind: Literal["snapshot", "file", "http", "bundled", "usajobs"]
    location: str

    def __str__(self) -> str:
        prefixes = {"snapshot": "", "file": "file:", "bundled": "bundled:", "usajobs": "usajobs:"}
        if self.kind == "snapshot":
            return "snapshot"
        return prefixes.get(self.kind, "") + self.location


def usajobs_query(text: str) -> dict[str, str]:
    """The search parameters of a ``usajobs:`` source (after the prefix); ValueError naming a bad one."""
    params: dict[str, str] = {}
    for key, value in parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text)):
        pattern = USAJOBS_PARAMETERS.get(key)
        if pattern is None:
            raise ValueError(
                f"usajobs: unknown parameter {key[:40]!r}; expected one of {', '.join(USAJOBS_PARAMETERS)}"
            )
        if key in params:
            raise ValueError(f"usajobs: parameter {key} given twice")
        if not pattern.fullmatch(value):
            raise ValueError(f"usajobs: {key} has a value it does not accept: {value[:40]!r}")
        params[key] = value
    return params


def _usajobs(text: str) -> SourceSpec:
    try:
        params = usajobs_query(text)
    except ValueError as exc:
        if str(exc).startswith("usajobs:"):
            raise
        raise ValueError(
            "usajobs: parameters are written as a query string (Keyword=python&DatePosted=30)"
        ) from None
    return SourceSpec("usajobs", urlencode(sorted(params.items())))


def parse_source(text: str) -> SourceSpec:
    """Parse a source string; ValueError with a reason when it is not one careerpath can read."""
    value = text.strip()
    if not value or len(value) > 2048 or any(ord(c) < 32 for c in value):
        raise ValueError("a source is a non-empty single line of at most 2048 characters")
    if value == "snapshot":
        return SourceSpec("snapshot", "bundled")
    lowered = value.lower()
    if lowered.startswith("bundled:"):
        name = value[8:]
        if name not in BUNDLED:
            raise ValueError(f"unknown bundled source {name[:40]!r}; expected one of {', '.join(BUNDLED)}")
        return SourceSpec("bundled", name)
    if lowered.startswith("usajobs:"):
        return _usajobs(value[8:])
    if lowered.startswith(("http://", "https://")):
        parts = urlsplit(value)
        if not parts.hostname:
            raise ValueError("the URL has no host")
        if parts.username or parts.password:
            raise ValueError("credentials in source URLs are not accepted")
        try:
            _ = parts.port
        except ValueError:
            raise ValueError("the URL's port is not valid") from None
        return SourceSpec("http", value)
    if lowered.startswith("file:"):
        path = value[5:]
        if path.startswith("//"):
            path = path[2:]
        if not path or "\x00" in path:
            raise ValueError("file: needs a file name")
        return SourceSpec("file", path)
    raise ValueError("expected 'snapshot', 'bundled:NAME', 'usajobs:QUERY', 'file:NAME' or an http(s) URL")
