"""Learning steps towards a target role, scored by the model and the market, ordered by prerequisites.

1. Candidate steps: every skill the role requires above the profile's level ("raise s from a to the
   required level b"), plus every direct or indirect prerequisite of those skills the profile holds
   below `PREREQUISITE_LEVEL` (raised to that level, or to the role's requirement if it is higher).
   A profile that meets every requirement gets no steps.
2. Score: `fit_gain` = the model's probability of the target role with that one skill raised minus the
   probability now (all candidate rows go to the model in one call); `priority` = fit_gain x
   (DEMAND_FLOOR + (1 - DEMAND_FLOOR) x demand), demand being the market share 0..1 for the skill
   (0 when the market data has none), so demand weights the gain without silencing skills with no data.
3. Order: repeatedly take, among the steps whose prerequisite steps are all placed, the one with the
   highest *effective* priority - its own, or that of the best step it unlocks if higher, so a cheap
   prerequisite of a valuable step is not left for last (ties: own priority, then catalogue order). No
   step ever precedes a step for one of its prerequisites. Each step reports its own priority.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from services.recommender.model.features import vectorise
from shared.contracts.recommendations import LearningStep

if TYPE_CHECKING:
    from services.recommender.scoring import Scorer

__all__ = ["DEMAND_FLOOR", "PREREQUISITE_LEVEL", "order_steps", "plan_steps"]

PREREQUISITE_LEVEL = 2
DEMAND_FLOOR = 0.1


def _targets(scorer: Scorer, skills: Mapping[str, int], target_role: str) -> dict[str, tuple[int, int]]:
    """skill -> (current level, target level) for every step needed, in catalogue order."""
    catalog = scorer.catalog
    role = catalog.roles[target_role]
    have = {s: int(v) for s, v in skills.items() if s in catalog.skills}
    wanted: dict[str, int] = {s: b for s, b in role.requirements.items() if have.get(s, 0) < b}
    for skill in list(wanted):
        for p in scorer.prerequisites[skill]:
            goal = max(role.requirements.get(p, 0), PREREQUISITE_LEVEL)
            if have.get(p, 0) < goal:
                wanted[p] = max(wanted.get(p, 0), goal)
    return {s: (have.get(s, 0), wanted[s]) for s in catalog.skill_ids if s in wanted}


def order_steps(
    priorities: Mapping[str, float], prerequisites: Mapping[str, set[str]], catalogue_order: list[str]
) -> list[str]:
    """Prerequisites first; otherwise the highest effective priority first (see module docstring).

    `prerequisites[s]` must hold every (transitive) prerequisite of s that is itself a step.
    """
    position = {s: i for i, s in enumerate(catalogue_order)}
    effective = dict(priorities)
    blocked = dict.fromkeys(priorities, 0)  # how many of a step's prerequisite steps are not placed yet
    unlocks: dict[str, list[str]] = {s: [] for s in priorities}
    for d in priorities:
        for s in prerequisites.get(d, ()):
            if s in priorities:
                effective[s] = max(effective[s], priorities[d])
                blocked[d] += 1
                unlocks[s].append(d)
    placed: list[str] = []
    pending = set(priorities)
    while pending:
        ready = [s for s in pending if not blocked[s]]
        if not ready:
            raise ValueError(f"prerequisite cycle among steps {sorted(pending)}")
        best = min(ready, key=lambda s: (-effective[s], -priorities[s], position.get(s, len(position))))
        placed.append(best)
        pending.remove(best)
        for d in unlocks[best]:
            blocked[d] -= 1
    return placed


def _effect(gain: float, role_name: str, required: bool) -> str:
    """The model's verdict on one step taken alone, in words a reader can act on."""
    points = f"{gain * 100:+.1f} points"
    if gain < 0:
        # The fit is a share among all roles: a skill that other roles use more pulls the profile their way.
        return (
            f"taken alone it makes your profile read more like neighbouring roles ({points} of fit for "
            f"{role_name}), but {'the role asks for it' if required else 'later steps build on it'}"
        )
    return f"taken alone it raises the model's fit for {role_name} by {points}"


def plan_steps(
    scorer: Scorer, skills: Mapping[str, int], years: float, target_role: str, demand: Mapping[str, float]
) -> list[LearningStep]:
    """The ordered learning steps for `target_role` (empty when the profile already meets it)."""
    catalog = scorer.catalog
    if target_role not in catalog.roles:
        raise ValueError(f"unknown role {target_role!r}")
    targets = _targets(scorer, skills, target_role)
    if not targets:
        return []
    role = catalog.roles[target_role]
    r = scorer.role_ids.index(target_role)
    current = {s: int(v) for s, v in skills.items() if s in catalog.skills}
    # Row 0: the profile now; row i + 1: the profile with the i-th target skill raised to its goal.
    x = np.repeat(vectorise([(current, years)], scorer.skill_ids), len(targets) + 1, axis=0)
    for i, (s, (_, b)) in enumerate(targets.items(), start=1):
        x[i, scorer.skill_index[s]] = b
    proba = scorer.probabilities(x)[:, r]
    gains = {s: float(proba[i + 1] - proba[0]) for i, s in enumerate(targets)}
    shares = {s: min(max(float(demand.get(s, 0.0)), 0.0), 1.0) for s in targets}
    priorities = {s: gains[s] * (DEMAND_FLOOR + (1 - DEMAND_FLOOR) * shares[s]) for s in targets}
    prereq_steps = {s: set(scorer.prerequisites[s]) & targets.keys() for s in targets}
    steps = []
    for s in order_steps(priorities, prereq_steps, list(catalog.skill_ids)):
        a, b = targets[s]
        skill = catalog.skills[s]
        if role.requirements.get(s, 0) == b:
            reason = f"{role.name} needs {skill.name} at level {b} (you have {a})"
        else:
            needed_by = sorted(d for d in targets if s in prereq_steps[d])
            reason = f"prerequisite of {', '.join(catalog.skills[d].name for d in needed_by)}"
        steps.append(
            LearningStep(
                skill=s,
                name=skill.name,
                from_level=a,
                to_level=b,
                fit_gain=round(gains[s], 6),
                demand=round(shares[s], 4),
                priority=round(priorities[s], 6),
                effort_hours=skill.effort_hours * (b - a),
                resource=skill.resource,
                why=f"{reason}; {_effect(gains[s], role.name, role.requirements.get(s, 0) == b)}; "
                f"market demand {shares[s]:.0%}.",
                prerequisites=sorted(prereq_steps[s], key=scorer.skill_index.__getitem__),
            )
        )
    return steps
