"""``file:NAME`` sources: a postings file inside one of the configured folders, never outside them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from services.worker.sources import Fetched, SourceError, format_from_name, spool

__all__ = ["fetch_file", "resolve_file"]

CHUNK = 1 << 20


def resolve_file(name: str, roots: tuple[Path, ...]) -> Path:
    """The file ``name`` names (relative to the first root, or absolute), if it lies inside a root."""
    if not roots:
        raise SourceError("file sources are disabled: no CAREERPATH_SOURCE_FILE_ROOTS configured")
    candidate = Path(name)
    path = (candidate if candidate.is_absolute() else roots[0] / candidate).resolve()
    if not any(path == root or path.is_relative_to(root) for root in roots):
        raise SourceError(f"file {name!r} is outside the folders file sources may be read from")
    if not path.is_file():
        raise SourceError(f"file {name!r} does not exist or is not a regular file")
    return path


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK):
        yield chunk


def fetch_file(name: str, roots: tuple[Path, ...], max_bytes: int, timeout: float) -> Fetched:
    """Copy the file into a private spool (a file that changes while we read cannot mix two versions)."""
    path = resolve_file(name, roots)
    if path.stat().st_size > max_bytes:
        raise SourceError(f"the source is larger than the configured cap of {max_bytes:,} bytes")
    try:
        with path.open("rb") as handle:
            return spool(
                _chunks(handle),
                max_bytes=max_bytes,
                name=path.name,
                declared=format_from_name(path.name),
                deadline=time.monotonic() + timeout,
            )
    except OSError as exc:
        raise SourceError(f"cannot read file {name!r}: {exc.strerror or exc}") from None
