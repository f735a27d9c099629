"""Readiness: absolute, monotone in every skill, 0 for an empty profile, explained to the cent."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.recommender.readiness import RATIONALE_EVIDENCE, ReadinessModel, weight_of
from shared.catalog import Requirement, load_catalog
from shared.catalog.evidence import SkillEvidence

CATALOG = load_catalog()
MODEL = ReadinessModel(CATALOG)
S, R = len(CATALOG.skill_ids), len(CATALOG.roles)
levels = st.lists(st.integers(0, 4), min_size=S, max_size=S).map(lambda v: np.asarray(v, dtype=np.float64))


@settings(max_examples=300, deadline=None)
@given(profile=levels, skill=st.integers(0, S - 1), step=st.integers(1, 4))
def test_readiness_never_falls_when_a_skill_rises(profile: np.ndarray, skill: int, step: int) -> None:
    raised = profile.copy()
    raised[skill] = min(raised[skill] + step, 4)
    before, after = MODEL.readiness(np.stack([profile, raised]))
    assert (after >= before - 1e-12).all()
    assert ((0.0 <= before) & (before <= 1.0 + 1e-12)).all()


@settings(max_examples=100, deadline=None)
@given(profile=levels)
def test_contributions_add_up_to_readiness(profile: np.ndarray) -> None:
    cover, slots = MODEL.coverage(profile[None, :])
    ready = MODEL.readiness(profile[None, :])[0]
    for r, rows in enumerate(MODEL.role_items):
        parts = [MODEL.items[i].weight * cover[0, i] for i in rows]
        assert sum(parts) == pytest.approx(ready[r], abs=1e-12)


def test_empty_profile_is_zero_and_a_met_role_is_one() -> None:
    assert (MODEL.readiness(np.zeros((1, S))) == 0).all()
    for r, role in enumerate(CATALOG.roles.values()):
        full = {req.skills[-1]: req.level for req in role.items}  # a choice met by its last alternative
        assert MODEL.of(full, r) == pytest.approx(1.0)
        assert MODEL.of({s: 4 for s in full}, r) == pytest.approx(1.0)
        assert sum(MODEL.items[i].weight for i in MODEL.role_items[r]) == pytest.approx(1.0)


def test_a_choice_is_met_by_any_alternative() -> None:
    backend = CATALOG.role_ids.index("backend-developer")
    java, python, go_and_python = (
        MODEL.of(p, backend) for p in ({"java": 3}, {"python": 3}, {"go": 3, "python": 3})
    )
    assert java == python == go_and_python > 0


def test_weights_follow_the_evidence() -> None:
    req = Requirement(skills=("sql",), level=2)
    common = weight_of(
        "Backend developer", req, [SkillEvidence(respondents=500, share=0.9, lift=1.2, onet_flag=0)], None
    )
    rare = weight_of(
        "Backend developer", req, [SkillEvidence(respondents=500, share=0.1, lift=1.2, onet_flag=0)], None
    )
    assert common[0] == pytest.approx(2 * 1.5) and rare[0] < common[0] and "90%" in common[1]
    few = SkillEvidence(respondents=10, share=0.9, lift=1.0, onet_flag=3)  # too few respondents: O*NET only
    assert weight_of("X", req, [few], None) == (pytest.approx(2 * 1.5), "O*NET In Demand")
    none = SkillEvidence(respondents=10, share=None, lift=None, onet_flag=0)
    assert weight_of("X", req, [none], "the role is defined by it") == (
        pytest.approx(2 * (0.5 + RATIONALE_EVIDENCE)),
        "the role is defined by it",
    )
    with pytest.raises(ValueError, match="no evidence and no written rationale"):
        weight_of("X", req, [none], None)
    # every requirement of the catalogue has its basis in words
    assert all(item.basis for item in MODEL.items)
