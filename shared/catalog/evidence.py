"""The evidence behind each role requirement: survey shares, O*NET flags and written rationales.

`role_evidence.csv` (made by `build_data`) holds, per role and skill, the share of the role's survey DevType
who worked with the skill, its lift, and the O*NET flag of the role's occupation. `requirement_rationale.csv`
(hand-written) says why a requirement stands where neither source supports it. Both are read here once.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import msgspec

from shared.catalog import CATALOG_DIR

__all__ = ["EVIDENCE_PATH", "RATIONALE_PATH", "SkillEvidence", "load_evidence", "load_rationale"]

EVIDENCE_PATH = CATALOG_DIR / "role_evidence.csv"
RATIONALE_PATH = CATALOG_DIR / "requirement_rationale.csv"


class SkillEvidence(msgspec.Struct, kw_only=True, frozen=True):
    """One role x skill row of `role_evidence.csv`."""

    respondents: int
    share: float | None  # None: the survey does not observe the skill
    lift: float | None
    onet_flag: int  # 0 absent, 1 listed, 2 Hot Technology, 3 In Demand


@functools.cache
def load_evidence(path: Path = EVIDENCE_PATH) -> dict[tuple[str, str], SkillEvidence]:
    """(role id, skill id) -> its evidence."""
    with open(path, encoding="utf-8", newline="") as fh:
        return {
            (row["role"], row["skill"]): SkillEvidence(
                respondents=int(row["respondents"]),
                share=float(row["so_share"]) if row["so_share"] else None,
                lift=float(row["so_lift"]) if row["so_lift"] else None,
                onet_flag=int(row["onet_flag"]),
            )
            for row in csv.DictReader(fh)
        }


@functools.cache
def load_rationale(path: Path = RATIONALE_PATH) -> dict[tuple[str, str], str]:
    """(role id, requirement: a skill id or a choice's label) -> why the role asks for it."""
    with open(path, encoding="utf-8", newline="") as fh:
        return {(row["role"], row["requirement"]): row["rationale"] for row in csv.DictReader(fh)}
