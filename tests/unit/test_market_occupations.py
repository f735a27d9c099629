"""Market figures say which occupation they come from and which roles share it; pinned version ids."""

from __future__ import annotations

import msgspec
import pytest

from services.recommender.market import derive, occupations
from shared.catalog import load_catalog, load_snapshot
from shared.contracts.market_document import MarketDocument, RoleFigures
from shared.contracts.versions import parse_market_version

SNAPSHOT = msgspec.convert(load_snapshot(), MarketDocument)


def test_roles_of_one_occupation_name_each_other() -> None:
    jobs = occupations(SNAPSHOT.roles)
    developers = {r for r, f in SNAPSHOT.roles.items() if f.occupation_code == "15-1252"}
    assert developers == {
        "api-integration-engineer",
        "backend-developer",
        "devops-engineer",
        "site-reliability-engineer",
    }
    for role in developers:
        job = jobs[role]
        assert (job.code, job.title) == ("15-1252", "Software Developers")
        assert set(job.shared_with) == developers - {role}
        assert job.note is not None and "4 roles share" in job.note and "same numbers" in job.note


def test_a_role_alone_in_its_occupation_shares_nothing() -> None:
    job = occupations(SNAPSHOT.roles)["database-administrator"]
    assert job.code == "15-1242" and job.shared_with == []
    assert job.note == "The figures are those of the occupation Database Administrators (SOC 15-1242)."


def test_every_catalogue_role_has_its_occupation_in_the_snapshot() -> None:
    jobs = occupations(SNAPSHOT.roles)
    for role in load_catalog().roles.values():
        assert jobs[role.id].code == role.occupation_code


def test_a_role_without_a_code_gets_no_occupation() -> None:
    roles = {"a": RoleFigures(occupation_code="15-1252"), "b": RoleFigures(salary_median=1)}
    assert set(occupations(roles)) == {"a"}
    assert occupations(roles)["a"].note == "The figures are those of the occupation SOC 15-1252."


def test_derived_figures_carry_the_occupation_in_both_shapes() -> None:
    derived = derive(SNAPSHOT)
    summary, figures = derived.roles["devops-engineer"], derived.figures["devops-engineer"]
    assert summary.occupation == figures.occupation
    assert figures.occupation is not None and "backend-developer" in figures.occupation.shared_with
    assert figures.salary_median == SNAPSHOT.roles["devops-engineer"].salary_median


@pytest.mark.parametrize("value", ["bundled-2024.05-2", "2024-05-31-abcdef012345", "a:b_c.d-e", " x1 "])
def test_market_version_ids(value: str) -> None:
    assert parse_market_version(value) == value.strip()


@pytest.mark.parametrize("value", ["", " ", "a b", "x/../y", "é", "a" * 129, "v1;drop"])
def test_not_market_version_ids(value: str) -> None:
    with pytest.raises(ValueError, match="Careerpath-Market-Version"):
        parse_market_version(value)


def test_no_pin_is_the_live_version() -> None:
    assert parse_market_version(None) is None
