"""Every bad body gets a 4xx with a JSON error naming the field, and nothing is written."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

GOOD = {"display_name": "Bad Input", "skills": {"python": 2}, "years_experience": 1}

BAD_BODIES = [
    ({"display_name": "x", "skills": {"python": "three"}}, "skills.python"),
    ({"display_name": "x", "skills": {"python": 5}}, "skills.python"),
    ({"display_name": "x", "skills": {"python": -1}}, "skills.python"),
    ({"display_name": "x", "skills": {"cobol-on-mars": 2}}, "skills.cobol-on-mars"),
    ({"display_name": "x", "skills": {"Not A Slug": 2}}, "skills"),
    ({"skills": {"python": 2}}, "display_name"),
    ({"display_name": "x"}, "skills"),
    ({"display_name": "", "skills": {}}, "display_name"),
    ({"display_name": "x", "skills": {}, "years_experience": -3}, "years_experience"),
    ({"display_name": "x", "skills": {}, "years_experience": "ten"}, "years_experience"),
    ({"display_name": "x", "skills": {}, "target_role": "astronaut"}, "target_role"),
    ({"display_name": "x", "skills": {}, "is_admin": True}, "is_admin"),
    ({"display_name": "x", "skills": [1, 2]}, "skills"),
]


async def _count(infra) -> int:  # type: ignore[no-untyped-def]
    conn = await asyncpg.connect(infra.database_url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM profiles"))
    finally:
        await conn.close()


@pytest.mark.parametrize(("body", "field"), BAD_BODIES)
async def test_bad_profile_bodies(api: httpx.Client, infra, body: dict, field: str) -> None:  # type: ignore[no-untyped-def]
    before = await _count(infra)
    answer = api.post("/api/v1/profiles", json=body)
    assert 400 <= answer.status_code < 500, answer.text
    error = answer.json()
    assert error["status_code"] == answer.status_code
    assert any(e["field"].startswith(field) for e in error["errors"]), error
    assert await _count(infra) == before


async def test_malformed_json_and_oversized_body(api: httpx.Client, infra) -> None:  # type: ignore[no-untyped-def]
    before = await _count(infra)
    broken = api.post(
        "/api/v1/profiles",
        content=b'{"display_name": "x", "skills": {',
        headers={"content-type": "application/json"},
    )
    assert broken.status_code == 400
    assert broken.json()["errors"]
    huge = api.post(
        "/api/v1/profiles",
        content=b'{"display_name": "' + b"x" * 2_000_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert huge.status_code == 413
    assert await _count(infra) == before


def test_bad_update_keeps_stored_profile(api: httpx.Client) -> None:
    profile = api.post("/api/v1/profiles", json=GOOD).json()
    answer = api.put(
        f"/api/v1/profiles/{profile['id']}",
        json={**GOOD, "skills": {"python": 9}},
        headers={"If-Match": '"1"'},
    )
    assert answer.status_code == 400
    garbled = api.put(f"/api/v1/profiles/{profile['id']}", json=GOOD, headers={"If-Match": "yesterday"})
    assert garbled.status_code == 400
    assert garbled.json()["errors"][0]["field"] == "If-Match"
    stored = api.get(f"/api/v1/profiles/{profile['id']}").json()
    assert stored["skills"] == {"python": 2} and stored["version"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"skills": {"python": 7}}, "skills.python"),
        ({"skills": {"nope": 1}}, "skills.nope"),
        ({"skills": {}, "target_role": "astronaut"}, "target_role"),
        ({"skills": {}, "top": 0}, "top"),
        ({}, "skills"),
    ],
)
def test_bad_recommendation_bodies(api: httpx.Client, body: dict, field: str) -> None:
    answer = api.post("/api/v1/recommendations", json=body)
    assert answer.status_code == 400, answer.text
    assert any(e["field"].startswith(field) for e in answer.json()["errors"])


def test_bad_batches(api: httpx.Client) -> None:
    too_many = {"candidates": [{"id": str(i), "skills": {}} for i in range(1001)]}
    assert api.post("/api/v1/recommendations/batch", json=too_many).status_code == 400
    empty = api.post("/api/v1/recommendations/batch", json={"candidates": []})
    assert empty.status_code == 400
    unknown = api.post(
        "/api/v1/recommendations/batch",
        json={"candidates": [{"id": "a", "skills": {}}, {"id": "b", "skills": {"zzz": 1}}]},
    )
    assert unknown.status_code == 200  # the bad candidate has its own error; the other is scored
    first, second = unknown.json()["results"]
    assert "roles" in first and second["error"]["errors"][0]["field"] == "candidates[1].skills.zzz"


def test_unknown_profile_is_404(api: httpx.Client) -> None:
    answer = api.get("/api/v1/profiles/00000000-0000-0000-0000-000000000000")
    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found"
    assert api.get("/api/v1/profiles/not-a-uuid").status_code == 404


def test_repeated_query_parameter_is_refused(api: httpx.Client) -> None:
    answer = api.get("/api/v1/me/assessments", params=[("limit", "5"), ("limit", "500")])
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "limit"


def test_unknown_target_role_in_the_query_is_400(api: httpx.Client) -> None:
    profile = api.post("/api/v1/profiles", json=GOOD).json()
    answer = api.get(f"/api/v1/profiles/{profile['id']}/recommendations", params={"target_role": "astronaut"})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "target_role"


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v1/recommendations", "/api/v1/profiles"])
def test_deeply_nested_json_is_a_400_without_a_traceback(stack, api: httpx.Client, path: str) -> None:  # type: ignore[no-untyped-def]
    """A 2 kB body nested 1,000 levels deep: 400 naming the body, one log line, no traceback."""
    deep = b'{"a":' * 1000 + b"1" + b"}" * 1000
    log = stack.log_dir / "gateway.log"
    before = log.read_bytes().count(b"Traceback") if log.exists() else 0
    answer = api.post(path, content=deep, headers={"content-type": "application/json"})
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["error"] == "validation_error" and body["errors"][0]["field"] == "body"
    assert (log.read_bytes().count(b"Traceback") if log.exists() else 0) == before
