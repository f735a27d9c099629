"""Skills found in pasted text (a CV, a profile): ``POST /api/v1/skills/extract``.

The gateway answers it itself (``shared.catalog.extraction``); nothing is stored. Offsets are given twice:
in Unicode code points (Python, most languages) and in UTF-16 code units (JavaScript strings), which
differ only after a character outside the Basic Multilingual Plane (an emoji).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from shared.contracts.common import Level, SkillId, SkillLevels, described

__all__ = [
    "MAX_TEXT_BYTES",
    "ExtractRequest",
    "ExtractResponse",
    "FoundSkill",
    "IgnoredMention",
    "MatchedWords",
]

MAX_TEXT_BYTES = 50_000
"""The largest ``text`` taken, in bytes of UTF-8 (a long CV is about 10 kB)."""


class ExtractRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Text to find skills in."""

    text: Annotated[
        str,
        described(
            "The CV or profile text as pasted: plain text, at most 50,000 bytes of UTF-8 (more: 413), "
            "not empty or only white space (422), without control characters other than tab, line feed, "
            "carriage return and form feed (422). Nothing is stored.",
            "Backend developer, 5 years of Python and PostgreSQL; basic Go. No Kubernetes experience.",
        ),
    ]


class MatchedWords(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """Where in the text a skill (or a level cue, or a negation) was read: the exact words and offsets."""

    text: Annotated[str, described("The words as they appear in the text.", "PostgreSQL")]
    start: Annotated[
        int,
        msgspec.Meta(
            ge=0, description="Offset of the first character, in Unicode code points.", examples=[31]
        ),
    ]
    end: Annotated[
        int,
        msgspec.Meta(
            ge=0, description="Offset just past the last character, in Unicode code points.", examples=[41]
        ),
    ]
    utf16_start: Annotated[
        int,
        msgspec.Meta(
            ge=0,
            description="`start` in UTF-16 code units (what JavaScript's `String.slice` takes).",
            examples=[31],
        ),
    ]
    utf16_end: Annotated[
        int,
        msgspec.Meta(ge=0, description="`end` in UTF-16 code units.", examples=[41]),
    ]


LevelBasis = Literal["years", "words", "default"]


class FoundSkill(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """A skill of the catalogue the text mentions, with a suggested level for the user to confirm."""

    skill: Annotated[SkillId, described("The skill's id (GET /api/v1/skills lists them).", "postgresql")]
    name: Annotated[str, described("The skill's name.", "PostgreSQL")]
    matches: Annotated[
        list[MatchedWords],
        described("Every place the text mentions the skill, in text order (at least one)."),
    ]
    level: Annotated[
        Level,
        msgspec.Meta(
            description=(
                "The suggested level, 1-4 (1 aware, 2 working, 3 proficient, 4 expert), for the user to "
                "confirm: from years given next to a mention (under 1 year 1, under 3 years 2, under 6 "
                "years 3, 6 or more 4), else from words next to it (expert 4; advanced, senior, strong, "
                "extensive, proficient 3; working knowledge, intermediate, hands-on 2; basic, familiar, "
                "beginner, some exposure, learning 1), else 2. With several mentions, the highest."
            ),
            examples=[3],
        ),
    ]
    level_basis: Annotated[
        LevelBasis,
        described(
            "What set `level`: `years` (a number of years next to a mention), `words` (a word such as "
            "expert or basic), or `default` (no cue: 2, working).",
            "years",
        ),
    ]
    level_cue: Annotated[
        MatchedWords | None,
        described("The words that set `level` (null when `level_basis` is `default`)."),
    ]


class IgnoredMention(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """A mention not counted as a skill the person has: negated or only wished for."""

    skill: Annotated[SkillId, described("The skill's id.", "kubernetes")]
    words: Annotated[MatchedWords, described("The mention.")]
    reason: Annotated[
        Literal["negated", "wanted"],
        described(
            "`negated`: the text says the person lacks it (no, not, without, never …); `wanted`: the person "
            "wants or plans to learn it.",
            "negated",
        ),
    ]
    cue: Annotated[MatchedWords, described('The words that made it so ("no", "want to learn").')]


class ExtractResponse(msgspec.Struct, kw_only=True, frozen=True):
    """The catalogue's skills the text mentions, each with the words matched and a suggested level."""

    skills: Annotated[
        list[FoundSkill], described("The skills found, in the order of their first mention in the text.")
    ]
    levels: Annotated[
        SkillLevels,
        described(
            "The suggested levels as a skill map, ready to confirm and send as `skills` to "
            "POST /api/v1/recommendations or a profile.",
            {"python": 3, "postgresql": 3, "go": 1},
        ),
    ]
    ignored: Annotated[
        list[IgnoredMention],
        described(
            'Mentions not counted: the skill is negated ("no Kubernetes experience") or only wanted; a '
            "skill also mentioned plainly elsewhere is still in `skills`."
        ),
    ]
