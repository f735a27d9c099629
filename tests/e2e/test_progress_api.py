"""``GET /api/v1/me/progress`` (issue 16, item 4): every saved assessment scored for one role in one call.

Each point must be the readiness the single-profile scoring gives the same skills (the batch path is a
different code path: a test compares them), oldest first, limited, and bad parameters are a 400 naming
the field.
"""

from __future__ import annotations

import httpx
import pytest

ROLE = "backend-developer"
SAVES = [
    {"python": 2, "git": 1},
    {"python": 3, "git": 2, "sql": 2},
    {"python": 3, "git": 3, "sql": 3, "docker": 2, "linux": 2},
]


def save_all(api: httpx.Client, saves: list[dict[str, int]], years: float = 2) -> None:
    """One assessment per entry of ``saves``, through the API."""
    etag = None
    for skills in saves:
        body = {"display_name": "Progress", "skills": skills, "years_experience": years}
        answer = api.put("/api/v1/me/profile", json=body, headers={"If-Match": etag} if etag else {})
        assert answer.status_code in (200, 201), answer.text
        etag = answer.headers["ETag"]


def _readiness(api: httpx.Client, skills: dict[str, int], role: str) -> float:
    body = {"skills": skills, "years_experience": 2, "target_role": role, "top": 50}
    answer = api.post("/api/v1/recommendations", json=body)
    assert answer.status_code == 200, answer.text
    return next(fit["readiness"] for fit in answer.json()["roles"] if fit["role"] == role)


def test_each_assessment_is_scored_as_the_single_scoring_scores_it(api: httpx.Client) -> None:
    save_all(api, SAVES)
    answer = api.get("/api/v1/me/progress", params={"target_role": ROLE})
    assert answer.status_code == 200, answer.text
    progress = answer.json()
    assert progress["target_role"] == ROLE
    assert progress["more"] is False
    assert progress["model_version"] and progress["market"]["version"]
    points = progress["points"]
    assert [p["version"] for p in points] == [1, 2, 3]  # oldest first
    assert [p["skills_rated"] for p in points] == [len(s) for s in SAVES]
    assert [p["created_at"] for p in points] == sorted(p["created_at"] for p in points)
    for point, skills in zip(points, SAVES, strict=True):
        assert point["readiness"] == pytest.approx(_readiness(api, skills, ROLE), abs=1e-9)
        assert 0 <= point["match"] <= 1
    assert points[0]["readiness"] < points[-1]["readiness"]  # more skills, more ready

    latest = api.get("/api/v1/me/progress", params={"target_role": ROLE, "limit": 2}).json()
    assert [p["version"] for p in latest["points"]] == [2, 3]
    assert latest["more"] is True


def test_without_a_role_the_points_are_for_the_role_the_recommendations_lead_to(api: httpx.Client) -> None:
    save_all(api, SAVES)
    chosen = api.get("/api/v1/me/recommendations").json()["target_role"]
    progress = api.get("/api/v1/me/progress").json()
    assert progress["target_role"] == chosen
    assert len(progress["points"]) == len(SAVES)


def test_progress_needs_a_profile(api: httpx.Client) -> None:
    answer = api.get("/api/v1/me/progress", params={"target_role": ROLE})
    assert answer.status_code == 404, answer.text


def test_progress_needs_a_session(anon: httpx.Client) -> None:
    assert anon.get("/api/v1/me/progress", params={"target_role": ROLE}).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"target_role": "astronaut"}, "target_role"),
        ({"target_role": ""}, "target_role"),
        ({"target_role": ROLE, "limit": "0"}, "limit"),
        ({"target_role": ROLE, "limit": "101"}, "limit"),
        ({"target_role": ROLE, "limit": "ten"}, "limit"),
    ],
)
def test_bad_parameters_are_refused_naming_the_field(
    api: httpx.Client, params: dict[str, str], field: str
) -> None:
    save_all(api, SAVES[:1])
    answer = api.get("/api/v1/me/progress", params=params)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["code"] == "validation_error"
    assert [e["field"] for e in problem["errors"]] == [field]
    assert len(api.get("/api/v1/me/assessments").json()["assessments"]) == 1  # nothing stored
