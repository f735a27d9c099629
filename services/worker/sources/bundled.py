"""``bundled:NAME`` sources: real postings shipped with careerpath (``shared/catalog/postings/``).

``bundled:skillspan-2021`` (SkillSpan's Stack Overflow Jobs tech postings, 2020-12..2021-08, MIT / CC BY
4.0), ``bundled:gsa-tts-2018-2025`` (US GSA Technology Transformation Services postings, CC0 1.0, re-posts
removed) and ``bundled:real-postings`` (both, one run). The files and ``sources.json`` (counts, dates,
licence and credit of each) are made by ``python -m tools.build_data --data-dir ../shared/data``; the
credit travels into the published version's attribution.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from services.worker.sources import Fetched, SourceError, spool
from shared.catalog import CATALOG_DIR
from shared.contracts.sources import BUNDLED

__all__ = ["BUNDLED_DIR", "PARTS", "credits", "fetch_bundled"]

BUNDLED_DIR = CATALOG_DIR / "postings"
#: source name -> the bundled sets it reads, in order.
PARTS: dict[str, tuple[str, ...]] = {
    "real-postings": ("skillspan-2021", "gsa-tts-2018-2025"),
    "skillspan-2021": ("skillspan-2021",),
    "gsa-tts-2018-2025": ("gsa-tts-2018-2025",),
}
CHUNK = 1 << 20


def _about(folder: Path) -> dict[str, dict[str, Any]]:
    try:
        about: dict[str, dict[str, Any]] = json.loads((folder / "sources.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SourceError(f"the bundled postings are missing or damaged: sources.json ({exc})") from None
    return about


def credits(name: str, folder: Path = BUNDLED_DIR) -> tuple[str, ...]:
    """One attribution line per set the source reads: what it is, how many postings, when, its licence."""
    about = _about(folder)
    return tuple(
        f"{about[part]['credit']}: {about[part]['postings']:,} postings, {about[part]['first']}.."
        f"{about[part]['last']} ({about[part]['note']}). Licence: {about[part]['licence']}."
        for part in PARTS[name]
    )


def _chunks(paths: list[Path]) -> Iterator[bytes]:
    for path in paths:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk


def fetch_bundled(name: str, folder: Path = BUNDLED_DIR) -> Fetched:
    """The named bundled set(s) as one JSON Lines source, with their credits.

    Not held to ``CAREERPATH_SOURCE_MAX_BYTES``: the files ship with careerpath (about 2 MB), the cap is
    for sources from outside.
    """
    if name not in BUNDLED or name not in PARTS:
        raise SourceError(f"unknown bundled source {name!r}")
    about = _about(folder)
    paths = [folder / about[part]["file"] for part in PARTS[name]]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise SourceError(f"the bundled postings are missing: {', '.join(missing)}")
    size = sum(p.stat().st_size for p in paths)
    fetched = spool(_chunks(paths), max_bytes=size, name=f"{name}.jsonl", declared="jsonl")
    fetched.credits = credits(name, folder)
    return fetched
