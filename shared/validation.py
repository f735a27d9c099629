"""Checks of skill vectors and role ids against the catalogue, shared by every service that takes them."""

from __future__ import annotations

from collections.abc import Mapping

from litestar.exceptions import ValidationException

from shared.catalog import Catalog, load_catalog

__all__ = ["check_role", "check_skills"]


def check_skills(skills: Mapping[str, int], field: str = "skills", catalog: Catalog | None = None) -> None:
    """Raise a 400 naming every unknown skill id (``skills.<id>``)."""
    catalog = catalog or load_catalog()
    unknown = [sid for sid in skills if sid not in catalog.skills]
    if unknown:
        raise ValidationException(
            detail="unknown skill id",
            extra=[{"key": f"{field}.{sid}", "message": f"unknown skill id {sid!r}"} for sid in unknown[:20]],
        )


def check_role(role: str | None, field: str = "target_role", catalog: Catalog | None = None) -> None:
    """Raise a 400 naming the field when ``role`` is not a role of the catalogue."""
    catalog = catalog or load_catalog()
    if role is not None and role not in catalog.roles:
        raise ValidationException(
            detail="unknown role id", extra=[{"key": field, "message": f"unknown role id {role!r}"}]
        )
