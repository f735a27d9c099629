"""Types shared by several contracts."""

from __future__ import annotations

from typing import Annotated

import msgspec

__all__ = ["ErrorBody", "ErrorDetail", "Level", "SkillId", "SkillLevels", "Years"]

SkillId = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.+-]*$")]
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
