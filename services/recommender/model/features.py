"""The feature pipeline: a skill-level vector plus years of experience -> model inputs.

Raw input matrix (what `vectorise` returns and the fitted pipeline accepts): one column per catalogue
skill, in catalogue order, holding the level 0..4, then one column `years` (years of professional
experience). The pipeline's first step (`scale_features`) maps levels to 0..1 and years to
log1p(min(years, 40)) / log1p(40), so the coefficients of the linear model are comparable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import chain
from operator import methodcaller

import numpy as np

__all__ = ["MAX_YEARS", "YEARS_FEATURE", "feature_names", "scale_features", "vectorise"]

YEARS_FEATURE = "years"
_values = methodcaller("values")
MAX_YEARS = 40.0
_LOG1P_MAX_YEARS = np.log1p(MAX_YEARS)  # the same numpy float64 as computed per call before


def feature_names(skill_ids: Sequence[str]) -> list[str]:
    """Column names of the raw input matrix."""
    return [*skill_ids, YEARS_FEATURE]


def vectorise(
    profiles: Sequence[tuple[Mapping[str, int], float]],
    skill_ids: Sequence[str],
    index: Mapping[str, int] | None = None,
) -> np.ndarray:
    """Stack (skills, years) pairs into the raw input matrix; unknown skill ids are ignored.

    `index` (skill id -> its column, as `skill_ids` orders them) spares building it on every call: a
    third of the time for one profile. Every profile's ids are looked up in one ``map`` and the levels
    placed in one scatter (no Python loop per skill): 1,000 candidates 1.85 -> 1.0 ms."""
    if index is None:
        index = {s: i for i, s in enumerate(skill_ids)}
    out = np.zeros((len(profiles), len(skill_ids) + 1), dtype=np.float64)
    if len(profiles) == 1:  # one recommendation: a loop on the one row is cheaper (9.5 -> 4.0 us)
        return _one(out, profiles[0], index)
    skills = [p[0] for p in profiles]
    cols: list[int | None] = list(map(index.get, chain.from_iterable(skills)))
    values: list[float] = list(chain.from_iterable(map(_values, skills)))
    rows = np.repeat(np.arange(len(profiles)), list(map(len, skills)))
    if None in cols:  # an unknown skill id: dropped with its level
        known = np.asarray([c is not None for c in cols], dtype=bool)
        rows, values = rows[known], [v for v, k in zip(values, known.tolist(), strict=True) if k]
        cols = [c for c in cols if c is not None]
    out[rows, np.asarray(cols, dtype=np.intp)] = np.asarray(values, dtype=np.float64)
    np.clip(out, 0.0, 4.0, out=out)
    np.floor(out, out=out)
    out[:, -1] = np.maximum(np.asarray([p[1] for p in profiles], dtype=np.float64), 0.0)
    return out


def _one(out: np.ndarray, profile: tuple[Mapping[str, int], float], index: Mapping[str, int]) -> np.ndarray:
    """`vectorise` of one profile into `out` (one row of zeros): the same levels, clip, floor and years.

    Whole-number levels (what the API sends) are clipped in Python and the years' floor at 0 taken as
    np.maximum takes it (NaN kept, -0.0 to 0.0): no numpy call on the row then (~2.5 us less a call);
    any other level takes numpy's clip and floor over the row as before."""
    skills, years = profile
    row = out[0]
    whole = True
    for skill, level in skills.items():
        col = index.get(skill)
        if col is not None:
            if type(level) is int:
                row[col] = 0 if level < 0 else 4 if level > 4 else level
            else:
                row[col] = level
                whole = False
    if not whole:
        np.clip(out, 0.0, 4.0, out=out)
        np.floor(out, out=out)
    y = float(years)
    row[-1] = y if y > 0.0 or y != y else 0.0
    return out


def scale_features(x: np.ndarray) -> np.ndarray:
    """Levels / 4 and squashed years (the pipeline's first step; module-level so it pickles)."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    out[:, :-1] = x[:, :-1] / 4.0
    out[:, -1] = np.log1p(np.minimum(x[:, -1], MAX_YEARS)) / _LOG1P_MAX_YEARS
    return out
