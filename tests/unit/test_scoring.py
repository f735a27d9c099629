"""Explained match and readiness: score arithmetic, ranking, batch scoring in one model call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from services.recommender.model.artefact import load_latest
from services.recommender.model.features import vectorise
from services.recommender.scoring import Scorer
from shared.catalog import load_catalog

CATALOG = load_catalog()
PROFILES = [
    ({"python": 3, "sql": 3, "docker": 2, "linux": 2, "http": 2, "rest": 3, "git": 3}, 5.0),
    ({"javascript": 4, "typescript": 3, "frontend": 3, "nodejs": 2}, 1.0),
    ({"linux": 4, "bash": 3, "kubernetes": 3, "terraform": 2, "observability": 3}, 12.0),
    ({}, 0.0),
    ({"owasp": 1}, 30.0),
]


@pytest.fixture(scope="module")
def scorer(model_dir: Path) -> Scorer:
    return Scorer(CATALOG, load_latest(model_dir))


class CountingPipeline:
    """Wraps the fitted model (its arrays) and counts the calls that run it."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.calls, self.rows = inner, 0, 0

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        self.calls += 1
        self.rows += len(x)
        return np.asarray(self.inner.decision_function(x))


@pytest.mark.parametrize(("skills", "years"), PROFILES)
def test_contributions_add_up_to_score_minus_baseline(
    scorer: Scorer, skills: dict[str, int], years: float
) -> None:
    fits = scorer.rank(skills, years, top=12)
    assert len(fits) == len(CATALOG.roles)
    assert sum(f.score for f in fits) == pytest.approx(1.0, abs=1e-9)
    assert [f.score for f in fits] == sorted((f.score for f in fits), reverse=True)
    for fit in fits:
        total = sum(c.contribution for c in fit.contributions)
        assert fit.baseline + total == pytest.approx(fit.score, abs=1e-12)
        assert {c.skill for c in fit.contributions} == {s for s, lvl in skills.items() if lvl > 0}
        sizes = [abs(c.contribution) for c in fit.contributions]
        assert sizes == sorted(sizes, reverse=True)


def test_score_is_the_model_probability_and_baseline_the_empty_profile(scorer: Scorer) -> None:
    skills, years = PROFILES[0]
    fits = {f.role: f for f in scorer.rank(skills, years, top=12)}
    proba = scorer.artefact.predict_proba(vectorise([(skills, years), ({}, years)], CATALOG.skill_ids))
    for r, role in enumerate(CATALOG.role_ids):
        assert fits[role].score == pytest.approx(proba[0, r], abs=1e-12)
        assert fits[role].baseline == pytest.approx(proba[1, r], abs=1e-12)


def test_contributions_are_close_to_exact_integrated_gradients(scorer: Scorer) -> None:
    """Before the remainder fix-up the quadrature already adds up (the fix-up only removes ~1e-9)."""
    x = vectorise([PROFILES[2]], CATALOG.skill_ids)
    proba, base, roles, contrib = scorer.explain(x)
    assert np.allclose(contrib.sum(axis=2), (proba - base)[0][roles[0]], atol=1e-12)
    # a single skill gets the whole difference
    one = vectorise([({"kubernetes": 3}, 4.0)], CATALOG.skill_ids)
    p1, b1, _, c1 = scorer.explain(one)
    j = CATALOG.skill_ids.index("kubernetes")
    assert np.allclose(c1[0, :, j], p1[0] - b1[0], atol=1e-12)


def test_matched_and_missing_skills_carry_required_levels(scorer: Scorer) -> None:
    role = CATALOG.roles["database-administrator"]
    fit = scorer.rank_batch([({"sql": 4, "postgresql": 1, "python": 3}, 6.0)], role=role.id)[0][0]
    matched = {g.skill: (g.level, g.required_level) for g in fit.matched}
    missing = {g.label or g.skill: (g.skill, g.level, g.required_level) for g in fit.missing}
    assert matched == {"sql": (4, 4), "python": (3, 1)}
    # the choice of engine names the alternative the profile holds best
    assert missing["a relational database engine"] == ("postgresql", 1, 3)
    assert missing["query-tuning"] == ("query-tuning", 0, 3)
    assert len(fit.matched) + len(fit.missing) == len(role.items)
    assert sum(g.weight for g in fit.matched + fit.missing) == pytest.approx(1.0, abs=1e-3)
    assert fit.occupation_code == role.occupation_code and fit.name == role.name and not fit.meets


@pytest.mark.parametrize(("skills", "years"), PROFILES)
def test_readiness_is_explained_and_independent_of_the_ranking(
    scorer: Scorer, skills: dict[str, int], years: float
) -> None:
    fits = scorer.rank(skills, years, top=12)
    for fit in fits:
        assert fit.match == fit.score
        assert sum(c.contribution for c in fit.readiness_contributions) == pytest.approx(
            fit.readiness, abs=1e-12
        )
        assert fit.readiness == pytest.approx(scorer.readiness.of(skills, CATALOG.role_ids.index(fit.role)))
        assert {c.skill for c in fit.readiness_contributions} <= {s for s, v in skills.items() if v}
    if not skills:
        assert all(f.readiness == 0 and not f.readiness_contributions for f in fits)


@pytest.mark.parametrize("role_id", CATALOG.role_ids)
def test_a_role_s_own_requirements_make_it_met_and_ranked_high(scorer: Scorer, role_id: str) -> None:
    profile = {req.skills[0]: req.level for req in CATALOG.roles[role_id].items}
    for years in (2.0, 8.0):
        fits = scorer.rank(profile, years, top=12)
        own = next(f for f in fits if f.role == role_id)
        assert own.meets and own.readiness == pytest.approx(1.0) and not own.missing
        assert own.role in [f.role for f in fits[:3]], [f.role for f in fits[:3]]


def test_batch_of_1000_is_one_model_call_and_matches_single_scoring(scorer: Scorer, model_dir: Path) -> None:
    rng = np.random.default_rng(3)
    candidates = [
        (
            {str(s): int(rng.integers(0, 5)) for s in rng.choice(CATALOG.skill_ids, 12, replace=False)},
            float(rng.uniform(0, 25)),
        )
        for _ in range(1000)
    ]
    counted = Scorer(CATALOG, load_latest(model_dir))
    counter = CountingPipeline(counted._model)
    counted._model = counter
    results = counted.rank_batch(candidates, top=3)
    assert counter.calls == 1 and counter.rows == 2000  # the profiles and their empty baselines
    assert len(results) == 1000 and all(len(r) == 3 for r in results)
    for i in (0, 517, 999):
        single = scorer.rank(*candidates[i], top=3)
        assert [f.role for f in single] == [f.role for f in results[i]]
        a, b = single[0].contributions, results[i][0].contributions
        assert [c.skill for c in a] == [c.skill for c in b]
        assert [c.contribution for c in a] == pytest.approx([c.contribution for c in b], abs=1e-12)


def test_batch_for_one_role(scorer: Scorer) -> None:
    results = scorer.rank_batch([PROFILES[0], PROFILES[1]], top=3, role="data-engineer")
    assert [[f.role for f in r] for r in results] == [["data-engineer"], ["data-engineer"]]
    everything = {f.role: f.score for f in scorer.rank(*PROFILES[0], top=12)}
    assert results[0][0].score == pytest.approx(everything["data-engineer"])
    with pytest.raises(ValueError, match="unknown role"):
        scorer.rank_batch([PROFILES[0]], top=3, role="astronaut")
    assert scorer.rank_batch([], top=3) == []


def test_unknown_skills_are_ignored_and_model_version_reported(scorer: Scorer) -> None:
    with_unknown = scorer.rank({"python": 3, "cobol": 4}, 3.0, top=2)
    without = scorer.rank({"python": 3}, 3.0, top=2)
    assert with_unknown == without
    assert scorer.model_version == scorer.artefact.version
