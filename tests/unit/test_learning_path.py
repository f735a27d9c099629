"""Learning steps: candidate steps, model x demand scoring, prerequisite ordering."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.recommender.learning_path import DEMAND_FLOOR, PREREQUISITE_LEVEL, order_steps
from services.recommender.model.artefact import load_latest
from services.recommender.model.features import vectorise
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


@pytest.mark.parametrize("role_id", CATALOG.role_ids)
def test_a_profile_meeting_the_role_gets_no_steps(scorer: Scorer, role_id: str) -> None:
    requirements = CATALOG.roles[role_id].requirements
    assert scorer.learning_steps(requirements, 5.0, role_id, DEMAND) == []
    stronger = {s: min(lvl + 1, 4) for s, lvl in requirements.items()}
    assert scorer.learning_steps(stronger, 5.0, role_id, DEMAND) == []


@pytest.mark.parametrize("role_id", CATALOG.role_ids)
def test_steps_from_scratch_cover_the_role_and_respect_prerequisites(scorer: Scorer, role_id: str) -> None:
    role = CATALOG.roles[role_id]
    steps = scorer.learning_steps({}, 0.0, role_id, DEMAND)
    by_skill = {s.skill: s for s in steps}
    assert len(by_skill) == len(steps)
    for skill, level in role.requirements.items():
        assert by_skill[skill].to_level >= level and by_skill[skill].from_level == 0
    assert_prerequisites_first(steps)
    for step in steps:
        entry = CATALOG.skills[step.skill]
        assert step.effort_hours == entry.effort_hours * (step.to_level - step.from_level)
        assert step.resource == entry.resource and step.why


def test_a_missing_prerequisite_outside_the_role_is_added_before_its_dependant(scorer: Scorer) -> None:
    # Platform engineers need Kubernetes; Kubernetes needs networking, which the role does not list.
    assert "networking" not in CATALOG.roles["platform-engineer"].requirements
    skills = {
        s: lvl for s, lvl in CATALOG.roles["platform-engineer"].requirements.items() if s != "kubernetes"
    }
    steps = scorer.learning_steps(skills, 4.0, "platform-engineer", DEMAND)
    assert [s.skill for s in steps] == ["networking", "kubernetes"]
    assert steps[0].to_level == PREREQUISITE_LEVEL and "prerequisite of Kubernetes" in steps[0].why
    assert steps[1].prerequisites == ["networking"]


def test_fit_gain_and_priority_arithmetic(scorer: Scorer) -> None:
    skills, years, role_id = {"python": 3, "sql": 2}, 3.0, "data-engineer"
    steps = scorer.learning_steps(skills, years, role_id, DEMAND)
    r = CATALOG.role_ids.index(role_id)
    now = scorer.probabilities(vectorise([(skills, years)], CATALOG.skill_ids))[0, r]
    for step in steps:
        raised = scorer.probabilities(
            vectorise([({**skills, step.skill: step.to_level}, years)], CATALOG.skill_ids)
        )
        assert step.fit_gain == pytest.approx(raised[0, r] - now, abs=1e-6)
        weight = DEMAND_FLOOR + (1 - DEMAND_FLOOR) * DEMAND[step.skill]
        assert step.priority == pytest.approx(step.fit_gain * weight, abs=1e-6)
        assert step.demand == pytest.approx(DEMAND[step.skill], abs=1e-4)


def test_demand_changes_the_order_among_independent_steps(scorer: Scorer) -> None:
    skills = {
        s: lvl
        for s, lvl in CATALOG.roles["backend-developer"].requirements.items()
        if s not in {"redis", "testing"}
    }
    low_redis = scorer.learning_steps(skills, 5.0, "backend-developer", {"redis": 0.0, "testing": 1.0})
    high_redis = scorer.learning_steps(skills, 5.0, "backend-developer", {"redis": 1.0, "testing": 0.0})
    assert {s.skill for s in low_redis} == {"redis", "testing"}
    gains = {s.skill: s.fit_gain for s in low_redis}
    if gains["redis"] > 0 and gains["testing"] > 0:
        assert low_redis[0].skill == "testing" and high_redis[0].skill == "redis"
    assert all(s.demand in (0.0, 1.0) for s in low_redis)


def test_unknown_target_role(scorer: Scorer) -> None:
    with pytest.raises(ValueError, match="unknown role"):
        scorer.learning_steps({}, 0.0, "astronaut", DEMAND)
