"""``/api/v1/skills`` and ``/api/v1/roles``: the taxonomy and roles catalogue the questionnaire shows.

Both are public and the same for every caller until the catalogue changes (a deploy), so each is encoded
once, with a strong ETag; ``If-None-Match`` answers 304 and caches may keep them for five minutes.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get
from litestar.openapi import ResponseSpec
from litestar.params import HeaderParameter

from services.gateway.conditional import CATALOGUE_CACHE, conditional_json, etag_headers, etag_of
from shared.catalog import load_catalog
from shared.contracts.common import described

__all__ = ["ChoiceOut", "IfNoneMatch", "NOT_MODIFIED", "RoleOut", "list_roles", "list_skills"]


class SkillOut(msgspec.Struct, kw_only=True, frozen=True):
    """A skill of the catalogue: an id to use in skill maps, its name and category."""

    id: Annotated[str, described("The skill's id, as used in skill maps.", "docker")]
    name: Annotated[str, described("The skill's name.", "Docker and containers")]
    category: Annotated[str, described("The skill's category.", "servers-hosting")]
    prerequisites: Annotated[list[str], described("Skill ids to learn before this one.", ["linux"])]


class ChoiceOut(msgspec.Struct, kw_only=True, frozen=True):
    """A requirement met by any one of several skills, at a level (e.g. one server-side language)."""

    label: Annotated[str, described("What the choice is, in words.", "a server-side language")]
    level: Annotated[
        int,
        msgspec.Meta(
            ge=1,
            le=4,
            description="The level one of the skills needs: 1 aware, 2 working, 3 proficient, 4 expert.",
            examples=[3],
        ),
    ]
    skills: Annotated[
        list[str],
        described(
            "The alternatives, by skill id (GET /api/v1/skills lists them): any one of them at `level` meets "
            "the requirement.",
            ["python", "java", "go"],
        ),
    ]


class RoleOut(msgspec.Struct, kw_only=True, frozen=True):
    """A role of the catalogue: what it is and the skills it asks for (single skills and choices)."""

    id: Annotated[str, described("The role's id.", "backend-developer")]
    name: Annotated[str, described("The role's name.", "Backend developer")]
    description: Annotated[str, described("What the role does, in a sentence.")]
    occupation_code: Annotated[
        str | None,
        described("The role's occupation (US SOC code) its market figures come from, or null.", "15-1252"),
    ]
    requirements: Annotated[
        dict[str, int],
        described(
            (
                "The single skills the role asks for, by skill id, with the level each needs (a "
                "requirement any one of several skills meets is in `choices`)."
            ),
            {"sql": 3, "docker": 2},
        ),
    ]
    choices: Annotated[
        list[ChoiceOut],
        described(
            "The requirements any one of several skills meets (empty when there are none); a role's full "
            "requirements are `requirements` and these.",
        ),
    ] = []


#: RFC 9110's If-None-Match: * or a comma-separated list of entity tags (obs-text left out).
_TAG = r'((W/)?"[\x21\x23-\x7e]*")?'
IF_NONE_MATCH_PATTERN = rf"^[ \t]*(\*|{_TAG}([ \t]*,[ \t]*{_TAG})*)[ \t]*$"

IfNoneMatch = Annotated[
    str | None,
    HeaderParameter(
        name="if-none-match",
        required=False,
        description='The ETag you hold (or several, comma-separated, or *): 304 when it is current; W/"…" '
        "compares weakly. Not * or entity tags in quotes: 400 naming If-None-Match.",
        # Said in the document only (conditional.py checks it and names the header when it fails), so a
        # generated client or a fuzzer knows what the server takes.
        schema_extra={"pattern": IF_NONE_MATCH_PATTERN},
    ),
]
NOT_MODIFIED = {
    304: ResponseSpec(data_container=None, description="Not Modified: the ETag you sent is current (no body)")
}


@functools.cache
def _skills() -> tuple[bytes, str]:
    body = msgspec.json.encode(
        [
            SkillOut(id=s.id, name=s.name, category=s.category, prerequisites=list(s.prerequisites))
            for s in load_catalog().skills.values()
        ]
    )
    return body, etag_of(body)


@functools.cache
def _roles() -> tuple[bytes, str]:
    body = msgspec.json.encode(
        [
            RoleOut(
                id=r.id,
                name=r.name,
                description=r.description,
                occupation_code=r.occupation_code,
                requirements=dict(r.requirements),
                choices=[
                    ChoiceOut(label=c.label, level=c.level, skills=list(c.skills)) for c in r.alternatives
                ],
            )
            for r in load_catalog().roles.values()
        ]
    )
    return body, etag_of(body)


@get(
    "/api/v1/skills",
    tags=["catalogue"],
    summary="The skills taxonomy",
    description=(
        "Every skill id the API accepts in a skill map, with its name, category and prerequisites. "
        "Public: no credential needed."
    ),
    response_headers=etag_headers("the catalogue", CATALOGUE_CACHE),
    responses=NOT_MODIFIED,
    sync_to_thread=False,
)
def list_skills(
    request: Request[Any, Any, Any], if_none_match: IfNoneMatch = None
) -> Response[list[SkillOut]]:
    body, etag = _skills()
    return conditional_json(request, body, CATALOGUE_CACHE, etag)


@get(
    "/api/v1/roles",
    tags=["catalogue"],
    summary="The backend roles catalogue",
    description=(
        "Every role id the API ranks, with its name, description, occupation code and required skill "
        "levels: single skills in `requirements`, and in `choices` the requirements any one of several "
        "skills meets (a server-side language, a database). Public: no credential needed."
    ),
    response_headers=etag_headers("the catalogue", CATALOGUE_CACHE),
    responses=NOT_MODIFIED,
    sync_to_thread=False,
)
def list_roles(request: Request[Any, Any, Any], if_none_match: IfNoneMatch = None) -> Response[list[RoleOut]]:
    body, etag = _roles()
    return conditional_json(request, body, CATALOGUE_CACHE, etag)
