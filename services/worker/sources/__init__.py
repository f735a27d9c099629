"""Where job-market data comes from: the bundled snapshot, a postings file, or an http(s) feed of postings.

A source is named by one string (the ``source`` of a run, ``CAREERPATH_REFRESH_SOURCE`` by default):

* ``snapshot`` — the bundled market figures (``shared/catalog/market_snapshot.json``);
* ``bundled:NAME`` — real postings shipped with careerpath (``shared/catalog/postings/``, :mod:`.bundled`);
* ``usajobs:QUERY`` — the USAJOBS Search API, paged (:mod:`.usajobs`);
* ``file:NAME`` — a JSON Lines or CSV postings file inside one of ``CAREERPATH_SOURCE_FILE_ROOTS``;
* ``https://…`` / ``http://…`` — a feed serving JSON Lines or CSV, fetched with the SSRF guard.

:func:`parse_source` (:mod:`shared.contracts.sources`) checks the syntax only (the profile service uses
it to refuse a bad trigger with 400);
the worker resolves, fetches and validates the content. Any failure of the source itself is a
:class:`SourceError`: the run fails with its message and the last good data stays live.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO, Literal

from shared.contracts.sources import SourceSpec, parse_source

__all__ = ["Fetched", "Format", "SourceError", "SourceSpec", "format_from_name", "parse_source", "spool"]

Format = Literal["jsonl", "csv"]


class SourceError(Exception):
    """The source cannot be used (unreachable, too large, too slow, wrong format, refused address...)."""


@dataclass
class Fetched:
    """A source's bytes, copied into a private (spooled) file while hashed and size-checked."""

    body: BinaryIO
    size: int
    sha256: str
    declared: Format | None
    name: str
    credits: tuple[str, ...] = ()  # the source's own attribution (licence, dates), added to the version's


def format_from_name(name: str) -> Format | None:
    """The format a file name or URL path declares by its extension, if any."""
    lowered = name.lower().split("?", 1)[0]
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lowered.endswith(".csv"):
        return "csv"
    return None


def spool(
    chunks: Iterable[bytes],
    *,
    max_bytes: int,
    name: str,
    declared: Format | None,
    deadline: float | None = None,
) -> Fetched:
    """Copy ``chunks`` into a private spooled file, hashing them; refuse over ``max_bytes`` or too late.

    ``deadline`` is a ``time.monotonic()`` value: a feed that drips bytes slowly is cut off there, not only
    when a single read stalls.
    """
    body = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - returned to the caller
    digest = hashlib.sha256()
    size = 0
    try:
        for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                raise SourceError(f"the source is larger than the configured cap of {max_bytes:,} bytes")
            if deadline is not None and time.monotonic() > deadline:
                raise SourceError("the source is too slow: it did not finish within the configured timeout")
            digest.update(chunk)
            body.write(chunk)
    except BaseException:
        body.close()
        raise
    body.seek(0)
    return Fetched(body=body, size=size, sha256=digest.hexdigest(), declared=declared, name=name)  # type: ignore[arg-type]
