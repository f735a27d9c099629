"""Learning steps: what is missing (choices included), readiness gain x demand, prerequisite ordering."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.recommender.learning_path import DEMAND_FLOOR, order_steps
from services.recommender.model.artefact import load_latest
from services.recommender.model.labels import load_survey_profiles
from services.recommender.model.training import split
from services.recommender.scoring import Scorer
from shared.catalog import load_catalog, load_snapshot, prerequisite_closure

CATALOG = load_catalog()
DEMAND = {s: v["demand"] for s, v in load_snapshot()["skills"].items()}


@pytest.fixture(scope="module")
def scorer(model_dir: Path) -> Scorer:
    return Scorer(CATALOG, load_latest(model_dir))


def assert_prerequisites_first(steps: list, catalog=CATALOG) -> None:  # type: ignore[no-untyped-def]
    position = {s.skill: i for i, s in enumerate(steps)}
    for step in steps:
        for p in prerequisite_closure(catalog, step.skill):
            if p in position:
                assert position[p] < position[step.skill], (p, step.skill)
                assert p in step.prerequisites


def test_order_steps_puts_prerequisites_first_even_when_less_valuable() -> None:
    priorities = {"linux": 0.01, "docker": 0.2, "kubernetes": 0.9, "go": 0.5}
    prerequisites = {"docker": {"linux"}, "kubernetes": {"linux", "docker"}}
    order = order_steps(priorities, prerequisites, ["linux", "docker", "kubernetes", "go"])
    # linux unlocks kubernetes (0.9), so it goes first; go (0.5) waits behind the kubernetes chain
    assert order == ["linux", "docker", "kubernetes", "go"]
    assert order_steps({"a": 0.1, "b": 0.3}, {}, ["a", "b"]) == ["b", "a"]


def test_order_steps_rejects_a_cycle() -> None:
    with pytest.raises(ValueError, match="cycle"):
        order_steps({"a": 1.0, "b": 1.0}, {"a": {"b"}, "b": {"a"}}, ["a", "b"])


def full_profile(role_id: str, skip: tuple[str, ...] = ()) -> dict[str, int]:
    """Every requirement of the role met (a choice by its first alternative), minus `skip`."""
    out = {}
    for req in CATALOG.roles[role_id].items:
        out[req.skills[0]] = req.level
    return {s: v for s, v in out.items() if s not in skip}


@pytest.mark.parametrize("role_id", CATALOG.role_ids)
def test_a_profile_meeting_the_role_gets_no_steps(scorer: Scorer, role_id: str) -> None:
    profile = full_profile(role_id)
    assert scorer.learning_steps(profile, 5.0, role_id, DEMAND) == []
    stronger = {s: min(lvl + 1, 4) for s, lvl in profile.items()}
    assert scorer.learning_steps(stronger, 5.0, role_id, DEMAND) == []


@pytest.mark.parametrize("role_id", CATALOG.role_ids)
def test_steps_from_scratch_cover_the_role_and_respect_prerequisites(scorer: Scorer, role_id: str) -> None:
    role = CATALOG.roles[role_id]
    steps = scorer.learning_steps({}, 0.0, role_id, DEMAND)
    by_skill = {s.skill: s for s in steps}
    assert len(by_skill) == len(steps)
    for req in role.items:  # a choice through one of its alternatives
        assert any(s in by_skill and by_skill[s].to_level >= req.level for s in req.skills), req
    assert_prerequisites_first(steps)
    for step in steps:
        entry = CATALOG.skills[step.skill]
        assert step.readiness_gain > 0 and step.fit_gain == step.readiness_gain
        assert step.effort_hours >= entry.effort_hours * (step.to_level - step.from_level)
        assert step.resource == entry.resource and "points of readiness" in step.why
    after = dict.fromkeys(by_skill, 0) | {s.skill: s.to_level for s in steps}
    assert scorer.readiness.of(after, CATALOG.role_ids.index(role_id)) == pytest.approx(1.0)


def test_a_java_backend_developer_is_not_sent_to_learn_python(scorer: Scorer) -> None:
    profile = full_profile("backend-developer", skip=("python",)) | {"java": 3}
    assert scorer.learning_steps(profile, 5.0, "backend-developer", DEMAND) == []
    weaker = profile | {"java": 2}
    steps = scorer.learning_steps(weaker, 5.0, "backend-developer", DEMAND)
    assert [(s.skill, s.from_level, s.to_level) for s in steps] == [("java", 2, 3)]
    assert "a server-side language such as Java" in steps[0].why


def test_prerequisites_are_raised_only_to_the_level_needed(scorer: Scorer) -> None:
    # Data engineers need Bash at 1; Bash needs Linux, which is then needed at 1, not 2.
    profile = full_profile("data-engineer", skip=("bash", "linux"))
    steps = scorer.learning_steps(profile, 4.0, "data-engineer", DEMAND)
    assert [(s.skill, s.to_level) for s in steps] == [("linux", 1), ("bash", 1)]
    assert steps[1].prerequisites == ["linux"]


def test_a_prerequisite_that_adds_no_readiness_is_folded_into_its_step(scorer: Scorer) -> None:
    # Back-end developers need networking at 1, AWS at 2, and AWS at 2 needs networking at 2: raising
    # networking from 1 to 2 adds nothing to readiness alone, so it rides with the AWS step.
    profile = full_profile("backend-developer", skip=("aws",)) | {"networking": 1}
    steps = scorer.learning_steps(profile, 4.0, "backend-developer", DEMAND)
    assert [s.skill for s in steps] == ["aws"]
    aws, networking = CATALOG.skills["aws"], CATALOG.skills["networking"]
    assert steps[0].effort_hours == aws.effort_hours * 2 + networking.effort_hours * 1
    assert steps[0].prerequisites == ["networking"] and "first Networking" in steps[0].why
    assert steps[0].readiness_gain > 0


def test_gain_and_priority_arithmetic(scorer: Scorer) -> None:
    skills, years, role_id = {"python": 3, "sql": 2}, 3.0, "data-engineer"
    steps = scorer.learning_steps(skills, years, role_id, DEMAND)
    r = CATALOG.role_ids.index(role_id)
    now = scorer.readiness.of(skills, r)
    assert steps
    for step in steps:
        raised = scorer.readiness.of({**skills, step.skill: step.to_level}, r)
        assert step.readiness_gain == pytest.approx(raised - now, abs=1e-6)
        weight = DEMAND_FLOOR + (1 - DEMAND_FLOOR) * DEMAND[step.skill]
        hours = CATALOG.skills[step.skill].effort_hours * (step.to_level - step.from_level)
        assert step.priority == pytest.approx(step.readiness_gain / hours * weight, rel=1e-4)
        assert step.demand == pytest.approx(DEMAND[step.skill], abs=1e-4)


def test_demand_changes_the_order_among_independent_steps(scorer: Scorer) -> None:
    skills = full_profile("backend-developer", skip=("redis", "message-queues"))
    low = scorer.learning_steps(skills, 5.0, "backend-developer", {"redis": 0.0, "message-queues": 1.0})
    high = scorer.learning_steps(skills, 5.0, "backend-developer", {"redis": 1.0, "message-queues": 0.0})
    assert {s.skill for s in low} == {"redis", "message-queues"}
    assert low[0].skill == "message-queues" and high[0].skill == "redis"


def test_every_step_raises_readiness_for_every_held_out_profile_and_role(scorer: Scorer) -> None:
    """The issue's bar: 0 steps with gain <= 0 across every held-out real profile and every target role."""
    real = load_survey_profiles(CATALOG)
    _, test_rows = split(real, 7)
    plans = bad = 0
    for row in real.x[test_rows]:
        skills = {s: int(v) for s, v in zip(CATALOG.skill_ids, row[:-1], strict=True) if v}
        for role_id in CATALOG.role_ids:
            steps = scorer.learning_steps(skills, float(row[-1]), role_id, DEMAND)
            plans += 1
            bad += sum(1 for s in steps if s.readiness_gain <= 0)
    assert plans == len(test_rows) * len(CATALOG.roles) and bad == 0


def test_unknown_target_role(scorer: Scorer) -> None:
    with pytest.raises(ValueError, match="unknown role"):
        scorer.learning_steps({}, 0.0, "astronaut", DEMAND)
