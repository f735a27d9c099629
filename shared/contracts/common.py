"""Types shared by several contracts."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from shared.catalog import load_catalog

__all__ = ["ErrorBody", "ErrorDetail", "Level", "RoleId", "SkillId", "SkillLevels", "Years"]

# Skill and role ids are the catalogue's: the OpenAPI document lists them, and msgspec refuses others.
_catalog = load_catalog()
SkillId: Any = Literal[tuple(_catalog.skill_ids)]
RoleId: Any = Literal[tuple(_catalog.role_ids)]
Level = Annotated[int, msgspec.Meta(ge=0, le=4)]
Years = Annotated[float, msgspec.Meta(ge=0, le=60)]
SkillLevels = Annotated[dict[SkillId, Level], msgspec.Meta(max_length=200)]


class ErrorDetail(msgspec.Struct, kw_only=True, frozen=True):
    """One problem with a request: which field, and why."""

    field: str
    message: str


class ErrorBody(msgspec.Struct, kw_only=True, frozen=True):
    """The JSON body of every 4xx/5xx answer."""

    status_code: int
    error: str
    detail: str
    errors: list[ErrorDetail] = []
    request_id: str | None = None
