"""Answers stay the same: the recommender's answer (the `top` roles explained, the target chosen from every
role's standing) against the reference path it replaced (every role explained, then cut to `top`), on
seeded random profiles; the options that drop work (`learning_plan`, the batch's `explain`) change only
what they say they drop."""

from __future__ import annotations

import random
from pathlib import Path

import msgspec
import numpy as np
import pytest

from services.recommender.market import Market, MarketSource, derive
from services.recommender.model.artefact import load_latest
from services.recommender.model.features import vectorise
from services.recommender.routes import answer, choose_target
from services.recommender.scoring import Scorer, along
from shared.catalog import load_catalog, load_snapshot
from shared.contracts.market_document import MarketDocument
from shared.contracts.recommendations import RecommendationRequest, RoleFit

CATALOG = load_catalog()
PROFILES = 300


@pytest.fixture(scope="module")
def scorer(model_dir: Path) -> Scorer:
    return Scorer(CATALOG, load_latest(model_dir))


@pytest.fixture(scope="module")
def market() -> Market:
    doc = msgspec.convert(load_snapshot(), MarketDocument)
    return MarketSource._market(None, derive(doc), stale=False)  # type: ignore[arg-type]


def _requests(seed: int) -> list[RecommendationRequest]:
    """Profiles from empty to a dozen skills at levels 0-4, any years, any `top`, a target or not."""
    rng = random.Random(seed)
    out = []
    for _ in range(PROFILES):
        skills = {s: rng.randint(0, 4) for s in rng.sample(CATALOG.skill_ids, k=rng.randint(0, 12))}
        out.append(
            RecommendationRequest(
                skills=skills,
                years_experience=rng.choice([0.0, 1.0, 3.0, 7.5, 15.0, 40.0]),
                target_role=rng.choice([None, None, *CATALOG.role_ids]),
                top=rng.randint(1, 14),
            )
        )
    return out


def _reference(
    scorer: Scorer, market: Market, data: RecommendationRequest
) -> tuple[list[RoleFit], str, list[str], bytes]:
    """The path the answer took before: every role explained, the target chosen from them, then `top`."""
    roles = scorer.rank(data.skills, data.years_experience, top=len(scorer.role_ids), markets=market.roles)
    target, stretch = choose_target(roles, data.target_role)
    steps = scorer.learning_steps(data.skills, data.years_experience, target, market.demand)
    return roles[: data.top], target, stretch, msgspec.json.encode(steps)


def test_answers_match_the_reference_path_on_random_profiles(scorer: Scorer, market: Market) -> None:
    targets = set()
    for data in _requests(seed=18):
        roles, target, stretch, steps = _reference(scorer, market, data)
        got = answer(scorer, market, data)
        assert msgspec.json.encode(got.roles) == msgspec.json.encode(roles)
        assert (got.target_role, got.stretch_roles) == (target, stretch)
        assert msgspec.json.encode(got.learning_steps) == steps
        targets.add(got.target_role)
    assert len(targets) > 5  # the profiles reach many targets, chosen and asked for


def test_without_learning_plan_only_the_steps_go(scorer: Scorer, market: Market) -> None:
    planned = 0
    for data in _requests(seed=19)[:100]:
        full = answer(scorer, market, data)
        lean = answer(scorer, market, msgspec.structs.replace(data, learning_plan=False))
        assert lean.learning_steps == []
        planned += bool(full.learning_steps)
        assert msgspec.structs.replace(lean, learning_steps=full.learning_steps) == full
    assert planned > 50


def test_batch_without_explanations_keeps_every_figure(scorer: Scorer, market: Market) -> None:
    expert = ({s: 4 for s in CATALOG.skill_ids}, 10.0)  # meets every role
    candidates = [(r.skills, r.years_experience) for r in _requests(seed=20)] + [expert]
    for role in (None, CATALOG.role_ids[3]):
        full = scorer.rank_batch(candidates, top=4, role=role, markets=market.roles)
        lean = scorer.rank_batch(candidates, top=4, role=role, markets=market.roles, explain=False)
        assert len(lean) == len(full)
        for fits, figures in zip(full, lean, strict=True):
            assert [f.role for f in figures] == [f.role for f in fits]
            for fit, figure in zip(fits, figures, strict=True):
                assert figure.matched == figure.missing == []
                assert figure.contributions == figure.readiness_contributions == []
                bare = msgspec.structs.replace(
                    fit, matched=[], missing=[], contributions=[], readiness_contributions=[]
                )
                assert figure == bare
    met = [f.meets for fits in scorer.rank_batch(candidates, top=12, explain=False) for f in fits]
    assert any(met) and not all(met)  # both verdicts are exercised


def test_the_shortcuts_give_what_they_replace(scorer: Scorer) -> None:
    """`along` is np.take_along_axis's gather; the role plans are what the catalogue's roles say; the
    column index passed to `vectorise` is the one it would build."""
    rng = np.random.default_rng(18)
    flat, deep = rng.random((5, 12)), rng.random((5, 16, 12))
    idx = np.argsort(-flat, axis=1)[:, :4]
    assert np.array_equal(along(flat, idx), np.take_along_axis(flat, idx, axis=1))
    assert np.array_equal(along(deep, idx[:, None, :]), np.take_along_axis(deep, idx[:, None, :], axis=2))
    for role in CATALOG.roles.values():
        plan = scorer.role_plans[role.id]
        assert plan.items == tuple((r.skills, r.level) for r in role.items)
        assert (plan.requirements, plan.levels) == (role.requirements, role.levels)
        for g in role.alternatives:
            for s in g.skills:
                assert plan.choices[s] == next(h.label for h in role.alternatives if s in h.skills)
    profiles = [(r.skills, r.years_experience) for r in _requests(seed=21)]
    assert np.array_equal(
        vectorise(profiles, scorer.skill_ids, scorer.skill_index), vectorise(profiles, scorer.skill_ids)
    )
