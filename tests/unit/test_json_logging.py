"""JSON log lines and request ids: the faster paths give what the former ones gave (shared/logging.py's
formatter against ``json.dumps``; new_request_id against ``uuid.uuid4().hex``; the access line's fields)."""

from __future__ import annotations

import io
import json
import logging
import sys
import time
import uuid

import pytest

from shared.logging import JsonFormatter, request_id_var
from shared.web.middleware import _log_access, access, new_request_id


def _former(record: logging.LogRecord, service: str) -> str:
    """The formatter as it was: json.dumps per line, the time formatted per line."""
    entry: dict[str, object] = {
        "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
        "level": record.levelname,
        "service": service,
        "logger": record.name,
        "msg": record.getMessage(),
    }
    request_id = request_id_var.get()
    if request_id:
        entry["request_id"] = request_id
    extra = getattr(record, "fields", None)
    if isinstance(extra, dict):
        entry.update(extra)
    if record.exc_info:
        entry["exc"] = logging.Formatter().formatException(record.exc_info)
    return json.dumps(entry, default=str)


@pytest.mark.parametrize(
    ("msg", "args", "fields"),
    [
        ("%s %s %s", ("GET", "/api/v1/profiles/x", 200), {"status": 200, "ms": 1.25}),
        ("naïve “quotes” \u2028 and \x00", (), None),
        ("%d items", (3,), {"when": uuid.UUID(int=7), "none": None, "nested": {"a": [1, 2.5]}}),
    ],
)
def test_lines_are_the_former_ones_byte_for_byte(msg: str, args: tuple[object, ...], fields: object) -> None:
    formatter = JsonFormatter("gateway")
    token = request_id_var.set("rid-1")
    try:
        for created in (1_764_475_200.0, 1_764_475_200.999, 1_764_475_201.5, 1_764_475_200.25):  # back too
            record = logging.LogRecord("careerpath.x", logging.INFO, __file__, 1, msg, args, None)
            record.created, record.msecs = created, (created - int(created)) * 1000
            if fields is not None:
                record.fields = fields
            assert formatter.format(record) == _former(record, "gateway")
    finally:
        request_id_var.reset(token)
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("careerpath.x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    assert formatter.format(record) == _former(record, "gateway")


def test_request_ids_are_version_4_uuids_in_hex() -> None:
    made = {new_request_id() for _ in range(2000)}
    assert len(made) == 2000
    for value in made:
        parsed = uuid.UUID(hex=value)
        assert value == parsed.hex and len(value) == 32
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_the_access_line_names_method_path_status_and_time() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("profile"))
    access.addHandler(handler)
    level, propagate = access.level, access.propagate
    access.setLevel(logging.INFO)
    access.propagate = False
    try:
        _log_access("POST", "/keys/check", 401, 2.5)
        access.setLevel(logging.WARNING)
        _log_access("GET", "/healthz", 200, 0.1)  # not logged at WARNING
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
        access.propagate = propagate
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert (line["logger"], line["msg"], line["status"], line["ms"]) == (
        "careerpath.access",
        "POST /keys/check 401",
        401,
        2.5,
    )
