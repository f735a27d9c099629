"""The recommendation options that drop work (issue 18), and the partner's one-exchange key look-up, over
HTTP through the real gateway and recommender."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.helpers import partner
from tools.supervisor.stack import Stack

pytestmark = pytest.mark.e2e
SKILLS = {"python": 3, "sql": 3, "docker": 2, "git": 3, "linux": 2, "http": 2, "rest": 2, "testing": 2}
BODY = {"skills": SKILLS, "years_experience": 3, "top": 3}


def test_learning_plan_false_drops_only_the_steps(stack: Stack, admin_api: httpx.Client) -> None:
    client, _ = partner(stack.url, admin_api, ["recommendations:write"])
    with client:
        full = client.post("/api/v1/recommendations", json=BODY)
        lean = client.post("/api/v1/recommendations", json={**BODY, "learning_plan": False})
    assert full.status_code == lean.status_code == 200, lean.text
    assert full.json()["learning_steps"] and lean.json()["learning_steps"] == []
    assert {**lean.json(), "learning_steps": full.json()["learning_steps"]} == full.json()
    assert len(lean.json()["roles"]) == 3


def test_batch_explain_false_keeps_the_figures(stack: Stack, admin_api: httpx.Client) -> None:
    client, _ = partner(stack.url, admin_api, ["recommendations:write"])
    batch = {"candidates": [{"id": "a", "skills": SKILLS, "years_experience": 3}], "top": 2}
    with client:
        full = client.post("/api/v1/recommendations/batch", json=batch)
        lean = client.post("/api/v1/recommendations/batch", json={**batch, "explain": False})
    assert full.status_code == lean.status_code == 200, lean.text
    lists = ("matched", "missing", "contributions", "readiness_contributions")
    for fit, figure in zip(
        full.json()["results"][0]["roles"], lean.json()["results"][0]["roles"], strict=True
    ):
        assert fit["contributions"] and all(figure[name] == [] for name in lists)
        assert {k: v for k, v in figure.items() if k not in lists} == {
            k: v for k, v in fit.items() if k not in lists
        }


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/recommendations", {**BODY, "learning_plan": "yes"}, "learning_plan"),
        ("/api/v1/recommendations", {**BODY, "learning_plan": None}, "learning_plan"),
        (
            "/api/v1/recommendations/batch",
            {"candidates": [{"id": "a", "skills": SKILLS}], "explain": 1},
            "explain",
        ),
    ],
)
def test_bad_options_are_400_naming_the_field(
    stack: Stack, admin_api: httpx.Client, path: str, body: dict, field: str
) -> None:
    client, _ = partner(stack.url, admin_api, ["recommendations:write"])
    with client:
        answer = client.post(path, json=body)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert field in {e["field"] for e in answer.json()["errors"]}


def test_each_partner_request_counts_once_against_the_quota(stack: Stack, admin_api: httpx.Client) -> None:
    """The key's first request (not cached: the profile service vouches for it) and the next ones (cached:
    looked up and counted in one Redis exchange) each take exactly one request off the quota."""
    client, _ = partner(stack.url, admin_api, ["recommendations:write"])
    with client:
        answers = [client.post("/api/v1/recommendations", json=BODY) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    limit = int(answers[0].headers["ratelimit-limit"])
    remaining = [int(a.headers["ratelimit-remaining"]) for a in answers]
    assert remaining[0] == limit - 1
    for before, after in zip(remaining, remaining[1:], strict=False):
        assert after in (before - 1, limit - 1)  # one less, or a new window began
