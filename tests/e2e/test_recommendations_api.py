"""`POST /api/v1/recommendations` through the gateway: readiness and match apart, a plan on first view,
market figures per role, what each number means, and the bad versions of every field."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from shared.catalog import load_catalog, load_snapshot
from shared.contracts.recommendations import MEANINGS

CATALOG = load_catalog()
SNAPSHOT = load_snapshot()


def recommend(api: httpx.Client, **body: object) -> dict:
    answer = api.post("/api/v1/recommendations", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_no_skills_gives_no_confident_role_and_says_what_to_add(api: httpx.Client) -> None:
    body = recommend(api, skills={})
    assert body["confident"] is False and "Add the skills you use" in body["hint"]
    assert all(r["readiness"] == 0 and not r["readiness_contributions"] for r in body["roles"])
    assert body["learning_steps"] and all(s["readiness_gain"] > 0 for s in body["learning_steps"])
    zeros = recommend(api, skills={"python": 0, "sql": 0})
    assert zeros["confident"] is False and "no skills" in zeros["hint"]


def test_first_view_has_a_plan_for_the_best_next_role_with_market_figures(api: httpx.Client) -> None:
    skills = {"python": 3, "sql": 3, "postgresql": 2, "git": 3, "docker": 2, "linux": 2, "http": 3, "rest": 3}
    body = recommend(api, skills=skills, years_experience=5)
    assert body["confident"] is True and body["hint"] is None
    roles = body["roles"]
    assert [r["match"] for r in roles] == sorted((r["match"] for r in roles), reverse=True)
    assert all(r["score"] == r["match"] and 0 <= r["readiness"] <= 1 for r in roles)
    target = body["target_role"]
    assert target == next(r["role"] for r in roles if not r["meets"])
    assert body["learning_steps"] and all(s["readiness_gain"] > 0 for s in body["learning_steps"])
    stretch = body["stretch_roles"]
    assert 2 <= len(stretch) <= 3 and target not in stretch
    by_id = {r["role"]: r for r in roles}
    readiness = [by_id[s]["readiness"] for s in stretch]
    assert readiness == sorted(readiness, reverse=True) and not any(by_id[s]["meets"] for s in stretch)
    backend = by_id["backend-developer"]
    figures = SNAPSHOT["roles"]["backend-developer"]
    assert backend["market"]["salary_median"] == figures["salary_median"]
    assert backend["market"]["openings"] == figures["openings"]
    assert backend["market"]["growth_pct"] == figures["growth_pct"]
    assert body["meanings"] == MEANINGS
    age = (dt.datetime.now(dt.UTC).date() - dt.date.fromisoformat(SNAPSHOT["as_of"])).days
    assert body["market"]["age_days"] == pytest.approx(age, abs=1)
    assert body["market"]["outdated"] is (age > 365)


def test_learning_a_required_skill_never_lowers_readiness(api: httpx.Client) -> None:
    base = {"docker": 3, "linux": 3, "aws": 2, "ci-cd": 2}
    before = {r["role"]: r["readiness"] for r in recommend(api, skills=base)["roles"]}
    after = {
        r["role"]: r["readiness"] for r in recommend(api, skills=base | {"git": 3, "python": 2})["roles"]
    }
    assert all(after[r] >= before[r] for r in before)
    assert after["devops-engineer"] > before["devops-engineer"] > 0.2


def test_a_java_backend_developer_keeps_java(api: httpx.Client) -> None:
    body = recommend(api, skills={"java": 3, "sql": 3, "git": 3}, target_role="backend-developer")
    assert body["target_role"] == "backend-developer"
    assert "python" not in {s["skill"] for s in body["learning_steps"]}
    backend = next(r for r in body["roles"] if r["role"] == "backend-developer")
    language = next(g for g in backend["matched"] if g["label"] == "a server-side language")
    assert language["skill"] == "java" and "python" in language["alternatives"]


def test_batch_answers_carry_readiness_and_market(api: httpx.Client) -> None:
    answer = api.post(
        "/api/v1/recommendations/batch",
        json={"candidates": [{"id": "a", "skills": {"go": 3, "kubernetes": 3}}], "top": 2},
    )
    assert answer.status_code == 200, answer.text
    roles = answer.json()["results"][0]["roles"]
    assert len(roles) == 2 and all(r["readiness"] > 0 and r["market"] for r in roles)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("", {"skills": {"python": 5}}, "skills.python"),
        ("", {"skills": {"python": -1}}, "skills.python"),
        ("", {"skills": {"cobol": 2}}, "skills.cobol"),
        ("", {"skills": {"python": 2}, "target_role": "astronaut"}, "target_role"),
        ("", {"skills": {"python": 2}, "top": 51}, "top"),
        ("", {"skills": {"python": 2}, "years_experience": 61}, "years_experience"),
        ("", {"skills": {"python": 2}, "readiness": 1}, "readiness"),
        ("/batch", {"candidates": [{"id": "a", "skills": {}}], "role": "astronaut"}, "role"),
        ("/batch", {"candidates": [{"id": "a", "skills": {"go": 9}}]}, "candidates[0].skills.go"),
        ("/batch", {"candidates": [{"id": "a"}]}, "candidates[0].skills"),
    ],
)
def test_bad_bodies_name_the_field(api: httpx.Client, path: str, body: dict, field: str) -> None:
    answer = api.post(f"/api/v1/recommendations{path}", json=body)
    assert answer.status_code == 400, answer.text
    assert any(e["field"].startswith(field) for e in answer.json()["errors"]), answer.json()
