"""`POST /api/v1/recommendations` through the gateway: readiness and match apart, a plan on first view,
market figures per role, what each number means, and the bad versions of every field."""

from __future__ import annotations

import datetime as dt
import gzip
import json

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
        ("/batch", {"candidates": [{"id": "a", "skills": {}}], "target_role": "astronaut"}, "target_role"),
        ("/batch", {"candidates": [{"id": "a", "skills": {}}], "top": 21}, "top"),
        ("/batch", {"candidates": [{"id": "a", "skills": {}}], "roles": "x"}, "roles"),
        ("/batch", {"candidates": {"id": "a", "skills": {}}}, "candidates"),
        ("/batch", {"candidates": []}, "candidates"),
        ("/batch", {"top": 3}, "candidates"),
    ],
)
def test_bad_bodies_name_the_field(api: httpx.Client, path: str, body: dict, field: str) -> None:
    answer = api.post(f"/api/v1/recommendations{path}", json=body)
    assert answer.status_code == 400, answer.text
    assert any(e["field"].startswith(field) for e in answer.json()["errors"]), answer.json()


BATCH = "/api/v1/recommendations/batch"


def test_a_bad_candidate_gets_its_own_error_and_the_rest_are_scored(api: httpx.Client) -> None:
    candidates = [{"id": f"c{i}", "skills": {"python": 3, "sql": 2}} for i in range(20)]
    candidates[3] = {"id": "c3", "skills": {"kubernetes": 9}}
    candidates[17] = {"id": "c17", "skills": {"cobol": 2, "go": "2"}, "years_experience": 61}
    candidates[18] = 7
    answer = api.post(BATCH, json={"candidates": candidates, "top": 2})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["succeeded"] == 17 and body["failed"] == 3
    results = body["results"]
    assert [r["index"] for r in results] == list(range(20))
    assert [r["id"] for r in results] == [*(f"c{i}" for i in range(18)), None, "c19"]
    for i, result in enumerate(results):
        if i in (3, 17, 18):
            assert "roles" not in result and result["error"]["status"] == 422
            assert result["error"]["code"] == "validation_error"
        else:
            assert "error" not in result and len(result["roles"]) == 2
    assert [e["field"] for e in results[3]["error"]["errors"]] == ["candidates[3].skills.kubernetes"]
    assert results[3]["error"]["errors"][0]["pointer"] == "/candidates/3/skills/kubernetes"
    assert sorted(e["field"] for e in results[17]["error"]["errors"]) == [
        "candidates[17].skills.cobol",
        "candidates[17].skills.go",
        "candidates[17].years_experience",
    ]
    assert [e["field"] for e in results[18]["error"]["errors"]] == ["candidates[18]"]
    # the good candidates' results are the ones they get alone
    alone = api.post(BATCH, json={"candidates": [candidates[0]], "top": 2}).json()["results"][0]
    assert results[0]["roles"] == alone["roles"]


def test_a_batch_of_bad_candidates_only_is_answered_per_candidate(api: httpx.Client) -> None:
    answer = api.post(BATCH, json={"candidates": [{"id": "a"}, {"id": "b", "skills": {"zzz": 1}}]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["succeeded"] == 0 and body["failed"] == 2
    assert [r["error"]["errors"][0]["field"] for r in body["results"]] == [
        "candidates[0].skills",
        "candidates[1].skills.zzz",
    ]


def test_target_role_on_the_batch_and_its_deprecated_old_name(api: httpx.Client) -> None:
    candidates = [{"id": "a", "skills": {"python": 3, "sql": 3}}]
    new = api.post(BATCH, json={"candidates": candidates, "target_role": "data-engineer"})
    assert new.status_code == 200, new.text
    assert "deprecation" not in new.headers
    assert [r["role"] for r in new.json()["results"][0]["roles"]] == ["data-engineer"]
    old = api.post(BATCH, json={"candidates": candidates, "role": "data-engineer"})
    assert old.status_code == 200, old.text
    assert old.headers["deprecation"] == "@1796083200"  # RFC 9745: a date, as @<Unix seconds>
    assert old.json()["results"] == new.json()["results"]
    both = api.post(
        BATCH, json={"candidates": candidates, "role": "data-engineer", "target_role": "data-engineer"}
    )
    assert both.status_code == 422, both.text
    assert [e["field"] for e in both.json()["errors"]] == ["role"]


def test_repeated_ids_refuse_the_whole_batch_naming_each(api: httpx.Client) -> None:
    ids = ["a", "b", "a", "c", "b"]
    answer = api.post(BATCH, json={"candidates": [{"id": i, "skills": {}} for i in ids]})
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["candidates[2].id"]
    assert "'a'" in answer.json()["detail"] and "'b'" in answer.json()["detail"]


def test_the_schema_names_target_role_and_marks_role_deprecated(api: httpx.Client) -> None:
    document = api.get("/schema/openapi.json").json()
    body = document["paths"][BATCH]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/BatchRequest"}
    properties = document["components"]["schemas"]["BatchRequest"]["properties"]
    assert properties["role"]["deprecated"] is True and "deprecated" not in properties["target_role"]
    assert "Deprecation" in document["paths"][BATCH]["post"]["responses"]["200"]["headers"]


def _big_batch() -> dict[str, object]:
    skills = ["python", "sql", "docker", "linux", "git", "java", "go", "kubernetes", "aws", "postgresql"]
    return {
        "candidates": [
            {"id": f"c{i}", "skills": {s: (i + k) % 5 for k, s in enumerate(skills)}} for i in range(1000)
        ],
        "top": 3,
    }


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_a_big_answer_is_compressed_when_asked_and_identical_once_decoded(
    api: httpx.Client, encoding: str
) -> None:
    import brotli

    batch = _big_batch()
    plain = api.post(BATCH, json=batch, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    wire_plain = int(plain.headers["content-length"])
    assert wire_plain == len(plain.content)
    # httpx decodes for us; read the bytes as sent to see the encoding really happened
    with api.stream("POST", BATCH, json=batch, headers={"Accept-Encoding": encoding}) as packed:
        assert packed.status_code == 200
        assert packed.headers["content-encoding"] == encoding
        assert "accept-encoding" in packed.headers["vary"].lower()
        raw = b"".join(packed.iter_raw())
    assert len(raw) < wire_plain / 5
    unpacked = gzip.decompress(raw) if encoding == "gzip" else brotli.decompress(raw)
    assert json.loads(unpacked)["results"] == plain.json()["results"]


def test_a_small_answer_is_not_compressed(api: httpx.Client) -> None:
    answer = api.get("/healthz", headers={"Accept-Encoding": "gzip, br"})
    assert answer.status_code == 200 and len(answer.content) < 1024
    assert "content-encoding" not in answer.headers
