"""Types shared by several contracts."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from shared.catalog import load_catalog
from shared.contracts.problems import ProblemCode

__all__ = [
    "ErrorBody",
    "ErrorDetail",
    "Level",
    "RoleId",
    "SkillId",
    "SkillLevels",
    "SentSkills",
    "SentTargetRole",
    "SentYears",
    "Years",
    "described",
]

# Skill and role ids are the catalogue's: the OpenAPI document lists them, and msgspec refuses others.
_catalog = load_catalog()
SkillId: Any = Literal[tuple(_catalog.skill_ids)]
RoleId: Any = Literal[tuple(_catalog.role_ids)]
Level = Annotated[int, msgspec.Meta(ge=0, le=4)]
Years = Annotated[float, msgspec.Meta(ge=0, le=60)]
SkillLevels = Annotated[dict[SkillId, Level], msgspec.Meta(max_length=200)]


def described(text: str, *examples: object) -> msgspec.Meta:
    """A field's description and example values for the OpenAPI document; no constraint."""
    return msgspec.Meta(description=text, examples=list(examples) if examples else None)


# What a caller sends about a person (a profile, a recommendation request, a batch candidate), described once.
SentSkills = Annotated[
    SkillLevels,
    described(
        "Skill levels by skill id; a skill left out counts as 0.", {"python": 3, "sql": 2, "docker": 2}
    ),
]
SentYears = Annotated[Years, described("Years of professional experience, 0-60 (fractions allowed).", 4)]
SentTargetRole = Annotated[
    RoleId | None,
    described(
        "The role the learning steps lead to; absent or null: the best-matching role not met yet.",
        "backend-developer",
    ),
]


class ErrorDetail(msgspec.Struct, kw_only=True, frozen=True, omit_defaults=True):
    """One problem with a request: which field, and why."""

    field: Annotated[
        str,
        msgspec.Meta(
            description="the field: a dotted path into the body (`candidates[2].skills.python`), "
            "or the name of a header (`If-Match`), query or path parameter"
        ),
    ]
    message: Annotated[str, msgspec.Meta(description="what is wrong with it")]
    pointer: Annotated[
        str | None, msgspec.Meta(description="for a field of the JSON body, its JSON Pointer (RFC 6901)")
    ] = None


class ErrorBody(msgspec.Struct, kw_only=True, frozen=True):
    """Every 4xx/5xx answer: RFC 9457 problem details (`application/problem+json`) with the extension
    members `code`, `errors` and `request_id`. `error` and `status_code` are deprecated aliases of `code`
    and `status`, kept for one version."""

    type: Annotated[
        str, msgspec.Meta(description="the kind of problem: `/problems/<code>`, which describes it")
    ]
    title: Annotated[
        str,
        msgspec.Meta(
            description="a short summary of the kind of problem (the same for every answer with this code)"
        ),
    ]
    status: Annotated[int, msgspec.Meta(description="the HTTP status code")]
    detail: Annotated[str, msgspec.Meta(description="what went wrong with this request")]
    instance: Annotated[
        str | None, msgspec.Meta(description="the path of the request this answer is for")
    ] = None
    code: Annotated[
        ProblemCode,
        msgspec.Meta(description="the machine-readable error code (the catalogue is at `/problems`)"),
    ]
    errors: Annotated[
        list[ErrorDetail], msgspec.Meta(description="every invalid field, when the problem is about fields")
    ] = []
    request_id: Annotated[
        str | None, msgspec.Meta(description="the request's id (also `X-Request-ID`): quote it in reports")
    ] = None
    error: Annotated[
        ProblemCode,
        msgspec.Meta(description="deprecated: the same as `code`; removed in the next major version"),
    ]
    status_code: Annotated[
        int, msgspec.Meta(description="deprecated: the same as `status`; removed in the next major version")
    ]
