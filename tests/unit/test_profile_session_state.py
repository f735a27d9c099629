"""The profile service's pool gives connections back without asyncpg's reset query
(services.profile.db.keep_session); that is sound only while no SQL of the service leaves session state
behind. This reads every SQL string of the service (migrations aside: they run on their own connection)
and fails on statements that would."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import services.profile

ROOT = Path(services.profile.__file__).parent
SESSION_STATE = re.compile(  # statements as this code writes SQL (upper case); functions in any case
    r"^\s*(SET\s+(?!LOCAL\b)|RESET\s|LISTEN\s|DECLARE\s|PREPARE\s|CREATE\s+TEMP)"
    r"|(?i:pg_(try_)?advisory_lock(_shared)?\s*\()"
    r"|(?i:set_config\s*\([^)]*,\s*false)"
    r"|\bWITH\s+HOLD\b",
    re.MULTILINE,
)


def _sql_strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_no_sql_of_the_service_leaves_session_state() -> None:
    found = [
        (path.relative_to(ROOT), text.strip()[:80])
        for path in sorted(ROOT.rglob("*.py"))
        if path.name != "migrate.py"
        for text in _sql_strings(path)
        if SESSION_STATE.search(text)
    ]
    assert found == []


def test_the_check_sees_what_it_is_for() -> None:
    for sql in (
        "SET statement_timeout = 0",
        "  RESET ALL",
        "LISTEN refresh",
        "SELECT pg_advisory_lock(1)",
        "SELECT set_config('a.b', 'c', false)",
        "DECLARE c CURSOR WITH HOLD FOR SELECT 1",
    ):
        assert SESSION_STATE.search(sql), sql
    for sql in (
        "UPDATE profiles SET version = version + 1",
        "SET LOCAL lock_timeout = 100",
        "SELECT pg_advisory_xact_lock(1)",
        "SELECT set_config('a.b', 'c', true)",
    ):
        assert not SESSION_STATE.search(sql), sql
