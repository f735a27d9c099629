from __future__ import annotations

from pathlib import Path

import pytest

from services.profile.migrate import MIGRATIONS_DIR, list_migrations


def test_migrations_are_numbered_in_order() -> None:
    found = list_migrations()
    assert [n for n, _, _ in found] == list(range(1, len(found) + 1))
    assert {p.name for p in MIGRATIONS_DIR.glob("*.sql")} == {name for _, name, _ in found}


def test_bad_migration_name_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "1_x.sql").write_text("SELECT 1")
    with pytest.raises(ValueError, match="NNN_name"):
        list_migrations(tmp_path)
