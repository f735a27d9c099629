"""A learning plan is the plan it was before this round's shortcuts (issue 18): the demand share's terms
made once per market version, the prerequisite sets, the gains' matrix filled without vectorise. The
reference below is plan_steps as it was at commit c75b561, verbatim but for its name; the new one must
give the same bytes for seeded random profiles towards every role, with markets of several shapes."""

from __future__ import annotations

import random
from collections.abc import Mapping
from pathlib import Path

import msgspec
import numpy as np
import pytest

from services.recommender.learning_path import (
    _NO_GAIN,
    DEMAND_FLOOR,
    order_steps,
    plan_steps,
    wanted_levels,
)
from services.recommender.model.artefact import load_latest
from services.recommender.model.features import vectorise
from services.recommender.scoring import Scorer
from shared.catalog import load_catalog
from shared.contracts.recommendations import LearningStep

CATALOG = load_catalog()


@pytest.fixture(scope="module")
def scorer(model_dir: Path) -> Scorer:
    return Scorer(CATALOG, load_latest(model_dir))


def _plan_before(
    scorer: Scorer, skills: Mapping[str, int], years: float, target_role: str, demand: Mapping[str, float]
) -> list[LearningStep]:
    """The ordered learning steps for `target_role` (empty when the profile already meets it)."""
    catalog = scorer.catalog
    if target_role not in catalog.roles:
        raise ValueError(f"unknown role {target_role!r}")
    shares = scorer.demand_shares(demand)
    current = {s: int(v) for s, v in skills.items() if s in catalog.skills}
    targets = wanted_levels(scorer, current, target_role, shares)
    if not targets:
        return []
    role = catalog.roles[target_role]
    plan = scorer.role_plans[target_role]
    r = scorer.role_ids.index(target_role)
    # Row 0: the profile now; row i + 1: the profile with the i-th target skill raised to its goal.
    now = vectorise([(current, years)], scorer.skill_ids, scorer.skill_index)
    x = np.repeat(now[:, :-1], len(targets) + 1, axis=0)
    for i, (s, b) in enumerate(targets.items(), start=1):
        x[i, scorer.skill_index[s]] = b
    ready = scorer.readiness.readiness_for(x, r)
    gains = {s: float(ready[i + 1] - ready[0]) for i, s in enumerate(targets)}
    steps = [s for s in targets if gains[s] > _NO_GAIN]
    folded = [s for s in targets if gains[s] <= _NO_GAIN]
    hours = {s: catalog.skills[s].effort_hours * (targets[s] - current.get(s, 0)) for s in targets}
    weight = {s: DEMAND_FLOOR + (1 - DEMAND_FLOOR) * shares.get(s, 0.0) for s in targets}
    priorities = {s: gains[s] / hours[s] * weight[s] for s in steps}
    step_set = set(steps)
    prereq_steps = {s: set(scorer.prerequisites[s]) & step_set for s in steps}
    ordered = order_steps(priorities, prereq_steps, scorer.skill_index)
    carried: dict[str, list[str]] = {s: [] for s in ordered}
    for f in folded:  # to the first step that (transitively) needs it
        host = next((s for s in ordered if f in scorer.prerequisites[s]), None)
        if host is not None:
            carried[host].append(f)
    out = []
    for s in ordered:
        a, b = current.get(s, 0), targets[s]
        skill = catalog.skills[s]
        required = plan.levels.get(s, 0)
        if required >= b:
            choice = plan.choices.get(s)
            reason = f"{role.name} needs {choice + ' such as ' if choice else ''}{skill.name} at level {b}"
        else:
            needed_by = [catalog.skills[d].name for d in ordered if s in prereq_steps[d]]
            reason = f"prerequisite of {', '.join(needed_by)} (needed at level {b})"
        first = carried[s]
        before = (
            "; first "
            + ", ".join(f"{catalog.skills[f].name} {current.get(f, 0)}→{targets[f]}" for f in first)
            if first
            else ""
        )
        out.append(
            LearningStep(
                skill=s,
                name=skill.name,
                from_level=a,
                to_level=b,
                fit_gain=round(gains[s], 6),
                readiness_gain=round(gains[s], 6),
                demand=round(shares.get(s, 0.0), 4),
                priority=round(priorities[s], 8),
                effort_hours=hours[s] + sum(hours[f] for f in first),
                resource=skill.resource,
                why=f"{reason} (you have {a}){before}; +{gains[s] * 100:.1f} points of readiness for "
                f"{role.name}; market demand {shares.get(s, 0.0):.0%}.",
                prerequisites=sorted(prereq_steps[s] | set(first), key=scorer.skill_index.__getitem__),
            )
        )
    return out


def _markets(rng: random.Random) -> list[dict[str, float]]:
    """No demand, every skill's, some skills' (out of 0..1 too, and shares that round or show alike)."""
    every = {s: rng.random() for s in CATALOG.skill_ids}
    some = {
        s: rng.choice([-0.3, 0.0, 0.004999, 0.005, 0.12345, 0.5, 0.995, 1.0, 1.4])
        for s in CATALOG.skill_ids[::3]
    }
    return [{}, every, some]


def test_plans_are_the_plans_before_for_every_role(scorer: Scorer) -> None:
    rng = random.Random(181)
    markets = _markets(rng)
    steps = folded = 0
    for _ in range(150):
        skills = {s: rng.randint(-1, 6) for s in rng.sample(CATALOG.skill_ids, k=rng.randint(0, 14))}
        years = rng.choice([0.0, 3.0, 12.5])
        demand = rng.choice(markets)
        for role in CATALOG.role_ids:
            got = plan_steps(scorer, skills, years, role, demand)
            want = _plan_before(scorer, skills, years, role, demand)
            assert msgspec.json.encode(got) == msgspec.json.encode(want)
            steps += len(got)
            folded += sum("; first " in s.why for s in got)
    assert steps > 1000 and folded > 10  # many steps, prerequisites folded into some


def test_demand_terms_are_kept_per_demand_map(scorer: Scorer) -> None:
    demand = {"python": 1.7, "sql": -0.2, "docker": 0.004999}
    terms = scorer.demand_terms(demand)
    assert scorer.demand_terms(demand) is terms
    assert [(t.share, t.rounded, t.percent) for t in terms.values()] == [
        (1.0, 1.0, "100%"),
        (0.0, 0.0, "0%"),
        (0.004999, 0.005, "0%"),
    ]
    assert scorer.demand_terms(dict(demand)) == terms and scorer.demand_terms(demand) is not terms
