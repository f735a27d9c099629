"""Read postings (JSON Lines or CSV) and validate every record.

Fields of a posting: ``title`` (required), ``description`` and/or ``skills`` (at least one), and optional
``salary`` (a number, ``"120k"``, ``"$100,000-140,000"``, ``{"min": .., "max": ..}``, or ``salary_min`` /
``salary_max``), ``location``, ``posted_date`` (ISO date; ``posted_at`` / ``date`` also read), ``id``.
A bad record becomes a :class:`Rejected` (line, field, reason) and reading goes on; a source that is not
the format it declares raises :class:`SourceError` before any record is used.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import re
from collections.abc import Iterator
from typing import Any

import msgspec

from services.worker.sources import Fetched, Format, SourceError

__all__ = [
    "MAX_LINE",
    "PlainRecord",
    "Posting",
    "Record",
    "Rejected",
    "detect_format",
    "read_postings",
    "record_posting",
]

MAX_LINE = 1 << 20
MAX_TITLE, MAX_TEXT, MAX_SKILLS, MAX_SKILL, MAX_LOCATION = 300, 100_000, 100, 100, 200
SALARY_MIN, SALARY_MAX = 10_000, 2_000_000
_SALARY_PART = re.compile(r"(\d+(?:\.\d+)?)([kK])?")
_SALARY_NOISE = re.compile(r"(?i)[\s,$€£]|usd|eur|gbp|/year|/yr|peryear|ayear|annually|annual")
_SALARY_TEXT = re.compile(r"\d+(?:\.\d+)?[kK]?(?:[-–]\d+(?:\.\d+)?[kK]?)?")
_SPLIT = re.compile(r"[,;|]")
_json = msgspec.json.Decoder()


class Posting(msgspec.Struct, frozen=True):
    """A valid posting (a frozen Struct: built in ~0.3 µs, a frozen dataclass took ~3-7 µs, a refresh builds
    one a posting)."""

    line: int
    title: str
    text: str
    skills: tuple[str, ...]
    salary: float | None
    location: str | None
    posted: dt.date | None
    synthetic: bool = False


class Rejected(msgspec.Struct, frozen=True):
    line: int
    field: str
    reason: str


class _Bad(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _text(raw: dict[str, Any], field: str, limit: int, required: bool = False) -> str:
    value = raw.get(field)
    if value is None or value == "":
        if required:
            raise _Bad(field, "missing")
        return ""
    if not isinstance(value, str):
        raise _Bad(field, f"expected text, got {type(value).__name__}")
    value = value.strip()
    if required and not value:
        raise _Bad(field, "empty")
    if len(value) > limit:
        raise _Bad(field, f"longer than {limit:,} characters")
    return value


def _skills(raw: dict[str, Any]) -> tuple[str, ...]:
    return _skills_of(raw.get("skills"))


def _skills_of(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    items = _SPLIT.split(value) if isinstance(value, str) else value
    if not isinstance(items, list):
        raise _Bad("skills", f"expected a list or a comma-separated text, got {type(value).__name__}")
    if len(items) > MAX_SKILLS:
        raise _Bad("skills", f"more than {MAX_SKILLS} skills")
    out = []
    for item in items:
        if not isinstance(item, str):
            raise _Bad("skills", f"expected text items, got {_short(item)}")
        if len(item) > MAX_SKILL:
            raise _Bad("skills", f"an item is longer than {MAX_SKILL} characters")
        if item.strip():
            out.append(item.strip())
    return tuple(out)


def _amount(value: Any) -> float:
    if isinstance(value, bool):
        raise _Bad("salary", f"not an amount: {_short(value)}")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        compact = _SALARY_NOISE.sub("", value)
        if _SALARY_TEXT.fullmatch(compact):
            amounts = [float(n) * (1000 if k else 1) for n, k in _SALARY_PART.findall(compact)]
            return sum(amounts) / len(amounts)
    raise _Bad("salary", f"not an amount: {_short(value)}")


def _salary(raw: dict[str, Any]) -> float | None:
    value = raw.get("salary")
    if isinstance(value, dict):
        low, high = value.get("min"), value.get("max")
    elif value is None or value == "":
        low, high = raw.get("salary_min"), raw.get("salary_max")
        if low in (None, "") and high in (None, ""):
            return None
    else:
        low = high = value
    bounds = [_amount(v) for v in (low, high) if v not in (None, "")]
    if not bounds:
        raise _Bad("salary", "no amount given")
    if len(bounds) == 2 and bounds[0] > bounds[1]:
        raise _Bad("salary", "minimum above maximum")
    amount = sum(bounds) / len(bounds)
    if not SALARY_MIN <= amount <= SALARY_MAX:
        raise _Bad("salary", f"annual amount {amount:,.0f} outside {SALARY_MIN:,}..{SALARY_MAX:,}")
    return amount


@functools.lru_cache(maxsize=8)
def _date_range(today: dt.date) -> tuple[dt.date, dt.date]:
    """The dates a posting read on ``today`` may have (~0.5 µs a posting when built each time)."""
    return dt.date(2000, 1, 1), today + dt.timedelta(days=1)


_DAYS_KEPT = 4096  # valid ``posted_date`` texts whose day is remembered, per day of reading


@functools.lru_cache(maxsize=8)
def _valid_days(today: dt.date) -> dict[str, dt.date]:
    """``posted_date`` texts read on ``today`` with a valid day in range, and that day (filled by
    :func:`record_posting`): postings repeat their dates (~600 instructions a posting to parse one)."""
    return {}


def _posted(raw: dict[str, Any], today: dt.date) -> dt.date | None:
    earliest, latest = _date_range(today)
    for field in ("posted_date", "posted_at", "date"):
        value = raw.get(field)
        if value in (None, ""):
            continue
        if not isinstance(value, str):
            raise _Bad(field, f"expected an ISO date, got {_short(value)}")
        try:
            day = dt.date.fromisoformat(value[:10])
        except ValueError:
            raise _Bad(field, f"not an ISO date: {_short(value)}") from None
        if not earliest <= day <= latest:
            raise _Bad(field, f"date {day.isoformat()} is out of range")
        return day
    return None


class Record(msgspec.Struct, gc=False):
    """The fields of a record a posting reads, as decoded (any JSON value; an absent field is None, as
    ``dict.get`` gives it: the checks read every field that way). Not tracked by the garbage collector
    (JSON values hold no cycles)."""

    id: Any = None
    title: Any = None
    description: Any = None
    skills: Any = None
    salary: Any = None
    salary_min: Any = None
    salary_max: Any = None
    location: Any = None
    posted_date: Any = None
    posted_at: Any = None
    date: Any = None
    synthetic: Any = None


class PlainRecord(Record, forbid_unknown_fields=True, gc=False):
    """A JSON Lines record with no other field than :class:`Record`'s, decoded without building a dict (a
    refreshed chunk's lines). With any other field the line is read as a dict instead: the decoder would
    skip a field it does not know without checking it (invalid UTF-8, a number out of range), where a
    dict's decode refuses the line."""


def _posting(line: int, raw: dict[str, Any], today: dt.date) -> Posting:
    """The posting of one record, or :class:`_Bad` for its first invalid field (title, description, skills,
    location, salary, date: :func:`_checked_posting`'s order): :func:`record_posting` on its fields."""
    try:
        record = msgspec.convert(raw, Record)
    except msgspec.ValidationError:  # a key that is not text (no JSON or CSV record has one)
        return _checked_posting(line, raw, today)
    return record_posting(line, record, today) or _checked_posting(line, raw, today)


def record_posting(line: int, record: Record, today: dt.date) -> Posting | None:
    """The posting of a usual record (text fields as text within their limits, no skills or a list, a salary
    as a number or ``{"min": .., "max": ..}`` of numbers, a valid ``posted_date``), each field read once; None
    for anything else (then :func:`_checked_posting` reads it), or :class:`_Bad` for invalid skills as
    :func:`_checked_posting` raises it. Its answers and errors are :func:`_checked_posting`'s
    (tests/unit/test_records_fast.py). 24,800 -> 15,000 instructions a SYNTHETIC record (callgrind)."""
    title = record.title
    text = record.description
    location = record.location
    if (
        type(title) is not str
        or not (title := title.strip())
        or len(title) > MAX_TITLE
        or (text is not None and (type(text) is not str or len(text := text.strip()) > MAX_TEXT))
        or (
            location is not None
            and (type(location) is not str or len(location := location.strip()) > MAX_LOCATION)
        )
    ):
        return None
    skills = () if record.skills is None else _skills_of(record.skills)
    if not text and not skills:
        return None
    salary: Any = record.salary
    if type(salary) is dict:
        low: Any = salary.get("min")
        high: Any = salary.get("max")
        if type(low) not in _NUMBERS or type(high) not in _NUMBERS or low > high:
            return None
        amount: float | None = (float(low) + float(high)) / 2
    elif type(salary) in _NUMBERS:
        amount = float(salary)
    elif salary is None and record.salary_min is None and record.salary_max is None:
        amount = None
    else:
        return None
    if amount is not None and not SALARY_MIN <= amount <= SALARY_MAX:
        return None
    posted = record.posted_date
    if type(posted) is not str:
        return None
    days = _valid_days(today)
    day = days.get(posted)
    if day is None:
        if len(posted) < 10:
            return None
        try:
            day = dt.date.fromisoformat(posted[:10])
        except ValueError:
            return None
        earliest, latest = _date_range(today)
        if not earliest <= day <= latest:
            return None
        if len(days) < _DAYS_KEPT:
            days[posted] = day
    return Posting(
        line,
        title,
        text or "",
        skills,
        amount,
        location or None,
        day,
        record.synthetic in _YES,
    )


_NUMBERS = (int, float)  # the types of JSON numbers (not bool: type(True) is bool)
_YES = (True, "true", "1", "yes")


def _checked_posting(line: int, raw: dict[str, Any], today: dt.date) -> Posting:
    """The posting of one record, each field read and checked by its own function."""
    title = _text(raw, "title", MAX_TITLE, required=True)
    text = _text(raw, "description", MAX_TEXT)
    skills = _skills(raw)
    if not text and not skills:
        raise _Bad("description", "a posting needs a description or skills")
    location = _text(raw, "location", MAX_LOCATION) or None
    return Posting(
        line=line,
        title=title,
        text=text,
        skills=skills,
        salary=_salary(raw),
        location=location,
        posted=_posted(raw, today),
        synthetic=raw.get("synthetic") in _YES,
    )


def detect_format(fetched: Fetched) -> Format:
    """The declared format, else a sniff of the first bytes; binary content is refused."""
    head = fetched.body.read(4096)
    fetched.body.seek(0)
    if b"\x00" in head:
        raise SourceError("wrong format: the source is binary, not JSON Lines or CSV")
    if fetched.declared:
        return fetched.declared
    return "jsonl" if head.lstrip(codecs.BOM_UTF8 + b" \t\r\n").startswith(b"{") else "csv"


def _jsonl(fetched: Fetched) -> Iterator[tuple[int, dict[str, Any] | Rejected]]:
    body, line, first = fetched.body, 0, True
    while True:
        chunk = body.readline(MAX_LINE + 1)
        if not chunk:
            return
        line += 1
        if len(chunk) > MAX_LINE and not chunk.endswith(b"\n"):
            while (more := body.readline(MAX_LINE)) and not more.endswith(b"\n"):
                pass
            yield line, Rejected(line, "line", f"longer than {MAX_LINE:,} bytes")
            continue
        if first:
            chunk = chunk.removeprefix(codecs.BOM_UTF8)
        stripped = chunk.strip()
        if not stripped:
            continue
        if first:
            first = False
            if not stripped.startswith(b"{"):
                raise SourceError(f"wrong format: not JSON Lines (line {line} does not start a JSON object)")
        try:
            value = _json.decode(stripped)
        except msgspec.DecodeError as exc:
            yield line, Rejected(line, "line", f"not valid JSON: {str(exc)[:80]}")
            continue
        except RecursionError:  # nested deeper than the decoder allows: one bad record, not a bad run
            yield line, Rejected(line, "line", "nested too deeply")
            continue
        yield line, value if isinstance(value, dict) else Rejected(line, "line", "not a JSON object")


def _csv(fetched: Fetched) -> Iterator[tuple[int, dict[str, Any] | Rejected]]:
    text = io.TextIOWrapper(fetched.body, encoding="utf-8-sig", errors="replace", newline="")
    reader = csv.reader(text)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return
    except csv.Error as exc:
        raise SourceError(f"wrong format: not CSV ({exc})") from None
    if "title" not in header or not {"description", "skills"} & set(header):
        raise SourceError(
            "wrong format: not a postings CSV (the header needs 'title' and 'description' or 'skills')"
        )
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, Rejected(reader.line_num, "line", f"not valid CSV: {exc}"[:120])
            continue
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield (
                reader.line_num,
                Rejected(reader.line_num, "line", f"{len(row)} columns, header has {len(header)}"),
            )
            continue
        yield reader.line_num, dict(zip(header, row, strict=True))


def read_postings(fetched: Fetched, today: dt.date | None = None) -> Iterator[Posting | Rejected]:
    """Every record of the source, as a valid Posting or a Rejected naming line, field and reason."""
    today = today or dt.date.today()
    rows = _jsonl(fetched) if detect_format(fetched) == "jsonl" else _csv(fetched)
    seen_ids: set[str] = set()
    for line, raw in rows:
        if isinstance(raw, Rejected):
            yield raw
            continue
        posting_id = raw.get("id")
        if isinstance(posting_id, (str, int)) and not isinstance(posting_id, bool) and posting_id != "":
            key = str(posting_id)
            if key in seen_ids:
                yield Rejected(line, "id", f"duplicate id {_short(key)}")
                continue
            seen_ids.add(key)
        try:
            yield _posting(line, raw, today)
        except _Bad as bad:
            yield Rejected(line, bad.field, bad.reason)
