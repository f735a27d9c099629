"""Find the taxonomy's skills in free text (job postings, CVs, profile text), with the exact words.

Used by the worker (postings → skill demand) and the gateway (``POST /api/v1/skills/extract``).

Words: the text is split into tokens that keep ``C#``, ``C++``, ``.NET``, ``Node.js``, ``CI/CD`` whole, so
"Java" never matches inside "JavaScript", "SQL" never inside "PostgreSQL" or "MySQL" (PostgreSQL does
not imply SQL here: the taxonomy lists SQL as its prerequisite, and the matcher reports only what is
written), and "C++" is not "C#". A compound token ("REST/GraphQL", "T-SQL", "Python's", "Docker-based")
is also read piece by piece. One-word synonyms are looked up case-insensitively, except words that are
also plain English ("Go", "Rust", "Spark", "Express", "Chef", "Helm" …, :data:`CASE_SENSITIVE`), which
must be written as the taxonomy spells them; longer synonyms are matched as token sequences. The
taxonomy has no C, C++, R, Swift or bare Spring (only "Spring Boot"/"Spring Framework"), so those never
match.

Plain-English look-alikes written like the skill are refused by their context (:data:`FALSE_FRIENDS`):
"Go-getter", "Go-live", "go-to-market", "Go to market", "ready to Go", "Phoenix, AZ".

Nothing inside a web address counts ("https://…", "www.…": not HTTP, not the words of its path).

A mention inside a longer one of the same skill is one mention ("Python 3"); "SQL" and "HTTP" inside
another skill's name ("SQL Server", "SQL injection", "HTTP caching") do not count on their own.

Negation: a mention after "no", "not", "without", "never", "don't" … in the same clause (up to six words
back, not across ``. ; : ! ?``, a line break, "but", "however" …, and with only words such as
"experience with", "used", "any", "or" or other names between) is *negated* ("no Kubernetes
experience", "not Java", "without Docker or Podman"); so is one followed by ": none" or "(never used)".
"not only", "not just", "not limited to" are no negation. After "want to learn", "would like to learn",
"plan to learn", "interested in learning" a mention is *wanted*. Neither counts as having the skill.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import defaultdict
from itertools import accumulate, compress, count, filterfalse
from operator import itemgetter
from typing import Literal, NamedTuple

from shared.catalog import Catalog

__all__ = [
    "CASE_SENSITIVE",
    "FALSE_FRIENDS",
    "NOT_IMPLIED_INSIDE",
    "Mention",
    "SkillMatcher",
    "Token",
    "keep_longest",
    "tokenize",
    "tokens",
]

TOKEN = re.compile(r"\.?[A-Za-z0-9][A-Za-z0-9+#]*(?:[./'’-][A-Za-z0-9+#]+)*")
# The pieces of compound tokens ("REST/GraphQL", "T-SQL", "Python's") so each piece can match on its own.
PIECE = re.compile(r"\.?[A-Za-z0-9][A-Za-z0-9+#]*(?:\.[A-Za-z0-9+#]+)*")
# One-word synonyms that are also common English words: matched only with the taxonomy's exact spelling.
CASE_SENSITIVE = frozenset(
    {
        "go",
        "node",
        "express",
        "rails",
        "cargo",
        "spark",
        "hive",
        "vault",
        "chef",
        "puppet",
        "phoenix",
        "apollo",
        "lambda",
        "rust",
        "oracle",
        "explain",
        "helm",
        "rest",
        "sh",
        "ts",
        "js",
        "nats",
        "envoy",
        "bandit",
        "s3",
    }
)
# lower-case word -> (a pattern the text just before it, or one the text just after it, matches when the word
# is used in its plain-English sense, or names something else): "Go-getter", "ready to Go", "Phoenix, AZ".
FALSE_FRIENDS: dict[str, tuple[re.Pattern[str] | None, re.Pattern[str] | None]] = {
    "go": (
        re.compile(r"\b(?:to|To|TO|let's|Let's|will|can|must|should|ready|Ready)\s+$"),
        re.compile(
            r"(?:-(?:getter|live|to|ahead|between|around|go)\b|\s+(?:to|for|ahead|beyond|live|back|"
            r"through|the\s+extra|above|further|far|out|along|into|over)\b)"
        ),
    ),
    "phoenix": (
        re.compile(r"\b(?:in|In|near|from|From|of)\s+$"),
        re.compile(r",?\s*(?:AZ|Arizona|area|metro)\b"),
    ),
    "express": (None, re.compile(r"\s+(?:delivery|shipping|interest|mail|lane|train|entry)\b")),
    "spark": (None, re.compile(r"\s+(?:joy|interest|curiosity|ideas|conversations?|change)\b")),
    "rust": (None, re.compile(r"\s+(?:never|belt)\b")),
    "oracle": (
        re.compile(r"\b(?:an|the|The)\s+$"),
        re.compile(r"(?:['’]s\b|\s+(?:of|Cloud|products|Corporation|Corp)\b)"),
    ),
    "authorization": (re.compile(r"\b(?:employment|work|Employment|Work)\s+$"), None),
}
# Between a lower-case plain-English word ("go", "rust", "spark") and a skill next to it, in a list of
# technologies ("docker go kubernetes", "python, rust"): then the word is read as the skill too.
_LIST_GAP = re.compile(r"\s*(?:[,/&|+]\s*|\s(?:and|or)\s+)?$")
# Skills whose word is also part of other skills' names: inside one of those it does not count on its own.
NOT_IMPLIED_INSIDE = frozenset({"sql", "http"})
_NEGATORS = frozenset(
    {
        "no",
        "not",
        "without",
        "never",
        "nor",
        "neither",
        "lack",
        "lacking",
        "don't",
        "dont",
        "doesn't",
        "didn't",
        "haven't",
        "hasn't",
        "hadn't",
        "can't",
        "cannot",
        "won't",
        "isn't",
        "wasn't",
        "aren't",
        "weren't",
        "zero",
    }
)
_NOT_NEGATING_NEXT = frozenset({"only", "just", "limited", "merely", "least", "less", "fewer", "later"})
_CLAUSE_BREAK = re.compile(
    r"[.;:!?\n\r\f•|()\[\]]|\b(?:but|however|although|though|yet|whereas|while|except)\b", re.I
)
_AFTER_NEGATION = re.compile(
    r"\s*(?:[:(–—-]\s*)?(?:none\b|no\s+experience\b|never\s+used\b|not\s+yet\b|no\b\s*\)?\s*(?:$|[\n,;.]))",
    re.I,
)
_WANTED = re.compile(
    r"(?:\b(?:want|wants|wanting|like|plan|plans|planning|hope|hoping|eager|keen|aim|aiming)"
    r"\s+to\s+(?:learn|study|pick\s+up|get\s+into|try)|\binterested\s+in\s+(?:learning|studying)|"
    r"\bnext\s+to\s+learn)\b[^.;:!?\n]*$",
    re.I,
)
# Words that may stand between a negation and the skill it negates ("no prior experience with",
# "haven't had a chance to use", "no MongoDB, Cassandra or"); any other word ends its reach, as do
# other skills' words and names (capitalised or with digits: "Cassandra", "K8s").
_BRIDGES = frozenset(
    "experience experienced knowledge prior previous professional commercial production hands-on real "
    "any much some with in of on using used use worked work working know knew known had have has a an "
    "the chance to exposure or and nor yet familiarity background skills skill write wrote written "
    "writing code coded coding program programmed programming touch touched tried try learned learnt "
    "studied deploy deployed run ran maintain maintained administer administered really ever at all "
    "been".split()
)
# Web addresses: nothing inside one is a mention ("https://example.org/python-jobs" names no skill).
_URL = re.compile(r"(?i)\b(?:https?|ftp)://[^\s<>()\[\]\"']+|\bwww\.[^\s<>()\[\]\"']+")
# _CLAUSE_BREAK's characters: one between a negating word and a mention ends the negation's reach there
_BREAK = re.compile(r"[.;:!?\n\r\f•|()\[\]]")
_FAR = 1 << 62  # past every offset
_NAME_LIKE = re.compile(r"[A-Z0-9.]|.*[0-9#+]")
_NEGATION_WINDOW = 6  # words between the negator and the mention, at most
# The fast path's shortcuts (each a superset of where its rule can apply, so answers stay the same):
# gaps and tokens, alternately: TOKEN with possessive repeats (the same tokens, as nothing after a repeat can
# start with what it repeats: no backtracking to remember), ~12 % faster
_SPLIT = re.compile(r"(\.?+[A-Za-z0-9][A-Za-z0-9+#]*+(?:[./'’-][A-Za-z0-9+#]++)*+)")
_NO_WORDS: frozenset[str] = frozenset()
# compound tokens remembered as having a taxonomy word as a piece or not (a regex a token saved)
_NAMED_KEPT = 8192
_NO_PLAN: tuple[tuple[str, ...], bool, frozenset[str] | None] = ((), False, None)
_AFTER_NEGATION_FIRST = "nN:(–—-"  # what ": none", "(never used)" … can start with, after white space
# _WANTED's first words, looked for in the lower-case text: re.IGNORECASE also matches "ı" to "i", "ſ" to "s"
# (and "İ", whose lower case is two characters: such a text is read the plain way)
_WISH_WORDS = ("want", "like", "plan", "hop", "eager", "keen", "aim", "interested", "next")
# ``match``'s sparse path (:meth:`SkillMatcher._match_sparse`): _WANTED's words (a wish starts with one of
# them after no letter or digit and before white space, in an ASCII text), found by the same scan as the
# taxonomy's words and the negating words (~13,000 instructions a SYNTHETIC posting for ``_may_wish``)
_WISH_FORMS = (
    "want", "wants", "wanting", "like", "plan", "plans", "planning", "hope", "hoping", "eager", "keen", "aim",
    "aiming", "interested", "next",
)  # fmt: skip
_WISH_SET = frozenset(_WISH_FORMS)
_CUE_WORDS = _NEGATORS | _WISH_SET
# the characters a token is made of (lower
# case): one outside them ends every token
_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789+#./'’-")
_JOINERS = frozenset("./'’-")
# _LIST_GAP where no token is between (no "and", "or"): a look-alike's neighbour among the candidate tokens
_LIST_ADJACENT = re.compile(r"\s*(?:[,/&|+]\s*)?$")
# one token, searched from where the previous one ended: the next token, as the split makes it
_skill_of = itemgetter(0)  # a match's skill
_NEXT_TOKEN = re.compile(r"\.?+[A-Za-z0-9][A-Za-z0-9+#]*+(?:[./'’-][A-Za-z0-9+#]++)*+")


class Token(NamedTuple):
    """A word of the text and where it is (code-point offsets)."""

    text: str
    start: int
    end: int


class Mention(NamedTuple):
    """One place a skill is mentioned: the skill, the words' offsets, and whether it counts."""

    skill: str
    start: int
    end: int
    status: Literal["plain", "negated", "wanted"] = "plain"
    cue_start: int = -1  # where the negation / wish words are (status != "plain")
    cue_end: int = -1


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)]


def _false_friend(text: str, start: int, end: int, low: str) -> bool:
    before, after = FALSE_FRIENDS.get(low, (None, None))
    if before is not None and before.search(text, max(0, start - 20), start):
        return True
    return after is not None and after.match(text, end, end + 40) is not None


class _Text:
    """A text split into tokens by one pass of the regex engine, with no object per token: their lower case
    (``lowered``) and offsets (token ``i`` spans ``bounds[2 * i + 1]`` to ``bounds[2 * i + 2]``).

    The split is of the lower-case text when lowering keeps every character's length and class (letter or
    digit, "+#", "./'’-", other): true of every character but "İ" (two characters in lower case) and the
    Kelvin sign (lower case "k"), checked over all of Unicode; tokens are ASCII and "’", so each token is
    then its own lower case (~1.7 µs less for a SYNTHETIC posting than joining the tokens to lower them).
    """

    __slots__ = ("bounds", "low", "lowered", "text")

    def __init__(self, text: str) -> None:
        low = text.lower()
        self.text = text
        self.low = low if len(low) == len(text) else None  # the text in lower case, offsets kept
        if self.low is not None and "\u212a" not in text:
            parts = _SPLIT.split(low)  # gap, token, gap, token, ..., gap
            self.lowered: list[str] = parts[1::2]
        else:
            parts = _SPLIT.split(text)
            self.lowered = "\n".join(parts[1::2]).lower().split("\n") if len(parts) > 1 else []
        self.bounds = [0, *accumulate(map(len, parts))]

    def word(self, i: int) -> str:
        """Token ``i`` as written."""
        return self.text[self.bounds[2 * i + 1] : self.bounds[2 * i + 2]]

    def start(self, i: int) -> int:
        return self.bounds[2 * i + 1]

    def end(self, i: int) -> int:
        return self.bounds[2 * i + 2]


class SkillMatcher:
    """Which skills of the catalogue a text mentions, and where.

    Fast path (the same answers as reading every token the plain way, :mod:`tests.matcher_reference`;
    ``tests/unit/test_matcher_equivalence.py`` holds it to that): the text is split into tokens by one
    ``re.split`` (no object per token); the taxonomy's words present are one set intersection, compound
    tokens are found with ``str.find``, and only tokens that are (or have a piece that is) a taxonomy word
    are looked at, each with one dictionary look-up; a phrase is tried only when the next word can
    continue it; web addresses are looked for only where a "://" or "www." is. A mention's context is
    read only where its cue can be: the look-back for a negation only when a negating word is among the
    six words before it, ": none" only when the text after it starts with such a word or sign, a wish
    only when a wish word ("want", "like", "plan" …) starts in the 120 characters before it (a
    case-insensitive regex search reads ~40 ns a character). ``match`` stops reading a skill's mentions
    at the first that counts, and answers from the matches alone when no cue can apply.

    Measured A/B, alternating with the plain matcher in one process (process time, best of 5, a 2-core
    machine at load 4-8; ``python -m tools.bench.matcher`` prints this one's): ``match`` on SYNTHETIC
    postings (214 characters) 164-227 -> 41-50 µs a posting (x3.8-4.9), on the 262 bundled real ones
    (7,500 characters) 1,651-2,128 -> 857-1,082 µs (x1.9-2.2); ``mentions`` 181 -> 57 µs and 1,703 ->
    885 µs. What is left is mostly splitting into tokens (:class:`_Text`, ~40 % of a synthetic posting's
    time; ``re.split`` reads ~25-60 ns a character) and the loop over candidate tokens.

    Second round (issue 17): the split is of the lower-case text (no joining and lowering of the tokens),
    with possessive repeats; phrases are looked up by their first two words; ``match`` builds no context
    reader and no list of wish words for a text without negating or wish words, looks for ": none" after
    each mention only when "no" or "never" is in the text, and skips SQL/HTTP's stand-alone test when
    only whole tokens matched. ``python -m tools.bench.matcher``, three rounds alternating with the code
    before (4cfcbe2), load 4.1-4.6 on 2 cores: ``match`` on SYNTHETIC postings 28.7-32.6 -> 24.5-26.1 µs
    (x1.17-1.25 round by round), on the bundled real ones 619-661 -> 523-598 µs (x1.05-1.20); ``mentions``
    32.8-37.2 -> 29.3-31.7 µs and 620-649 -> 521-590 µs. A SYNTHETIC posting (214 characters, ~35
    tokens, ~8.5 of them taxonomy words) now costs, one process, process time: split ~4.5 µs, offsets and
    lower case ~2.5 µs, finding the candidate tokens ~4 µs, the loop over them ~7 µs, the plain-text tests
    ~3 µs. Tried and measured slower, so left out: answering ``match`` from the words present without
    reading mentions (its tests cost more than the loop they save), several texts joined into one read
    (15-25 % slower: grouping the matches by text), the single-skill words' matches built with ``map``
    (~10 % slower).

    Third round (issue 17): ``match`` no longer splits a text of up to 2,000 characters without negating or
    wish words (:meth:`_match_sparse`: one trie regex finds the taxonomy's words, tokens are read only
    around them). Callgrind, ``PYTHONHASHSEED=0``: ``match`` 239,900 -> 171,800 instructions a SYNTHETIC
    posting (2,000 postings, -28 %); a refreshed SYNTHETIC posting (``read_range`` over 5,000, set-up
    subtracted) 288,200 -> 219,700 (-24 %). ``python -m tools.bench.matcher`` alternating with 440ccf3 at
    load 4.5-7: ``match`` 23.0-25.6 -> 18.9-19.2 µs a SYNTHETIC posting; the bundled real ones (none takes
    the sparse path) 507-535 -> 517-564 µs, the same within the noise. Refresh workers (100,000 postings,
    load 4.3-5.0, alternating): one process 31.1-33.6 -> 26.1-28.6 µs CPU a posting.

    Fourth round (issue 17): the sparse path's loop over the hits does less a hit: the scan itself says
    whether the token goes on after the word (an empty group after a look-ahead, read as ``lastindex``),
    the offsets come from one ``span()``, a look-alike among the hits is noted as it is read, a phrase's
    next word is read once, a compound token's remembered matches are added only when it has any.
    Callgrind, ``PYTHONHASHSEED=0``, 2,000 texts: ``match`` 171,100 -> 153,200 instructions a SYNTHETIC
    posting (-10.5 %); the bundled real postings (the split path) 8.70 M -> 8.67 M, unchanged. What is left:
    the trie scan (~49,000 instructions, of which ~11,000 the engine's first-character class test) and
    the loop (~9 hits). Tried and left out: keeping the hits' match objects for the look-alike list rule
    instead of a (word, start, end) tuple a hit (+5,900 instructions: freeing them late costs more than
    the tuples), other spellings of the first character's class (a bitmap instead of ranges: the same time).

    Fifth round (issue 17): every text takes the sparse path (none of the bundled real postings did: each
    has a negating or wish word, most a web address or a compound token with a taxonomy word as a piece):
    those are read around the hits (:meth:`_match_sparse`, :func:`_cued`), and the 2,000-character cut-off
    is gone. Callgrind, ``PYTHONHASHSEED=0``, back to back with 30d499f: ``match`` on the 262 bundled real
    postings 6.04 M -> 2.55 M instructions a posting (-58 %), on 2,000 SYNTHETIC ones 154,420 -> 154,460
    (the same). ``python -m tools.bench.matcher``, load 0.97, alternating: real 749-756 -> 373-424 µs.
    What is left on a real posting is mostly the trie scan (~200 µs for 7,500 characters, more than
    splitting them).
    """

    def __init__(self, catalog: Catalog) -> None:
        insensitive: dict[str, set[str]] = defaultdict(set)
        sensitive: dict[str, set[str]] = defaultdict(set)
        phrases: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for skill in catalog.skills.values():
            names = [*skill.synonyms, skill.name]
            if skill.id not in CASE_SENSITIVE:
                names.append(skill.id)
            for name in names:
                toks = tokens(name)
                if len(toks) == 1:
                    word = toks[0]
                    if word.lower() in CASE_SENSITIVE:
                        sensitive[word].add(skill.id)
                    else:
                        insensitive[word.lower()].add(skill.id)
                elif toks:
                    phrase = tuple(t.lower() for t in toks)
                    if (phrase, skill.id) not in phrases[phrase[0]]:
                        phrases[phrase[0]].append((phrase, skill.id))
        self.insensitive = {k: tuple(sorted(v)) for k, v in insensitive.items()}
        self.sensitive = {k: tuple(sorted(v)) for k, v in sensitive.items()}
        self.phrases = dict(phrases)
        self._sensitive_lower = frozenset(w.lower() for w in self.sensitive)
        by_lower: dict[str, set[str]] = defaultdict(set)
        for word, skills in self.sensitive.items():
            by_lower[word.lower()].update(skills)
        self._by_lower = {k: tuple(sorted(v)) for k, v in by_lower.items()}
        self._keys = frozenset(self.insensitive) | self._sensitive_lower | frozenset(self.phrases)
        # lower-case word -> (its skills, whether its context or case is read, the second words of the
        # phrases it starts): one look-up a candidate token
        checked = self._sensitive_lower | frozenset(FALSE_FRIENDS)
        self._checked = checked
        # compound tokens' matches (offsets in the token) and whether they have pieces: _compound_matches
        self._compounds: dict[str, tuple[bool, tuple[tuple[str, int, int], ...]]] = {}
        self._named: dict[str, bool] = {}
        by_pair: dict[tuple[str, str], list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for first, group in self.phrases.items():
            for phrase, named in group:
                by_pair[first, phrase[1]].append((phrase, named))
        self._by_pair = dict(by_pair)
        self._plan = {
            k: (
                self.insensitive.get(k, ()),
                k in checked,
                frozenset(p[1] for p, _ in self.phrases[k]) if k in self.phrases else None,
            )
            for k in self._keys
        }
        # ``match``'s sparse path: where a taxonomy word may be a token or a piece of one, in the lower-case
        # text (and the negating words: one scan for both), each after a character that is no letter or digit
        # (the text is read with a space before it): the regex engine's fast scan for that character's class.
        # Group 2 (empty) takes part when the token goes on after the word ("+", "#", a joiner then a
        # letter or digit: "c++x", "docker-based"): then the word is not a whole token
        self._near = re.compile(
            r"[^a-z0-9](" + _trie_pattern(self._keys | _CUE_WORDS) + r")(?![a-z0-9])"
            r"(?:(?=[+#]|[./'’-][a-z0-9+#])())?"
        )
        # a wish word inside a taxonomy word ("x-plan"), after a character that is no letter or digit: there
        # ``_WANTED`` could match where the scan finds the taxonomy word (then ``_may_wish`` is asked instead)
        self._cue_inside = any(
            re.search(r"[^a-z0-9](?:" + "|".join(_WISH_FORMS) + ")", k) for k in self._keys
        )
        self._compound_keys = frozenset(k for k in self._keys if not _JOINERS.isdisjoint(k.replace(".", "")))

    # ---- finding -------------------------------------------------------------------------------------
    def _word(self, text: str, word: str, low: str, start: int, end: int) -> tuple[str, ...]:
        """The skills one word (a token or a piece) names, in its context, and its look-alikes as written."""
        found = self.insensitive.get(low, ())
        if low in self._sensitive_lower:
            found = (*found, *self.sensitive.get(word, ()))
        if found and low in FALSE_FRIENDS and _false_friend(text, start, end, low):
            return ()
        return found

    def _named_compound(self, word: str) -> bool:
        """Whether ``word``, a token with pieces (a "-", "/", "'" or "’" inside: else False), is a taxonomy
        word or has one as a piece (remembered)."""
        has = self._named.get(word)
        if has is None:
            if word.isalnum() or not ("-" in word or "/" in word or "'" in word or "’" in word):
                return False
            has = word in self._keys or not self._keys.isdisjoint(PIECE.findall(word))
            if len(self._named) < _NAMED_KEPT:
                self._named[word] = has
        return has

    def _candidates(self, words: _Text) -> tuple[list[int], frozenset[str], frozenset[str]]:
        """The tokens that may name a skill, outside web addresses: taxonomy words, and compound tokens
        that are one or have a piece that is one (as lower case); the words of those; the compound ones."""
        keys, text = self._keys, words.text
        present = keys.intersection(words.lowered)
        compound = _NO_WORDS
        if "-" in text or "/" in text or "'" in text or "’" in text:
            for word in _compound_words(words.lowered):
                if self._named_compound(word):
                    compound = compound | {word}
            if compound:
                present |= compound
        if not present:
            return [], present, compound
        candidates = list(compress(count(), map(present.__contains__, words.lowered)))
        if "://" in text or "www." in text:
            urls = _urls(text)
            starts = [a for a, _ in urls]
            candidates = [
                i
                for i in candidates
                if (k := bisect.bisect_right(starts, words.start(i)) - 1) < 0 or urls[k][1] <= words.start(i)
            ]
        return candidates, present, compound

    def _piece_matches(
        self, text: str, word: str, start: int, i: int, found: list[tuple[str, int, int, int]]
    ) -> tuple[tuple[str, int, int], ...]:
        """Adds the matches in the pieces of compound token ``i`` ("REST/GraphQL"); returns the pieces."""
        pieces = _piece_spans(word)
        for piece, a, b in pieces:
            for skill in self._word(text, piece, piece.lower(), start + a, start + b):
                found.append((skill, start + a, start + b, i))
        return pieces

    def _compound_matches(
        self, text: str, word: str, start: int, end: int, i: int, found: list[tuple[str, int, int, int]]
    ) -> bool:
        """Adds the matches in the pieces of compound token ``i`` at ``start``..``end`` ("REST/GraphQL") and
        of the phrases they spell ("spring-boot", "amazon-web-services"); whether it has pieces. ``word`` is
        the token in lower case: its matches are remembered (offsets in it) when no piece's case or context
        is read (no look-alike piece): "on-call", "t-sql" in 1 SYNTHETIC posting of 3, ~8 % of ``match``'s
        time there (cProfile); 179,300 -> 171,800 instructions a posting (callgrind)."""
        kept = self._compounds.get(word)
        if kept is not None:
            if kept[1]:
                found.extend([(skill, start + a, start + b, i) for skill, a, b in kept[1]])
            return kept[0]
        added: list[tuple[str, int, int, int]] = []
        pieces = self._piece_matches(text, text[start:end], start, i, added)
        seq = [p.lower() for p, _, _ in pieces]
        for k, lower in enumerate(seq):
            for phrase, skill in self.phrases.get(lower, ()):
                if tuple(seq[k : k + len(phrase)]) == phrase:
                    added.append((skill, start + pieces[k][1], start + pieces[k + len(phrase) - 1][2], i))
        found.extend(added)
        if self._checked.isdisjoint(seq) and len(self._compounds) < _NAMED_KEPT:
            self._compounds[word] = (bool(pieces), tuple((m[0], m[1] - start, m[2] - start) for m in added))
        return bool(pieces)

    def _raw(self, words: _Text) -> tuple[list[tuple[str, int, int, int]], bool]:
        """(skill, start, end, index of the first token) for every match, overlaps included; and whether
        they are in text order already (only whole tokens matched: no piece, phrase or list)."""
        found: list[tuple[str, int, int, int]] = []
        append = found.append
        text, lowered, bounds = words.text, words.lowered, words.bounds
        candidates, present, compound = self._candidates(words)
        plan, n_tokens, by_pair = self._plan, len(lowered), self._by_pair
        ordered = True
        for i in candidates:
            low = lowered[i]
            skills, checked, seconds = plan.get(low, _NO_PLAN)
            start, end = bounds[2 * i + 1], bounds[2 * i + 2]
            if checked:  # a look-alike or a word matched as written
                skills = self._word(text, text[start:end], low, start, end)
            for skill in skills:
                append((skill, start, end, i))
            if low in compound and self._compound_matches(text, low, start, end, i, found):
                ordered = False
            if seconds is not None and i + 1 < n_tokens and lowered[i + 1] in seconds:
                ordered = False
                for phrase, skill in by_pair[low, lowered[i + 1]]:  # phrases[low] with that second word
                    if len(phrase) == 2 or tuple(lowered[i : i + len(phrase)]) == phrase:
                        append((skill, start, bounds[2 * (i + len(phrase) - 1) + 2], i))
        if self._sensitive_lower.isdisjoint(present):
            return found, ordered
        # "docker go kubernetes": a look-alike in a list of skills (the tokens that matched: ``hit``)
        hit = {m[3] for m in found}
        sensitive = self._sensitive_lower
        for i in candidates:
            low, start, end = lowered[i], bounds[2 * i + 1], bounds[2 * i + 2]
            if i in hit or low not in sensitive or _false_friend(text, start, end, low):
                continue
            before_ok = i - 1 in hit and _LIST_GAP.match(text[words.end(i - 1) : start])
            after_ok = i + 1 in hit and _LIST_GAP.match(text[end : words.start(i + 1)])
            if before_ok or after_ok:
                found.extend((skill, start, end, i) for skill in self._by_lower[low])
                ordered = False
        return found, ordered

    def _kept(self, words: _Text) -> list[tuple[str, int, int, int]]:
        found, ordered = self._raw(words)
        return keep_longest(found, ordered)

    def mentions(self, text: str) -> list[Mention]:
        """Every mention, in text order; a mention inside a longer one of the same skill is dropped."""
        words = _Text(text)
        kept = self._kept(words)
        if not kept:
            return []
        context = _Context(words, self._keys)
        out = []
        for skill, start, end, index in kept:
            cue = context.cue(start, end, index)
            out.append(Mention(skill, start, end) if cue is None else Mention(skill, start, end, *cue))
        return out

    def match(self, text: str) -> set[str]:
        """The skills the text mentions, negated and wanted mentions left out."""
        found = self._match_sparse(text)
        return self._match_split(text) if found is None else found

    def _match_sparse(self, text: str) -> set[str] | None:
        """``match`` without splitting the text: None when a precondition fails (then the text is split).

        The taxonomy's words are found in the lower-case text by one regex (:attr:`_near`, a trie of the
        words between no letter or digit), and only there are tokens read: a hit is a whole token when the
        text before it has no token character and the token cannot go on after it (then it is one of the
        split's candidate tokens); every candidate token (a taxonomy word, or a compound token with one as a
        piece) has a hit starting in it, and no hit that is a whole token can overlap another token, so
        when every hit is a whole token the hits are exactly the candidate tokens. A phrase's next words
        are the next tokens searched from its first word's end; a look-alike's list neighbours are the hits
        before and after it with no letter or digit between. Without negating or wish words only ": none"
        after a mention can be a cue: the mentions :func:`keep_longest` keeps are read for it as the split
        path reads them. Read the plain way instead: a text whose lower case changes a length or a class
        ("İ", the Kelvin sign), or a hit in no token.

        Fifth round (issue 17): any length, negating and wish words, web addresses and compound tokens.
        A hit that is not a whole token is read as the token around it (:func:`_token_at`, from the last
        character in no token before it: where the split starts afresh), a candidate when the split's
        would be (a taxonomy word, or a compound token with one as a piece), the hits inside it skipped.
        Hits whose token starts in a web address (:func:`_urls`, only when the text has "://" or "www."
        as written, as :meth:`_candidates`) are no candidates. Negating words (whole tokens, found by the
        same scan) are noted; wish words too (the scan finds each where :data:`_WANTED` can start, except in
        a text with "ı" or "ſ", or when a taxonomy word has a wish word inside: then :func:`_wish_words`).
        With either, each kept mention is read by :func:`_cued`, which answers as :meth:`_Context.cue`.

        Measured (callgrind, 2,000 SYNTHETIC postings, ``PYTHONHASHSEED=0``): ``match`` 239,900 -> 207,800
        instructions a posting (-13 %); 126 of the 2,000 are read the plain way. The trie regex searched at
        every position behind a look-behind read ~77,000 instructions a posting and a separate regex for the
        negating words ~62,000 (as much as the split they save): one regex for both, each word after a
        character of the class ``[^a-z0-9]`` (the engine's fast scan for a first character), ~54,000. The
        wish words in the same scan (an ASCII text) instead of ``_may_wish``: 207,800 -> 195,500. ": none"
        and SQL/HTTP inside a longer name read here, not by the split path (none of the 2,000 now is):
        195,500 -> 179,300. Tried and left out: ``split`` by the same regex instead of ``finditer`` (one
        check of the hits' neighbours in C: 195,500 -> 194,800, not worth its code).
        """
        low = text.lower()
        if len(low) != len(text) or "\u212a" in text:
            return None
        urls = (
            _urls(text, low) if "://" in text or "www." in text else None
        )  # as :meth:`_candidates` has them
        found: list[tuple[str, int, int, int]] = []
        append = found.append
        plan, by_pair, compound = self._plan, self._by_pair, self._compound_keys
        tokens: list[tuple[str, int, int]] = []  # the candidate tokens: lower case, start, end
        ordered = True
        sensitive = False  # a look-alike among the tokens (each is read in its context: ``checked``)
        negators: list[tuple[int, int]] | None = None  # where the negating words (whole tokens) are
        # where a wish may start: the scan's wish words, unless a taxonomy word has one inside or the text has
        # "ı" or "ſ" (re.IGNORECASE reads them as "i", "s"; no other character of a text whose lower case
        # keeps its length is read as an ASCII letter): then :func:`_wish_words` tells
        wishes: list[int] | None = None
        if (self._cue_inside or (not low.isascii() and ("ı" in low or "ſ" in low))) and _may_wish(low):
            wishes = _wish_words(text)
        wished: list[int] | None = None  # where the scan found wish words
        spaced = " " + low
        read_to = 0  # the end of the last token read around a hit that is not a whole token
        for hit in self._near.finditer(spaced):
            # the match starts at the character before the word: in ``low``, where the word starts
            start, end = hit.span()
            end -= 1
            word = hit[1]
            if spaced[start] in _TOKEN_CHARS or hit.lastindex != 1:
                # not a whole token, or a piece of one: the token around it, read as the split reads it
                if word in _WISH_SET:  # a wish may start here: read below
                    if wished is None:
                        wished = []
                    wished.append(start)
                    continue
                if start < read_to:
                    continue  # inside the token read last
                span = _token_at(low, start)
                if span is None:
                    return None
                start, end = span
                read_to = end
                word = low[start:end]
                if word not in self._keys:
                    if word in _NEGATORS:
                        if negators is None:
                            negators = []
                        negators.append((start, end))
                    elif self._named_compound(word) and not _in_urls(urls, start):
                        k = len(tokens)
                        tokens.append((word, start, end))
                        if self._compound_matches(text, word, start, end, k, found):
                            ordered = False
                    continue
            # a negating word (noted) or a wish word (read below): no taxonomy word is one
            if word in _CUE_WORDS:
                if word in _NEGATORS:
                    if negators is None:
                        negators = []
                    negators.append((start, end))
                else:
                    if wished is None:
                        wished = []
                    wished.append(start)
                continue
            if urls is not None and _in_urls(urls, start):
                continue  # the split path's candidates start outside web addresses
            k = len(tokens)
            tokens.append((word, start, end))
            skills, checked, seconds = plan[word]
            if checked:
                skills = self._word(text, text[start:end], word, start, end)
                sensitive = sensitive or word in self._sensitive_lower
            for skill in skills:
                append((skill, start, end, k))
            if word in compound and self._compound_matches(text, word, start, end, k, found):
                ordered = False
            if seconds is not None and (second := _NEXT_TOKEN.search(low, end)) is not None:
                if (next_word := second[0]) in seconds:
                    ordered = False
                    for phrase, skill in by_pair[word, next_word]:
                        last: re.Match[str] | None = second
                        for rest in phrase[2:]:
                            last = _NEXT_TOKEN.search(low, last.end()) if last is not None else None
                            if last is None or last[0] != rest:
                                break
                        else:
                            if last is not None:
                                append((skill, start, last.end(), k))
        if sensitive and self._listed(text, tokens, found):
            ordered = False
        if not found:
            return set()
        if wishes is None:
            wishes = wished
        if negators is not None or wishes:
            counted: set[str] = set()
            for skill, start, end, k in keep_longest(found, ordered):
                if skill not in counted and not _cued(
                    text, low, start, end, tokens[k], self._keys, negators, wishes
                ):
                    counted.add(skill)
            return counted
        skills_found = set(map(_skill_of, found))
        follows = _may_follow(low) and any(
            text[end : end + 30].lstrip()[:1] in _AFTER_NEGATION_FIRST for _, _, end, _ in found
        )
        if not follows and (
            ordered or all(_stands_alone(found, s) for s in NOT_IMPLIED_INSIDE.intersection(skills_found))
        ):
            return skills_found
        # as the split path's mentions of a text without negating or wish words: only ": none" after one
        counted = set()
        for skill, _, end, _ in keep_longest(found, ordered):
            if skill not in counted and (
                text[end : end + 30].lstrip()[:1] not in _AFTER_NEGATION_FIRST
                or _AFTER_NEGATION.match(text, end, min(len(text), end + 30)) is None
            ):
                counted.add(skill)
        return counted

    def _listed(
        self, text: str, tokens: list[tuple[str, int, int]], found: list[tuple[str, int, int, int]]
    ) -> bool:
        """:meth:`_raw`'s look-alike list rule ("docker go kubernetes") on the candidate tokens alone: the
        token before or after a look-alike is a matched candidate when the text between them has no letter or
        digit (then no token), and :data:`_LIST_GAP` reads such a gap as :data:`_LIST_ADJACENT` does. Adds the
        look-alikes read as skills; whether any was."""
        hit = {m[3] for m in found}
        added = False
        for k, (word, start, end) in enumerate(tokens):
            if k in hit or word not in self._sensitive_lower or _false_friend(text, start, end, word):
                continue
            before_ok = k - 1 in hit and _LIST_ADJACENT.match(text, tokens[k - 1][2], start)
            after_ok = k + 1 in hit and _LIST_ADJACENT.match(text, end, tokens[k + 1][1])
            if before_ok or after_ok:
                found.extend((skill, start, end, k) for skill in self._by_lower[word])
                added = True
        return added

    def _match_split(self, text: str) -> set[str]:
        """``match`` on the text split into tokens: every rule read where it can apply."""
        words = _Text(text)
        raw, ordered = self._raw(words)
        if not raw:
            return set()
        # no negating and no wish word in the text: only ": none" after a mention can be a cue
        plain = _NEGATORS.isdisjoint(words.lowered) and not _may_wish(words.low)
        if plain:
            skills = {m[0] for m in raw}
            # only whole tokens matched (``ordered``): no match is inside a longer one
            if (ordered or all(_stands_alone(raw, s) for s in NOT_IMPLIED_INSIDE.intersection(skills))) and (
                not _may_follow(words.low)
                or not any(text[end : end + 30].lstrip()[:1] in _AFTER_NEGATION_FIRST for _, _, end, _ in raw)
            ):
                return skills  # each skill has a mention kept, and every mention counts
        context = _Context(words, self._keys)
        found: set[str] = set()
        for skill, start, end, index in keep_longest(raw, ordered):
            if skill in found:
                continue
            if plain and text[end : end + 30].lstrip()[:1] not in _AFTER_NEGATION_FIRST:
                found.add(skill)
            elif context.cue(start, end, index) is None:
                found.add(skill)
        return found


def _trie_pattern(words: frozenset[str]) -> str:
    """A regex alternation of ``words`` as a trie (one branch a first character, then one a next character):
    the regex engine tries each branch's first character, not each word."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:  # type: ignore[type-arg]
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        if "" in node:  # a word ends here: the longer words first, then none (a branch, not a "?" repeat)
            return "(?:" + "|".join(branches) + "|)"
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return emit(trie)


def _text_order(match: tuple[str, int, int, int]) -> tuple[int, int]:
    """Sort key of :func:`keep_longest`: by start, then longest first."""
    return match[1], -match[2]


def _stands_alone(raw: list[tuple[str, int, int, int]], skill: str) -> bool:
    """Whether a match of ``skill`` is inside no longer match of another skill (then :func:`keep_longest`
    keeps one of its mentions: that one, or an earlier one). One loop over the matches, no list of the
    others and no generator per match: SQL/HTTP's test 20,100 -> 12,800 instructions a SYNTHETIC posting
    (callgrind, half of them have SQL or HTTP), ``match`` 239,900 -> 231,200."""
    for k, start, end, _ in raw:
        if k == skill:
            width = end - start
            for s, a, b, _ in raw:
                if a <= start and end <= b and b - a > width and s != skill:
                    break
            else:
                return True
    return False


def _compound_words(lowered: list[str]) -> set[str]:
    """The tokens with pieces (a "-", "/", "'" or "’" inside) among ``lowered``: read among the tokens that
    are not all letters and digits (``filterfalse`` in C; a token's other characters are "+#./'’-"), ~1.35
    instead of ~1.75 µs for a SYNTHETIC posting with such a token than finding the separators in the tokens
    joined by line ends (33.3 instead of 36.5 µs for the bundled real postings)."""
    return {
        word
        for word in filterfalse(str.isalnum, lowered)
        if "-" in word or "/" in word or "'" in word or "’" in word
    }


@functools.lru_cache(maxsize=4096)
def _piece_spans(word: str) -> tuple[tuple[str, int, int], ...]:
    """The pieces of a compound token and where they are in it ."""
    found = tuple((m.group(), m.start(), m.end()) for m in PIECE.finditer(word))
    return found if len(found) > 1 else ()


def keep_longest(
    raw: list[tuple[str, int, int, int]], ordered: bool = False
) -> list[tuple[str, int, int, int]]:
    """The matches (skill, start, end, first token) in text order (sorted by start, then longest first,
    unless ``ordered`` says they are); a mention inside a longer one of the same skill is dropped, and SQL
    or HTTP inside another skill's longer name."""
    if not ordered:
        raw.sort(key=_text_order)
    kept: list[tuple[str, int, int, int]] = []
    reach: dict[str, int] = {}
    for skill, start, end, index in raw:
        if reach.get(skill, -1) >= end:
            continue  # inside a longer mention of the same skill ("Python" in "Python 3")
        if skill in NOT_IMPLIED_INSIDE and any(
            s != skill and s_start <= start and end <= s_end and s_end - s_start > end - start
            for s, s_start, s_end, _ in kept
        ):
            continue  # "SQL" in "SQL Server" or "SQL injection", "HTTP" in "HTTP caching"
        reach[skill] = end
        kept.append((skill, start, end, index))
    return kept


def _find_all(text: str, word: str) -> list[int]:
    """Where ``word`` occurs in ``text``, in order."""
    found = []
    at = text.find(word)
    while at >= 0:
        found.append(at)
        at = text.find(word, at + 1)
    return found


def _urls(text: str, low: str | None = None) -> list[tuple[int, int]]:
    """Where :data:`_URL` finds web addresses in ``text``, merged where they overlap: the regex is tried only
    where an address can start (3, 4 or 5 characters before a "://", at a "www." in any case), not searched
    through the whole text (a case-insensitive search reads ~40 ns a character). ``low``: its lower case,
    when known."""
    if low is None:
        low = text.lower()
    if len(low) != len(text):
        spans = [m.span() for m in _URL.finditer(text)]
    else:
        starts = {max(0, k - back) for k in _find_all(text, "://") for back in (3, 4, 5)}
        starts.update(_find_all(low, "www."))
        spans = sorted(m.span() for q in starts if (m := _URL.match(text, q)) is not None)
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _may_wish(low: str | None) -> bool:
    """Whether :func:`_wish_words` may find a wish word (it is not ``[]``) in the text whose lower case is
    ``low`` (None: its lower case has another length): one ``in`` a word, ~1 µs for a SYNTHETIC posting
    instead of ~2.2 µs (process time)."""
    if low is None:
        return True
    if not low.isascii():
        low = low.replace("ı", "i").replace("ſ", "s")
    return any(map(low.__contains__, _WISH_WORDS))


def _may_follow(low: str | None) -> bool:
    """Whether a cue after a mention (:data:`_AFTER_NEGATION`: "none", "no", "not yet", "never used") may be
    in the text whose lower case is ``low``: each starts with "no" or "never", and ``re.I`` matches no
    character but N, n, O, o, E, e, V, v, R, r to those letters."""
    return low is None or "no" in low or "never" in low


def _wish_words(text: str) -> list[int] | None:
    """Where a wish ("want to learn" …) may start, in order; None when that cannot be told from the lower
    case (then every mention's line is searched)."""
    low = text.lower()
    if len(low) != len(text):
        return None
    if not low.isascii():
        low = low.replace("ı", "i").replace("ſ", "s")
    return sorted(at for word in _WISH_WORDS if word in low for at in _find_all(low, word))


def _token_at(low: str, at: int) -> tuple[int, int] | None:
    """Where the token of the lower-case text ``low`` that offset ``at`` is in starts and ends, as the split
    finds it (read from the character in no token before it); None when ``at`` is in no token."""
    start = at
    while start > 0 and low[start - 1] in _TOKEN_CHARS:
        start -= 1
    for token in _NEXT_TOKEN.finditer(low, start):
        if token.end() > at:
            return token.span() if token.start() <= at else None
    return None


def _in_urls(urls: list[tuple[int, int]] | None, at: int) -> bool:
    """Whether offset ``at`` is in one of the web addresses ``urls`` (merged, in order), as
    :meth:`SkillMatcher._candidates` tells it."""
    if not urls:
        return False
    k = bisect.bisect_right(urls, (at, _FAR)) - 1
    return k >= 0 and urls[k][1] > at


def _tokens_before(low: str, start: int) -> list[tuple[int, int]]:
    """Where the :data:`_NEGATION_WINDOW` tokens before offset ``start`` (no token character just before it)
    are in the lower-case text ``low`` (fewer at the text's start), as the split finds them: read from a
    character that is in no token (there the split starts afresh), 64 characters back, then further."""
    width = 64
    while True:
        at = start - width
        if at <= 0:
            at = 0
        else:
            while at > 0 and low[at - 1] in _TOKEN_CHARS:
                at -= 1
        spans = [m.span() for m in _NEXT_TOKEN.finditer(low, at, start)]
        if len(spans) >= _NEGATION_WINDOW or at == 0:
            return spans[-_NEGATION_WINDOW:]
        width *= 4


def _negated_before(
    text: str,
    low: str,
    start: int,
    token: tuple[str, int, int],
    keys: frozenset[str],
    negators: list[tuple[int, int]],
) -> bool:
    """:meth:`_Context.cue`'s look-back for :func:`_cued`: the six tokens before the mention, read only when
    the nearest negating word before it has no clause-break character (:data:`_BREAK`) between: such a
    character ends the look-back at that word or before it, and every other negating word is further back."""
    k = bisect.bisect_left(negators, (start,)) - 1  # the nearest before the mention
    if k < 0 or _BREAK.search(text, negators[k][1], start) is not None:
        return False
    spans = _tokens_before(low, token[1])
    lowered = [low[a:b] for a, b in spans]
    if _NEGATORS.isdisjoint(lowered):
        return False
    for j in range(len(spans) - 1, -1, -1):
        a, b = spans[j]
        if _CLAUSE_BREAK.search(text, b, start):
            return False
        before = lowered[j]
        if before in _NEGATORS:
            if (lowered[j + 1] if j + 1 < len(spans) else token[0]) not in _NOT_NEGATING_NEXT:
                return True
        elif not (before in _BRIDGES or before in keys or _NAME_LIKE.match(text[a:b])):
            return False
    return False


def _cued(
    text: str,
    low: str,
    start: int,
    end: int,
    token: tuple[str, int, int],
    keys: frozenset[str],
    negators: list[tuple[int, int]] | None,
    wishes: list[int] | None,
) -> bool:
    """Whether :meth:`_Context.cue` finds a cue for the mention at ``start``..``end`` whose first token is
    ``token`` (lower case, start, end: the mention may be a piece of it), without the text's tokens (``low``:
    the text's lower case, offsets kept). ``negators``: where its negating words start and end, in order
    (None: nowhere); ``wishes``: where a wish may start, in order (a superset of where
    :data:`_WANTED` can match; None or empty: nowhere). The rest is :meth:`_Context.cue`'s reading."""
    if negators and _negated_before(text, low, start, token, keys, negators):
        return True
    if (
        text[end : end + 30].lstrip()[:1] in _AFTER_NEGATION_FIRST
        and _AFTER_NEGATION.match(text, end, min(len(text), end + 30)) is not None
    ):
        return True
    if wishes:
        reach = start - 120 if start > 120 else 0
        k = bisect.bisect_left(wishes, reach)
        if k < len(wishes) and wishes[k] < start:
            line_start = max(text.rfind("\n", reach, start), text.rfind(".", reach, start), reach - 1) + 1
            return _WANTED.search(text, line_start, start) is not None
    return False


class _Context:
    """Whether a mention is negated or wished for, reading its context only where a cue can be."""

    __slots__ = ("keys", "negators", "wishes", "words")

    def __init__(self, words: _Text, keys: frozenset[str]) -> None:
        self.words = words
        self.keys = keys
        self.negators = not _NEGATORS.isdisjoint(words.lowered)
        self.wishes = _wish_words(words.text)

    def cue(self, start: int, end: int, index: int) -> tuple[Literal["negated", "wanted"], int, int] | None:
        """Whether the mention at ``start``..``end`` (its first token ``index``) is negated or wished for,
        with the cue's offsets; None when it counts."""
        words, text = self.words, self.words.text
        low = index - _NEGATION_WINDOW if index > _NEGATION_WINDOW else 0
        if self.negators and not _NEGATORS.isdisjoint(words.lowered[low:index]):
            for j in range(index - 1, low - 1, -1):
                word = words.lowered[j]
                if _CLAUSE_BREAK.search(text, words.end(j), start):
                    break
                if word in _NEGATORS:
                    following = words.lowered[j + 1] if j + 1 < len(words.lowered) else ""
                    if following not in _NOT_NEGATING_NEXT:
                        return "negated", words.start(j), words.end(j)
                elif not (word in _BRIDGES or word in self.keys or _NAME_LIKE.match(words.word(j))):
                    break  # "without supervision on Python": the negation is about something else
        if text[end : end + 30].lstrip()[:1] in _AFTER_NEGATION_FIRST:
            after = _AFTER_NEGATION.match(text, end, min(len(text), end + 30))
            if after is not None:
                return "negated", after.start(), after.end()
        reach = start - 120 if start > 120 else 0
        wishes = self.wishes
        if wishes is not None:
            k = bisect.bisect_left(wishes, reach)
            if k == len(wishes) or wishes[k] >= start:
                return None
        line_start = max(text.rfind("\n", reach, start), text.rfind(".", reach, start), reach - 1) + 1
        wish = _WANTED.search(text, line_start, start)
        if wish is not None:
            cue = re.match(
                r"[^.;:!?\n]*?(?:learn\w*|study\w*|pick\s+up|get\s+into|try)", text[wish.start() :]
            )
            return "wanted", wish.start(), wish.start() + (cue.end() if cue else len(wish.group()))
        return None
