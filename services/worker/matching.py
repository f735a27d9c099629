"""Match a posting to taxonomy skills and to a catalogue role (through its title).

Skills: :class:`shared.catalog.matching.SkillMatcher`, the matcher the gateway's
``POST /api/v1/skills/extract`` uses too (synonyms, word boundaries, plain-English look-alikes, negation).
Roles: keyword rules on the title, else the role whose required skills the posting covers best.
"""

from __future__ import annotations

import re

from shared.catalog import Catalog
from shared.catalog.matching import SkillMatcher, tokens

__all__ = ["RoleMatcher", "SkillMatcher", "tokens"]

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


_UNSEEN = "\x00unseen"  # a title not remembered yet (no role id)
_TITLES_KEPT = 20_000  # titles whose rule role is remembered (postings repeat titles: "Data Engineer")


class RoleMatcher:
    """Which catalogue role a posting is for, or None. The role a title's keywords give is remembered per
    title (up to 20,000 titles): the 12 rules' searches were ~3 % of a refresh's CPU (profiled)."""

    def __init__(self, catalog: Catalog) -> None:
        self.rules = [
            (role, re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, words)) + r")(?![a-z0-9])"))
            for role, words in TITLE_RULES
            if role in catalog.roles
        ]
        self.requirements = [(r.id, frozenset(r.requirements)) for r in catalog.roles.values()]
        self._by_title: dict[str, str | None] = {}

    def _title_role(self, title: str) -> str | None:
        lowered = title.lower()
        for role, pattern in self.rules:
            if pattern.search(lowered):
                return role
        return None

    def match(self, title: str, skills: set[str]) -> str | None:
        role = self._by_title.get(title, _UNSEEN)
        if role is _UNSEEN:
            role = self._title_role(title)
            if len(self._by_title) < _TITLES_KEPT:
                self._by_title[title] = role
        if role is not None:
            return role
        best, best_score = None, 0.5
        for role, required in self.requirements:
            hits = len(required & skills)
            score = hits / len(required)
            if hits >= 2 and score > best_score:
                best, best_score = role, score
        return best
