"""The skill matcher as it stood before its fast path (``shared/catalog/matching.py`` at b6cb42e), kept
unchanged as the reference :mod:`tests.unit.test_matcher_equivalence` holds the fast matcher to: every
token is a :class:`Token`, every candidate word is looked up and every mention's context read the plain
way (5-10x slower, same answers). The rules' constants are the shared module's own.
"""

from __future__ import annotations

import re

from shared.catalog import Catalog
from shared.catalog.matching import (
    _AFTER_NEGATION,
    _BRIDGES,
    _CLAUSE_BREAK,
    _LIST_GAP,
    _NAME_LIKE,
    _NEGATION_WINDOW,
    _NEGATORS,
    _NOT_NEGATING_NEXT,
    _URL,
    _WANTED,
    FALSE_FRIENDS,
    PIECE,
    TOKEN,
    Mention,
    SkillMatcher,
    Token,
    keep_longest,
)

__all__ = ["ReferenceMatcher"]


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)]


def _false_friend(text: str, token: Token, low: str) -> bool:
    before, after = FALSE_FRIENDS.get(low, (None, None))
    if before is not None and before.search(text, max(0, token.start - 20), token.start):
        return True
    return after is not None and after.match(text, token.end, token.end + 40) is not None


def _pieces(token: Token) -> list[Token]:
    """The pieces of a compound token (none for a simple one)."""
    found = [
        Token(m.group(), token.start + m.start(), token.start + m.end()) for m in PIECE.finditer(token.text)
    ]
    return found if len(found) > 1 else []


class ReferenceMatcher:
    """The matcher as it was before the fast path (commit b6cb42e), rule for rule."""

    def __init__(self, catalog: Catalog) -> None:
        tables = SkillMatcher(catalog)  # the look-up tables were built the same way; only reading differs
        self.insensitive = tables.insensitive
        self.sensitive = tables.sensitive
        self.phrases = tables.phrases
        self._sensitive_lower = tables._sensitive_lower
        self._by_lower = tables._by_lower
        self._keys = tables._keys

    # ---- finding -------------------------------------------------------------------------------------
    def _word(self, text: str, token: Token) -> tuple[str, ...]:
        """The skills one word (a token or a piece) names, in its context, and its look-alikes as written."""
        low = token.text.lower()
        found = self.insensitive.get(low, ())
        if low in self._sensitive_lower:
            found = (*found, *self.sensitive.get(token.text, ()))
        if found and _false_friend(text, token, low):
            return ()
        return found

    def _raw(self, text: str, toks: list[Token]) -> list[tuple[str, int, int, int]]:
        """(skill, start, end, index of the first token) for every match, overlaps included."""
        found: list[tuple[str, int, int, int]] = []
        lowered = [t.text.lower() for t in toks]
        keys = self._keys
        hit: set[int] = set()
        candidates = [
            i for i, w in enumerate(lowered) if w in keys or "-" in w or "/" in w or "'" in w or "’" in w
        ]
        urls = [m.span() for m in _URL.finditer(text)] if "://" in text or "www." in text else []
        if urls:
            candidates = [i for i in candidates if not any(a <= toks[i].start < b for a, b in urls)]
        for i in candidates:
            token = toks[i]
            pieces = _pieces(token)
            for word in (token, *pieces):
                for skill in self._word(text, word):
                    found.append((skill, word.start, word.end, i))
                    hit.add(i)
            for phrase, skill in self.phrases.get(lowered[i], ()):
                if tuple(lowered[i : i + len(phrase)]) == phrase:
                    found.append((skill, token.start, toks[i + len(phrase) - 1].end, i))
                    hit.add(i)
            seq = [p.text.lower() for p in pieces]  # "spring-boot", "amazon-web-services"
            for k, lower in enumerate(seq):
                for phrase, skill in self.phrases.get(lower, ()):
                    if tuple(seq[k : k + len(phrase)]) == phrase:
                        found.append((skill, pieces[k].start, pieces[k + len(phrase) - 1].end, i))
                        hit.add(i)
        for i in candidates:  # "docker go kubernetes": a look-alike in a list of skills
            low, token = lowered[i], toks[i]
            if i in hit or low not in self._sensitive_lower or _false_friend(text, token, low):
                continue
            before = i - 1 in hit and _LIST_GAP.match(text[toks[i - 1].end : token.start])
            after = i + 1 in hit and _LIST_GAP.match(text[token.end : toks[i + 1].start])
            if before or after:
                found.extend((skill, token.start, token.end, i) for skill in self._by_lower[low])
        return found

    def mentions(self, text: str) -> list[Mention]:
        """Every mention, in text order; a mention inside a longer one of the same skill is dropped."""
        toks = tokenize(text)
        raw = self._raw(text, toks)
        kept = keep_longest(raw)  # unchanged by the fast path
        return [self._status(text, toks, *m) for m in kept]

    def match(self, text: str) -> set[str]:
        """The skills the text mentions, negated and wanted mentions left out."""
        return {m.skill for m in self.mentions(text) if m.status == "plain"}

    # ---- negation ------------------------------------------------------------------------------------
    def _status(self, text: str, toks: list[Token], skill: str, start: int, end: int, index: int) -> Mention:
        low = max(0, index - _NEGATION_WINDOW)
        for j in range(index - 1, low - 1, -1):
            word = toks[j].text.lower()
            if _CLAUSE_BREAK.search(text, toks[j].end, start):
                break
            if word in _NEGATORS:
                following = toks[j + 1].text.lower() if j + 1 < len(toks) else ""
                if following not in _NOT_NEGATING_NEXT:
                    return Mention(skill, start, end, "negated", toks[j].start, toks[j].end)
            elif not (word in _BRIDGES or word in self._keys or _NAME_LIKE.match(toks[j].text)):
                break  # "without supervision on Python": the negation is about something else
        after = _AFTER_NEGATION.match(text, end, min(len(text), end + 30))
        if after is not None:
            return Mention(skill, start, end, "negated", after.start(), after.end())
        reach = max(0, start - 120)
        line_start = max(text.rfind("\n", reach, start), text.rfind(".", reach, start), reach - 1) + 1
        wish = _WANTED.search(text, line_start, start)
        if wish is not None:
            cue = re.match(
                r"[^.;:!?\n]*?(?:learn\w*|study\w*|pick\s+up|get\s+into|try)", text[wish.start() :]
            )
            cue_end = wish.start() + (cue.end() if cue else len(wish.group()))
            return Mention(skill, start, end, "wanted", wish.start(), cue_end)
        return Mention(skill, start, end)
