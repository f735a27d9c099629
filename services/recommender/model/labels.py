"""Labelled training data: real survey profiles, and seeded catalogue-generated profiles.

Real profiles come from `shared/catalog/so_profiles.csv` (Stack Overflow 2023, US; DevType -> role and
technologies -> skill ids, see shared/catalog/README.md). The survey records only *presence* ("have worked
with"), so a level is inferred from presence and years of professional coding: a skill the respondent
worked with gets level 2 (working) below `PROFICIENT_AFTER` years and 3 (proficient) from then on; a skill
not mentioned gets 0. The survey never observes 25 of the catalogue's skills (HTTP, CI/CD, security...);
they are 0 in every real profile.

Synthetic profiles (`generate_profiles`) are drawn around each role's catalogue requirements with a
seeded generator. They teach the model the skills the survey cannot observe and the two roles with no
survey DevType. They are only ever added to a training split, never to an evaluation split.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from services.recommender.model.features import vectorise
from shared.catalog import CATALOG_DIR, Catalog

__all__ = [
    "GENERATED_PER_ROLE",
    "GENERATED_WEIGHT",
    "PROFICIENT_AFTER",
    "PROFILES_PATH",
    "LabelledData",
    "generate_profiles",
    "inferred_level",
    "load_survey_profiles",
]

PROFILES_PATH = CATALOG_DIR / "so_profiles.csv"
PROFICIENT_AFTER = 3.0
# generated profiles per role in a training set, and the sample weight of each (see model.training; here
# so the questionnaire rebuilds the training rows without importing the trainer and scikit-learn)
GENERATED_PER_ROLE = 300
GENERATED_WEIGHT = 0.05


class LabelledData:
    """Raw input matrix `x`, role indices `y` (catalogue order) and the DevType of each row."""

    def __init__(self, x: np.ndarray, y: np.ndarray, devtypes: list[str]) -> None:
        self.x, self.y, self.devtypes = x, y, devtypes

    def __len__(self) -> int:
        return len(self.y)

    def subset(self, rows: np.ndarray) -> LabelledData:
        return LabelledData(self.x[rows], self.y[rows], [self.devtypes[i] for i in rows])


def inferred_level(years_pro: float) -> int:
    """The level given to a skill a respondent has worked with."""
    return 3 if years_pro >= PROFICIENT_AFTER else 2


def load_survey_profiles(catalog: Catalog, path: Path = PROFILES_PATH) -> LabelledData:
    """Read the labelled survey profiles as model inputs."""
    roles = {r: i for i, r in enumerate(catalog.role_ids)}
    profiles, labels, devtypes = [], [], []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            years = float(row["years_pro"])
            level = inferred_level(years)
            skills = {s: level for s in row["skills"].split(";") if s}
            profiles.append((skills, years))
            labels.append(roles[row["role"]])
            devtypes.append(row["devtype"])
    return LabelledData(vectorise(profiles, catalog.skill_ids), np.asarray(labels, dtype=np.int64), devtypes)


def generate_profiles(catalog: Catalog, per_role: int, seed: int) -> LabelledData:
    """Seeded profiles around each role's requirements.

    For each required skill at level L: kept with probability 0.85 at level L + {-1, 0, 0, +1} (clipped
    to 1..4), else 0; a choice ("a server-side language") is met by one of its skills drawn uniformly.
    Every other skill: present with probability 0.06 at level 1 or 2. Years: uniform 0.5..20.
    Deterministic for a given (catalogue, per_role, seed).
    """
    rng = np.random.default_rng(seed)
    skill_ids = catalog.skill_ids
    n_skills = len(skill_ids)
    rows, labels = [], []
    for label, role in enumerate(catalog.roles.values()):
        required = np.zeros(n_skills)
        for skill, level in role.requirements.items():
            required[skill_ids.index(skill)] = level
        for _ in range(per_role):
            for group in role.alternatives:
                required[[skill_ids.index(s) for s in group.skills]] = 0
                required[skill_ids.index(group.skills[rng.integers(len(group.skills))])] = group.level
            is_required = required > 0
            jitter = rng.choice([-1, 0, 0, 1], size=n_skills)
            kept = rng.random(n_skills) < 0.85
            levels = np.where(is_required & kept, np.clip(required + jitter, 1, 4), 0.0)
            extra = (~is_required) & (rng.random(n_skills) < 0.06)
            levels = np.where(extra, rng.integers(1, 3, size=n_skills), levels)
            rows.append(np.append(levels, rng.uniform(0.5, 20.0)))
            labels.append(label)
    return LabelledData(np.asarray(rows), np.asarray(labels, dtype=np.int64), ["<generated>"] * len(labels))
