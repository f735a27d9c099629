"""Learning steps towards a target role: each raises the role's readiness, prerequisites first.

1. What is missing: every requirement of the role the profile does not cover. A single skill is raised to
   its level; a choice ("a server-side language") through the alternative the profile holds best (ties:
   the one the market asks for most, then the catalogue's order), so a Java developer is never told to
   learn Python for a back-end role.
2. Prerequisites, only as far as needed: a skill wanted at level b needs each direct prerequisite at
   min(b, `PREREQUISITE_LEVEL`) (Bash at 1 needs Linux at 1, Docker at 3 needs Linux at 2), or at the
   role's own requirement when that is higher; this repeats down the prerequisite graph.
3. Gain: `readiness_gain` = the role's readiness with that one skill raised minus readiness now (one
   vectorised call for all candidates). A prerequisite the role does not itself ask for adds no readiness
   alone; it is folded into the first step that needs it (its hours added, named in `why`), so every
   listed step has a gain > 0.
4. Order: `priority` = gain per hour x (DEMAND_FLOOR + (1 - DEMAND_FLOOR) x market demand 0..1);
   repeatedly take, among the steps whose prerequisite steps are placed, the one with the highest
   *effective* priority - its own, or that of the best step it unlocks if higher (ties: own priority, then
   catalogue order). No step ever precedes a step for one of its prerequisites.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from shared.contracts.recommendations import LearningStep

if TYPE_CHECKING:
    from services.recommender.scoring import Scorer
    from shared.catalog import Catalog

__all__ = [
    "DEMAND_FLOOR",
    "PREREQUISITE_LEVEL",
    "RolePlan",
    "ShareTerms",
    "order_steps",
    "plan_steps",
    "role_plans",
    "share_terms",
    "wanted_levels",
]

PREREQUISITE_LEVEL = 2
DEMAND_FLOOR = 0.1
_NO_GAIN = 1e-12


class RolePlan(NamedTuple):
    """What a plan reads of one role, built once (the catalogue's ``Role.items`` and ``Role.levels``
    build new objects on every read: a fifth of a plan's time)."""

    items: tuple[tuple[tuple[str, ...], int], ...]  # (skills, level) per requirement, ``Role.items`` order
    requirements: Mapping[str, int]  # the single-skill requirements
    levels: Mapping[str, int]  # ``Role.levels``
    choices: Mapping[str, str]  # skill -> the label of the first choice it is an alternative of
    needs: Mapping[str, str]  # skill (of `levels`) -> a step's reason for it, up to the level's digit


def role_plans(catalog: Catalog) -> dict[str, RolePlan]:
    """Role id -> its :class:`RolePlan`."""
    out = {}
    for role in catalog.roles.values():
        choices: dict[str, str] = {}
        for group in role.alternatives:
            for s in group.skills:
                choices.setdefault(s, group.label)
        needs = {}
        for s in role.levels:
            choice = choices.get(s)
            such_as = f"{choice} such as " if choice else ""
            needs[s] = f"{role.name} needs {such_as}{catalog.skills[s].name} at level "
        out[role.id] = RolePlan(
            items=tuple((req.skills, req.level) for req in role.items),
            requirements=role.requirements,
            levels=role.levels,
            choices=choices,
            needs=needs,
        )
    return out


def wanted_levels(
    scorer: Scorer, skills: Mapping[str, int], target_role: str, demand: Mapping[str, float]
) -> dict[str, int]:
    """skill -> the level the plan raises it to (requirements, then prerequisites), catalogue order."""
    catalog = scorer.catalog
    role = scorer.role_plans[target_role]
    have = {s: int(v) for s, v in skills.items() if s in catalog.skills}
    position = scorer.skill_index
    wanted: dict[str, int] = {}
    for alternatives, level in role.items:
        if len(alternatives) == 1:
            if have.get(alternatives[0], 0) < level:
                wanted[alternatives[0]] = level
            continue
        if any(have.get(s, 0) >= level for s in alternatives):
            continue
        best = min(alternatives, key=lambda s: (-have.get(s, 0), -demand.get(s, 0.0), position[s]))
        wanted[best] = level
    todo = list(wanted.items())
    while todo:
        skill, level = todo.pop()
        for p in catalog.skills[skill].prerequisites:
            goal = max(min(level, PREREQUISITE_LEVEL), role.requirements.get(p, 0))
            if have.get(p, 0) < goal and wanted.get(p, 0) < goal:
                wanted[p] = goal
                todo.append((p, goal))
    return {s: wanted[s] for s in sorted(wanted, key=position.__getitem__)}


def order_steps(
    priorities: Mapping[str, float],
    prerequisites: Mapping[str, AbstractSet[str]],
    catalogue_order: Sequence[str] | Mapping[str, int],
) -> list[str]:
    """Prerequisites first; otherwise the highest effective priority first (see module docstring).

    `prerequisites[s]` must hold every (transitive) prerequisite of s that is itself a step.
    `catalogue_order` is the skills in order, or already skill -> position.
    """
    position = (
        catalogue_order
        if isinstance(catalogue_order, Mapping)
        else {s: i for i, s in enumerate(catalogue_order)}
    )
    effective = dict(priorities)
    blocked = dict.fromkeys(priorities, 0)  # how many of a step's prerequisite steps are not placed yet
    unlocks: dict[str, list[str]] = {s: [] for s in priorities}
    for d in priorities:
        for s in prerequisites.get(d, ()):
            if s in priorities:
                effective[s] = max(effective[s], priorities[d])
                blocked[d] += 1
                unlocks[s].append(d)

    # the steps whose prerequisite steps are placed, best first (a step's key never changes: a heap, not a
    # scan of every pending step per placement)
    def key(s: str) -> tuple[float, float, int, str]:
        return -effective[s], -priorities[s], position.get(s, len(position)), s

    ready = [key(s) for s in priorities if not blocked[s]]
    heapq.heapify(ready)
    placed: list[str] = []
    while ready:
        best = heapq.heappop(ready)[-1]
        placed.append(best)
        for d in unlocks[best]:
            blocked[d] -= 1
            if not blocked[d]:
                heapq.heappush(ready, key(d))
    if len(placed) < len(priorities):
        raise ValueError(f"prerequisite cycle among steps {sorted(set(priorities) - set(placed))}")
    return placed


class ShareTerms(NamedTuple):
    """What a plan writes of one skill's market demand share (0..1), made once per market version
    (:meth:`Scorer.demand_terms`): the share, its weight in a priority, and as the step shows it."""

    share: float
    weight: float  # DEMAND_FLOOR + (1 - DEMAND_FLOOR) x share
    rounded: float  # round(share, 4)
    percent: str  # f"{share:.0%}"


def share_terms(share: float) -> ShareTerms:
    """One skill's :class:`ShareTerms` (the expressions plan_steps wrote per step)."""
    return ShareTerms(share, DEMAND_FLOOR + (1 - DEMAND_FLOOR) * share, round(share, 4), f"{share:.0%}")


_NO_SHARE = share_terms(0.0)


def plan_steps(
    scorer: Scorer, skills: Mapping[str, int], years: float, target_role: str, demand: Mapping[str, float]
) -> list[LearningStep]:
    """The ordered learning steps for `target_role` (empty when the profile already meets it).

    Per step, what depends on the market version only (the demand share's weight, rounding and percent)
    is made once per version (`ShareTerms`), and the gains' matrix is filled from the profile's levels
    without vectorising it again (callgrind, one recommendation of 8 skills with its plan of ~11 steps,
    in-process with encoding: 2.67 -> 2.56 M instructions). tests/unit/test_plan_same.py holds it to the
    plan before."""
    catalog = scorer.catalog
    if target_role not in catalog.roles:
        raise ValueError(f"unknown role {target_role!r}")
    shares = scorer.demand_shares(demand)
    terms = scorer.demand_terms(demand)
    skill_rows = catalog.skills
    current = {s: int(v) for s, v in skills.items() if s in skill_rows}
    targets = wanted_levels(scorer, current, target_role, shares)
    if not targets:
        return []
    role = catalog.roles[target_role]
    plan = scorer.role_plans[target_role]
    r = scorer.role_ids.index(target_role)
    index = scorer.skill_index
    # Row 0: the profile now; row i + 1: the profile with the i-th target skill raised to its goal (the
    # levels as vectorise places them: whole numbers clipped to 0..4).
    row = np.zeros(len(scorer.skill_ids))
    for s, v in current.items():
        row[index[s]] = min(max(v, 0), 4)
    x = np.repeat(row[None], len(targets) + 1, axis=0)
    for i, (s, b) in enumerate(targets.items(), start=1):
        x[i, index[s]] = b
    ready = scorer.readiness.readiness_for(x, r).tolist()
    now = ready[0]
    gains = {s: ready[i] - now for i, s in enumerate(targets, start=1)}
    steps = [s for s in targets if gains[s] > _NO_GAIN]
    folded = [s for s in targets if gains[s] <= _NO_GAIN]
    hours = {s: skill_rows[s].effort_hours * (targets[s] - current.get(s, 0)) for s in targets}
    priorities = {s: gains[s] / hours[s] * terms.get(s, _NO_SHARE).weight for s in steps}
    step_set = set(steps)
    closure = scorer.prerequisite_sets
    prereq_steps = {s: closure[s] & step_set for s in steps}
    ordered = order_steps(priorities, prereq_steps, index)
    carried: dict[str, list[str]] = {s: [] for s in ordered}
    for f in folded:  # to the first step that (transitively) needs it
        host = next((s for s in ordered if f in closure[s]), None)
        if host is not None:
            carried[host].append(f)
    out = []
    role_name, position = role.name, index.__getitem__
    for s in ordered:
        a, b = current.get(s, 0), targets[s]
        skill = skill_rows[s]
        gain = gains[s]
        term = terms.get(s, _NO_SHARE)
        if plan.levels.get(s, 0) >= b:
            reason = f"{plan.needs[s]}{b}"
        else:
            needed_by = [skill_rows[d].name for d in ordered if s in prereq_steps[d]]
            reason = f"prerequisite of {', '.join(needed_by)} (needed at level {b})"
        first = carried[s]
        if first:  # a prerequisite folded in: named, its hours added, listed among the prerequisites
            before = "; first " + ", ".join(
                f"{skill_rows[f].name} {current.get(f, 0)}→{targets[f]}" for f in first
            )
            effort = hours[s] + sum([hours[f] for f in first])
            prerequisites = sorted(prereq_steps[s].union(first), key=position)
        else:
            before, effort, prerequisites = "", hours[s], sorted(prereq_steps[s], key=position)
        rounded = round(gain, 6)
        out.append(
            LearningStep(
                skill=s,
                name=skill.name,
                from_level=a,
                to_level=b,
                fit_gain=rounded,
                readiness_gain=rounded,
                demand=term.rounded,
                priority=round(priorities[s], 8),
                effort_hours=effort,
                resource=skill.resource,
                why=f"{reason} (you have {a}){before}; +{gain * 100:.1f} points of readiness for "
                f"{role_name}; market demand {term.percent}.",
                prerequisites=prerequisites,
            )
        )
    return out
