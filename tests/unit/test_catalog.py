"""The skills taxonomy, roles catalogue and market snapshot: validation, ordering, grounding."""

from __future__ import annotations

import csv

import pytest

from shared.catalog import (
    CATALOG_DIR,
    CatalogError,
    find_cycle,
    load_catalog,
    load_snapshot,
    parse_catalog,
    prerequisite_closure,
    topological_order,
)
from shared.catalog.evidence import load_rationale

SKILLS = (CATALOG_DIR / "skills.yaml").read_text(encoding="utf-8")
ROLES = (CATALOG_DIR / "roles.yaml").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    """1-based line of the first occurrence of needle."""
    return text[: text.index(needle)].count("\n") + 1


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


def test_bundled_catalogue_shape() -> None:
    catalog = load_catalog()
    assert 40 <= len(catalog.skills) <= 60
    assert 10 <= len(catalog.roles) <= 14
    assert set(catalog.categories) == {s.category for s in catalog.skills.values()}
    assert catalog.skill_ids == tuple(catalog.skills) and catalog.role_ids == tuple(catalog.roles)
    assert load_catalog() is catalog  # cached
    for role in catalog.roles.values():
        assert role.requirements and all(1 <= lvl <= 4 for lvl in role.requirements.values())
        assert role.occupation_code and role.onet_code and role.onet_code.startswith(role.occupation_code)
    for skill in catalog.skills.values():
        assert skill.synonyms and skill.resource and skill.effort_hours > 0


def test_topological_order_puts_prerequisites_first() -> None:
    catalog = load_catalog()
    order = topological_order(catalog)
    assert sorted(order) == sorted(catalog.skill_ids)
    position = {s: i for i, s in enumerate(order)}
    for skill in catalog.skills.values():
        for p in skill.prerequisites:
            assert position[p] < position[skill.id], (p, skill.id)
    assert position["linux"] < position["docker"] < position["kubernetes"]
    assert position["http"] < position["rest"] < position["graphql"]
    assert prerequisite_closure(catalog, "kubernetes") == ["linux", "networking", "docker"]


def test_find_cycle_returns_the_path() -> None:
    assert find_cycle({"a": ("b",), "b": ("c",), "c": ()}) is None
    assert find_cycle({"a": ("b",), "b": ("c",), "c": ("a",)}) == ["a", "b", "c", "a"]


def test_cycle_is_rejected_with_its_path_and_line() -> None:
    bad = replace_once(
        SKILLS,
        "    prerequisites: []\n    resource: https://linuxjourney.com/",
        "    prerequisites: [docker]\n    resource: https://linuxjourney.com/",
    )
    with pytest.raises(CatalogError) as err:
        parse_catalog(bad, ROLES)
    message = str(err.value)
    assert "linux -> docker -> linux" in message
    assert f"skills.yaml, line {line_of(bad, 'prerequisites: [docker]')}" in message


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        (
            "    prerequisites: [docker, networking]",
            "    prerequisites: [docker, netwrking]",
            "unknown skill 'netwrking'",
        ),
        (
            "  - id: go\n    name: Go\n    category: languages",
            "  - id: go\n    name: Go\n    category: langs",
            "unknown category 'langs'",
        ),
        ("  - id: go\n", "  - id: python\n", "duplicate id 'python'"),
        ("  - id: go\n    name: Go\n", "  - id: go\n", "missing field"),
        ("    effort_hours: 60\n", "    effort_hours: lots\n", "expected an integer"),
        ("  - id: go\n", "  - id: Go Lang\n", "invalid id"),
    ],
)
def test_bad_skills_file_names_file_line_and_field(old: str, new: str, fragment: str) -> None:
    bad = replace_once(SKILLS, old, new)
    with pytest.raises(CatalogError, match="skills.yaml, line ") as err:
        parse_catalog(bad, ROLES)
    assert fragment in str(err.value)
    line = int(str(err.value).split("line ")[1].split(",")[0])
    assert line in range(line_of(SKILLS, old), line_of(SKILLS, old) + new.count("\n") + 1)


@pytest.mark.parametrize(
    ("old", "new", "fragment", "field"),
    [
        ("      redis: 2\n", "      redis: 5\n", "level 5 out of range 1..4", "requirements.redis"),
        ("      redis: 2\n", "      redis: 0\n", "level 0 out of range 1..4", "requirements.redis"),
        ("      redis: 2\n", "      redsi: 2\n", "unknown skill 'redsi'", "requirements.redsi"),
        ("  - id: fullstack-developer\n", "  - id: backend-developer\n", "duplicate id", "id"),
        (
            '    occupation_code: "15-1254"\n',
            '    occupation_code: "151254"\n',
            "invalid code",
            "occupation_code",
        ),
        ("    name: Data engineer\n", "", "missing field", "roles[4].name"),
    ],
)
def test_bad_roles_file_names_file_line_and_field(old: str, new: str, fragment: str, field: str) -> None:
    bad = replace_once(ROLES, old, new)
    with pytest.raises(CatalogError) as err:
        parse_catalog(SKILLS, bad)
    message = str(err.value)
    assert message.startswith("roles.yaml, line ") and fragment in message and field in message
    if new:
        assert f"line {line_of(ROLES, old)}," in message


def test_missing_prerequisite_of_a_subset_does_not_block_ordering() -> None:
    catalog = load_catalog()
    assert topological_order(catalog, ["kubernetes", "docker"]) == ["docker", "kubernetes"]


def test_invalid_yaml_is_reported_with_a_line() -> None:
    with pytest.raises(CatalogError, match=r"roles.yaml, line \d+: not valid YAML"):
        parse_catalog(SKILLS, ROLES + "\n  - id: [unclosed\n")


def test_requirements_are_grounded_in_the_evidence() -> None:
    """Every survey-observed requirement is common in that DevType or flagged by O*NET (a choice: one of
    its alternatives is); every requirement with neither has a written rationale."""
    with open(CATALOG_DIR / "role_evidence.csv", encoding="utf-8", newline="") as fh:
        rows = {(r["role"], r["skill"]): r for r in csv.DictReader(fh)}
    catalog = load_catalog()
    for (role, skill), row in rows.items():
        assert int(row["required_level"]) == catalog.roles[role].levels.get(skill, 0), "stale: run build_data"
    rationale = load_rationale()
    checked = 0
    for role in catalog.roles.values():
        for req in role.items:
            ev = [rows[(role.id, s)] for s in req.skills]
            survey = [r for r in ev if r["so_share"] and int(r["respondents"]) >= 30]
            flagged = any(int(r["onet_flag"]) >= 2 for r in ev)
            if survey:
                checked += 1
                assert flagged or max(float(r["so_share"]) for r in survey) >= 0.25, (role.id, req)
            if not survey and not any(int(r["onet_flag"]) for r in ev):
                assert rationale.get((role.id, req.label or req.skills[0])), (role.id, req)
    assert checked > 50
    for role_id, requirement in rationale:  # no rationale for a requirement that is not there
        items = catalog.roles[role_id].items
        assert any(requirement == (i.label or i.skills[0]) for i in items), (role_id, requirement)


def test_choices_are_validated() -> None:
    backend = load_catalog().roles["backend-developer"]
    assert backend.alternatives[0].label == "a server-side language" and backend.levels["go"] == 3
    assert "go" not in backend.requirements and backend.items[-3].skills[:2] == ("python", "java")
    languages = "skills: [python, java, go, csharp, nodejs, php, ruby, kotlin, rust]"
    for skills, fragment in (
        ("skills: [python]", "at least two"),
        ("skills: [python, cobol]", "unknown skill 'cobol'"),
        ("skills: [python, sql]", "'sql' is already a requirement"),
    ):
        with pytest.raises(
            CatalogError, match=r"roles\[backend-developer\]\.alternatives\[0\]\.skills.*" + fragment
        ):
            parse_catalog(SKILLS, replace_once(ROLES, languages, skills))
    with pytest.raises(CatalogError, match=r"alternatives\[0\]\.level.*out of range"):
        parse_catalog(
            SKILLS, replace_once(ROLES, "level: 3\n        " + languages, "level: 7\n        " + languages)
        )


def test_snapshot_covers_every_skill_and_role() -> None:
    catalog = load_catalog()
    snapshot = load_snapshot()
    assert set(snapshot["skills"]) == set(catalog.skill_ids)
    assert set(snapshot["roles"]) == {r.id for r in catalog.roles.values() if r.occupation_code}
    assert all(0.0 < v["demand"] <= 1.0 for v in snapshot["skills"].values())
    for figures in snapshot["roles"].values():
        assert figures["salary_p10"] < figures["salary_median"] < figures["salary_p90"]
        assert figures["openings"] > 0
    assert any("CC BY 4.0" in line for line in snapshot["attribution"])
    assert any("ODbL" in line for line in snapshot["attribution"])
