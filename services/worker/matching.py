"""Match a posting to taxonomy skills (through their synonyms) and to a catalogue role (through its title).

Skills: the text is split into tokens that keep ``C#``, ``.NET``, ``Node.js``, ``CI/CD`` whole; one-word
synonyms are looked up in a set (case-insensitively, except words that are also plain English such as
"Go", "Rest" or "Spark", which must appear as the taxonomy spells them), longer synonyms as token
sequences. Roles: keyword rules on the title, else the role whose required skills the posting covers best.
"""

from __future__ import annotations

import re
from collections import defaultdict

from shared.catalog import Catalog

__all__ = ["RoleMatcher", "SkillMatcher", "tokens"]

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


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


class SkillMatcher:
    """Which skills of the catalogue a text mentions."""

    def __init__(self, catalog: Catalog) -> None:
        self.insensitive: dict[str, set[str]] = defaultdict(set)
        self.sensitive: dict[str, set[str]] = defaultdict(set)
        self.phrases: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for skill in catalog.skills.values():
            names = [*skill.synonyms, skill.name]
            if skill.id not in CASE_SENSITIVE:
                names.append(skill.id)
            for name in names:
                toks = tokens(name)
                if len(toks) == 1:
                    word = toks[0]
                    if word.lower() in CASE_SENSITIVE:
                        self.sensitive[word].add(skill.id)
                    else:
                        self.insensitive[word.lower()].add(skill.id)
                elif toks:
                    phrase = tuple(t.lower() for t in toks)
                    self.phrases[phrase[0]].append((phrase, skill.id))
        self._ci = frozenset(self.insensitive)
        self._cs = frozenset(self.sensitive)
        self._cs_lower = frozenset(w.lower() for w in self.sensitive)
        self._firsts = frozenset(self.phrases)

    def match(self, text: str) -> set[str]:
        lowered = text.lower()
        lower = TOKEN.findall(lowered)
        pieces = PIECE.findall(lowered)
        found: set[str] = set()
        for word in self._ci.intersection(lower) | self._ci.intersection(pieces):
            found |= self.insensitive[word]
        if self._cs_lower.intersection(pieces):  # rare: only then look at the original spelling
            for word in self._cs.intersection(PIECE.findall(text)):
                found |= self.sensitive[word]
        firsts = self._firsts.intersection(lower)
        if firsts:
            for i, word in enumerate(lower):
                if word in firsts:
                    for phrase, skill_id in self.phrases[word]:
                        if tuple(lower[i : i + len(phrase)]) == phrase:
                            found.add(skill_id)
        return found


# Title keywords per role, tried in this order (the more specific first).
TITLE_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("site-reliability-engineer", ("site reliability", "sre")),
    ("devops-engineer", ("devops", "dev ops", "devsecops", "release engineer", "build engineer")),
    ("platform-engineer", ("platform engineer", "platform engineering", "platform developer")),
    (
        "database-administrator",
        ("database administrator", "dba", "database engineer", "database reliability"),
    ),
    ("data-engineer", ("data engineer", "etl developer", "big data", "data platform", "analytics engineer")),
    ("application-security-engineer", ("security", "appsec", "penetration", "pentester")),
    ("cloud-engineer", ("cloud",)),
    ("solutions-architect", ("architect",)),
    (
        "systems-administrator",
        (
            "system administrator",
            "systems administrator",
            "sysadmin",
            "linux administrator",
            "systems engineer",
        ),
    ),
    ("fullstack-developer", ("full stack", "full-stack", "fullstack")),
    ("api-integration-engineer", ("api", "integration", "integrations")),
    (
        "backend-developer",
        (
            "backend",
            "back-end",
            "back end",
            "server-side",
            "software engineer",
            "software developer",
            "programmer",
            "python developer",
            "java developer",
            "go developer",
            "golang",
            "node.js developer",
            "php developer",
            "ruby developer",
            ".net developer",
            "c# developer",
            "kotlin developer",
            "rust developer",
        ),
    ),
)


class RoleMatcher:
    """Which catalogue role a posting is for, or None."""

    def __init__(self, catalog: Catalog) -> None:
        self.rules = [
            (role, re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, words)) + r")(?![a-z0-9])"))
            for role, words in TITLE_RULES
            if role in catalog.roles
        ]
        self.requirements = [(r.id, frozenset(r.requirements)) for r in catalog.roles.values()]

    def match(self, title: str, skills: set[str]) -> str | None:
        lowered = title.lower()
        for role, pattern in self.rules:
            if pattern.search(lowered):
                return role
        best, best_score = None, 0.5
        for role, required in self.requirements:
            hits = len(required & skills)
            score = hits / len(required)
            if hits >= 2 and score > best_score:
                best, best_score = role, score
        return best
