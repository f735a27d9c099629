"""Skills in pasted text, with a suggested level each: what ``POST /api/v1/skills/extract`` answers.

Matching is :class:`shared.catalog.matching.SkillMatcher`. The level is a suggestion for the user to
confirm, read from cues in the same sentence or line as a mention:

- years ("5 years of Python", "Python (3 yrs)", "2+ years", "8 months"): under 1 year 1, under 3
  years 2, under 6 years 3, 6 or more 4;
- words: "expert", "mastery" 4; "advanced", "senior", "strong", "extensive", "deep", "proficient", "fluent",
  "solid", "in-depth" 3; "working knowledge", "intermediate", "hands-on", "good knowledge/understanding/
  experience" 2; "basic", "familiar", "beginner", "novice", "exposure", "learning", "introductory",
  "some/little/limited experience", "a little", "some" right before the skill ("some Node.js") 1;
- otherwise 2 (working): a CV names what its writer has used.

Which cue belongs to which mention: one in the same comma-separated part of the sentence (nearest; a
number of years before a word), else the nearest one before the mention in the sentence ("Expert in
Python, Go and Rust"), else the nearest after it ("Python, Go: 5 years"). Several mentions of a skill:
the highest level. Negated or wanted mentions count for nothing; a skill only negated is not found.
"""

from __future__ import annotations

import bisect
import functools
import re
from typing import Literal, NamedTuple

from shared.catalog import Catalog, load_catalog
from shared.catalog.matching import Mention, SkillMatcher
from shared.contracts.extract import ExtractResponse, FoundSkill, IgnoredMention, MatchedWords

__all__ = ["DEFAULT_LEVEL", "Cue", "Extractor", "extractor", "years_level"]

DEFAULT_LEVEL = 2
_YEARS = re.compile(
    r"\b(\d{1,2}(?:\.\d)?|one|two|three|four|five|six|seven|eight|nine|ten|a)\s*\+?\s*"
    r"(?:-\s*\d{1,2}\s*)?(?:years?|yrs?)\b",
    re.I,
)
_MONTHS = re.compile(r"\b(\d{1,2})\s*months?\b", re.I)
_NUMBERS = {
    "a": 1.0, "one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0, "six": 6.0, "seven": 7.0,
    "eight": 8.0, "nine": 9.0, "ten": 10.0,
}  # fmt: skip
_WORDS: tuple[tuple[int, str], ...] = (
    (4, r"experts?|expertise|mastery|guru"),
    (3, r"advanced|senior|strong|extensive|extensively|deep|proficient|proficiency|fluent|solid|in-depth"),
    (2, r"working\s+knowledge|intermediate|hands-on|good\s+(?:knowledge|understanding|experience|command)"),
    (1, r"basics?|basic\s+knowledge|familiar|familiarity|beginner|novice|exposure|learning|introductory|"
     r"(?:some|little|limited)\s+(?:exposure|experience|knowledge|familiarity)|a\s+little|some"),
)  # fmt: skip
_WORD = re.compile(r"\b(?:" + "|".join(f"(?P<l{level}>{words})" for level, words in _WORDS) + r")\b", re.I)
_SENTENCE = re.compile(r"[\n\r\f;•|]|[.!?](?=\s|$)")
_PART = re.compile(r",|\s(?:and|&)\s")
_REACH = 200  # characters either side of a mention a cue may be


class Cue(NamedTuple):
    """A level cue in the text: the level it means, its basis and where it is."""

    level: int
    basis: Literal["years", "words"]
    start: int
    end: int


def years_level(years: float) -> int:
    """The level a number of years of use suggests."""
    return 1 if years < 1 else 2 if years < 3 else 3 if years < 6 else 4


def _cues(text: str) -> list[Cue]:
    found: list[Cue] = []
    for m in _YEARS.finditer(text):
        raw = m.group(1).lower()
        years = _NUMBERS[raw] if raw in _NUMBERS else float(raw)
        found.append(Cue(years_level(years), "years", m.start(), m.end()))
    for m in _MONTHS.finditer(text):
        found.append(Cue(years_level(int(m.group(1)) / 12), "years", m.start(), m.end()))
    taken = [(c.start, c.end) for c in found]
    for m in _WORD.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        level = next(int(name[1:]) for name, value in m.groupdict().items() if value is not None)
        found.append(Cue(level, "words", m.start(), m.end()))
    return sorted(found, key=lambda c: c.start)


def _bounds(pattern: re.Pattern[str], text: str, lo: int, hi: int, at: int) -> tuple[int, int]:
    """The part of text[lo:hi] between the separators around offset ``at``."""
    start, end = lo, hi
    for m in pattern.finditer(text, lo, hi):
        if m.end() <= at:
            start = m.end()
        elif m.start() >= at:
            end = m.start()
            break
    return start, end


class _Cues:
    """The cues of a text and its sentence boundaries, found once and looked up by offset."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._found: list[Cue] | None = None
        self._seps: list[tuple[int, int]] | None = None

    @property
    def found(self) -> list[Cue]:
        if self._found is None:
            self._found = _cues(self.text)
            self._starts = [c.start for c in self._found]
        return self._found

    def sentence(self, mention: Mention) -> tuple[int, int]:
        """The sentence or line around a mention, at most ``_REACH`` characters either side of it."""
        if self._seps is None:
            self._seps = [(m.start(), m.end()) for m in _SENTENCE.finditer(self.text)]
            self._sep_starts = [s for s, _ in self._seps]
        k = bisect.bisect_left(self._sep_starts, mention.start)
        lo = self._seps[k - 1][1] if k > 0 else 0
        hi = self._seps[k][0] if k < len(self._seps) else len(self.text)
        return max(lo, mention.start - _REACH), min(hi, mention.end + _REACH)

    def between(self, lo: int, hi: int) -> list[Cue]:
        found = self.found
        first = bisect.bisect_left(self._starts, lo)
        last = bisect.bisect_right(self._starts, hi)
        return [c for c in found[first:last] if c.end <= hi]


class Extractor:
    """Skills and suggested levels for a text."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.matcher = SkillMatcher(catalog)

    @staticmethod
    def _cue_for(text: str, cues: _Cues, mention: Mention) -> Cue | None:
        lo, hi = cues.sentence(mention)
        near = [
            c
            for c in cues.between(lo, hi)
            if not (c.start < mention.end and mention.start < c.end)
            # "some" only right before the skill: "some Go", not "some services in Go"
            and (text[c.start : c.end].lower() != "some" or 0 <= mention.start - c.end <= 1)
        ]
        if not near:
            return None
        p_lo, p_hi = _bounds(_PART, text, lo, hi, mention.start)
        same = [c for c in near if p_lo <= c.start and c.end <= p_hi]
        if same:
            return min(same, key=lambda c: (c.basis != "years", _distance(c, mention)))
        before = [c for c in near if c.end <= mention.start]
        if before:
            return before[-1]
        return near[0]

    def extract(self, text: str) -> ExtractResponse:
        mentions = self.matcher.mentions(text)
        cues = _Cues(text)
        offsets = _Utf16(text)
        plain: dict[str, list[Mention]] = {}
        ignored: list[IgnoredMention] = []
        for m in mentions:
            if m.status == "plain":
                plain.setdefault(m.skill, []).append(m)
            else:
                ignored.append(
                    IgnoredMention(
                        skill=m.skill,
                        words=offsets.words(m.start, m.end),
                        reason=m.status,
                        cue=offsets.words(m.cue_start, m.cue_end),
                    )
                )
        found: list[FoundSkill] = []
        for skill, its in plain.items():
            best: tuple[int, Cue | None] = (0, None)
            for m in its:
                cue = self._cue_for(text, cues, m)
                if cue is not None and cue.level > best[0]:
                    best = (cue.level, cue)
            level, cue = best if best[1] is not None else (DEFAULT_LEVEL, None)
            found.append(
                FoundSkill(
                    skill=skill,
                    name=self.catalog.skills[skill].name,
                    matches=[offsets.words(m.start, m.end) for m in its],
                    level=level,
                    level_basis=cue.basis if cue is not None else "default",
                    level_cue=offsets.words(cue.start, cue.end) if cue is not None else None,
                )
            )
        ignored = [i for i in ignored if i.skill not in plain]
        return ExtractResponse(skills=found, levels={f.skill: f.level for f in found}, ignored=ignored)


def _distance(cue: Cue, mention: Mention) -> int:
    return mention.start - cue.end if cue.end <= mention.start else cue.start - mention.end


class _Utf16:
    """Code-point offsets to UTF-16 ones (the same unless the text has characters past U+FFFF)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.astral = [] if text.isascii() else [i for i, c in enumerate(text) if ord(c) > 0xFFFF]

    def _at(self, offset: int) -> int:
        return offset + sum(1 for i in self.astral if i < offset)

    def words(self, start: int, end: int) -> MatchedWords:
        return MatchedWords(
            text=self.text[start:end],
            start=start,
            end=end,
            utf16_start=self._at(start),
            utf16_end=self._at(end),
        )


@functools.cache
def extractor() -> Extractor:
    """The extractor of the bundled catalogue, built once."""
    return Extractor(load_catalog())
