"""``/api/v1/skills`` and ``/api/v1/roles``: the taxonomy and roles catalogue the questionnaire shows."""

from __future__ import annotations

import msgspec
from litestar import get

from shared.catalog import load_catalog

__all__ = ["list_roles", "list_skills"]


class SkillOut(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    name: str
    category: str
    prerequisites: list[str]


class RoleOut(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    name: str
    description: str
    occupation_code: str | None
    requirements: dict[str, int]


@get(
    "/api/v1/skills",
    tags=["catalogue"],
    summary="The skills taxonomy",
    description=(
        "Every skill id the API accepts in a skill map, with its name, category and prerequisites. Public: no"
        " credential needed."
    ),
    sync_to_thread=False,
)
def list_skills() -> list[SkillOut]:
    catalog = load_catalog()
    return [
        SkillOut(id=s.id, name=s.name, category=s.category, prerequisites=list(s.prerequisites))
        for s in catalog.skills.values()
    ]


@get(
    "/api/v1/roles",
    tags=["catalogue"],
    summary="The backend roles catalogue",
    description=(
        "Every role id the API ranks, with its name, description, occupation code and required skill levels. "
        "Public: no credential needed."
    ),
    sync_to_thread=False,
)
def list_roles() -> list[RoleOut]:
    return [
        RoleOut(
            id=r.id,
            name=r.name,
            description=r.description,
            occupation_code=r.occupation_code,
            requirements=dict(r.requirements),
        )
        for r in load_catalog().roles.values()
    ]
