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

import re
from collections import defaultdict
from typing import Literal, NamedTuple

from shared.catalog import Catalog

__all__ = [
    "CASE_SENSITIVE",
    "FALSE_FRIENDS",
    "NOT_IMPLIED_INSIDE",
    "Mention",
    "SkillMatcher",
    "Token",
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
_NAME_LIKE = re.compile(r"[A-Z0-9.]|.*[0-9#+]")
_NEGATION_WINDOW = 6  # words between the negator and the mention, at most


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


class SkillMatcher:
    """Which skills of the catalogue a text mentions, and where."""

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
        raw.sort(key=lambda m: (m[1], -m[2]))
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
