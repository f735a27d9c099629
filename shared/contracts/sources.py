"""What names a job-market source: ``snapshot``, ``file:NAME`` or an http(s) URL.

Part of the refresh contract: the profile service refuses a trigger whose source does not parse (400), the
worker resolves, fetches and validates the content of one that does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

__all__ = ["SourceSpec", "parse_source"]


@dataclass(frozen=True)
class SourceSpec:
    kind: Literal["snapshot", "file", "http"]
    location: str

    def __str__(self) -> str:
        return {"snapshot": "snapshot", "file": f"file:{self.location}"}.get(self.kind, self.location)


def parse_source(text: str) -> SourceSpec:
    """Parse a source string; ValueError with a reason when it is not one careerpath can read."""
    value = text.strip()
    if not value or len(value) > 2048 or any(ord(c) < 32 for c in value):
        raise ValueError("a source is a non-empty single line of at most 2048 characters")
    if value == "snapshot":
        return SourceSpec("snapshot", "bundled")
    lowered = value.lower()
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
    raise ValueError("expected 'snapshot', 'file:NAME' or an http(s) URL")
