"""The public edge reads bodies as sent (issue 12, items 9, 10, 14, 15, 17): no coerced types, no
repeated keys, no repeated candidate ids, years as sent, and If-Match documented as the server enforces
it. Each bad request gets a 4xx naming the field, and nothing is stored or changed."""

from __future__ import annotations

import json

import asyncpg
import httpx
import pytest

GOOD = {"display_name": "Edge", "skills": {"python": 2, "sql": 1}, "years_experience": 1}
JSON = {"content-type": "application/json"}


async def _count(infra, table: str) -> int:  # type: ignore[no-untyped-def]
    conn = await asyncpg.connect(infra.database_url)
    try:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
    finally:
        await conn.close()


async def _profiles(infra) -> int:  # type: ignore[no-untyped-def]
    return await _count(infra, "profiles")


def _fields(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["status_code"] == 400 and body["error"] == "validation_error"
    return [e["field"] for e in body["errors"]]


# 9: no coercion -------------------------------------------------------------------------------------------
COERCED = [
    ({**GOOD, "skills": {"python": "3"}}, "skills.python"),
    ({**GOOD, "skills": {"python": 2.5}}, "skills.python"),
    ({**GOOD, "skills": {"python": True}}, "skills.python"),
    ({**GOOD, "years_experience": "1e1"}, "years_experience"),
    ({**GOOD, "years_experience": "4"}, "years_experience"),
    ({**GOOD, "display_name": 7}, "display_name"),
]


@pytest.mark.parametrize(("body", "field"), COERCED)
async def test_wrong_json_types_are_not_coerced(api: httpx.Client, infra, body: dict, field: str) -> None:  # type: ignore[no-untyped-def]
    before = await _profiles(infra)
    assert field in _fields(api.post("/api/v1/profiles", json=body))
    assert field in _fields(api.put("/api/v1/me/profile", json=body))
    assert await _profiles(infra) == before


def test_a_whole_number_written_as_a_float_is_an_integer(api: httpx.Client) -> None:
    """JSON has one number type and JSON Schema counts 3.0 as an integer: not a coercion."""
    made = api.post("/api/v1/profiles", json={**GOOD, "skills": {"python": 3.0}})
    assert made.status_code == 201, made.text
    assert made.json()["skills"] == {"python": 3}


def test_a_coerced_update_changes_nothing(api: httpx.Client) -> None:
    profile = api.post("/api/v1/profiles", json=GOOD).json()
    bad = {**GOOD, "skills": {"python": "4"}}
    assert _fields(api.put(f"/api/v1/profiles/{profile['id']}", json=bad, headers={"If-Match": '"1"'})) == [
        "skills.python"
    ]
    stored = api.get(f"/api/v1/profiles/{profile['id']}").json()
    assert stored["skills"] == GOOD["skills"] and stored["version"] == 1


def test_partner_bodies_are_not_coerced(partner_api: httpx.Client) -> None:
    single = partner_api.post("/api/v1/recommendations", json={"skills": {"python": 3}, "top": "3"})
    assert _fields(single) == ["top"]
    batch = {"candidates": [{"id": "a", "skills": {"java": 2}}, {"id": "b", "skills": {"java": "2"}}]}
    assert _candidate_fields(partner_api.post("/api/v1/recommendations/batch", json=batch)) == [
        [],
        ["candidates[1].skills.java"],
    ]
    numeric_id = {"candidates": [{"id": 1, "skills": {}}]}
    answer = partner_api.post("/api/v1/recommendations/batch", json=numeric_id)
    assert _candidate_fields(answer) == [["candidates[0].id"]]


def _candidate_fields(answer: httpx.Response) -> list[list[str]]:
    """A batch answer's fields at fault, per candidate (a bad candidate has its own error, 422)."""
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert all(r["error"]["status"] == 422 for r in results if "error" in r)
    return [[e["field"] for e in r["error"]["errors"]] if "error" in r else [] for r in results]


async def test_a_unix_integer_is_not_an_expiry(admin_api: httpx.Client, infra) -> None:  # type: ignore[no-untyped-def]
    before = await _count(infra, "api_keys")
    for expires_at in (1_900_000_000, "1900000000", 1.9e9):
        answer = admin_api.post(
            "/api/v1/admin/keys", json={"name": "unix", "scopes": ["market:read"], "expires_at": expires_at}
        )
        assert _fields(answer) == ["expires_at"]
    assert await _count(infra, "api_keys") == before


# 10: repeated keys ----------------------------------------------------------------------------------------
REPEATED = [
    (b'{"display_name":"A","display_name":"B","skills":{"python":2}}', "display_name"),
    (b'{"display_name":"A","skills":{"python":2,"sql":1,"python":4}}', "skills.python"),
    (b'{"display_name":"A:B","skills":{},"years_experience":1,"years_experience":2}', "years_experience"),
    (b'{"display_name":"A\\u003aB","skills":{},"skills":{"python":4}}', "skills"),
]


@pytest.mark.parametrize(("body", "field"), REPEATED)
async def test_repeated_keys_are_refused(api: httpx.Client, infra, body: bytes, field: str) -> None:  # type: ignore[no-untyped-def]
    before = await _profiles(infra)
    answer = api.post("/api/v1/profiles", content=body, headers=JSON)
    assert _fields(answer) == [field]
    assert "more than once" in answer.json()["errors"][0]["message"]
    assert await _profiles(infra) == before


def test_repeated_keys_in_an_update_and_a_batch(
    api: httpx.Client, anon: httpx.Client, partner_api: httpx.Client
) -> None:
    profile = api.post("/api/v1/profiles", json=GOOD).json()
    body = b'{"display_name":"Edge","skills":{"python":2,"sql":1},"years_experience":1,"years_experience":9}'
    answer = api.put(f"/api/v1/profiles/{profile['id']}", content=body, headers={**JSON, "If-Match": '"1"'})
    assert _fields(answer) == ["years_experience"]
    assert api.get(f"/api/v1/profiles/{profile['id']}").json()["version"] == 1
    candidates = [{"id": f"c{i}", "skills": {"java": 2}} for i in range(5)]
    raw = (
        json.dumps({"candidates": candidates})
        .encode()
        .replace(b'"c3", "skills"', b'"c3", "id": "c9", "skills"')
    )
    answer = partner_api.post("/api/v1/recommendations/batch", content=raw, headers=JSON)
    assert _candidate_fields(answer) == [[], [], [], ["candidates[3].id"], []]
    login = b'{"email":"nobody@example.com","password":"x","password":"correct horse battery"}'
    assert _fields(anon.post("/api/v1/auth/login", content=login, headers=JSON)) == ["password"]


# 14: repeated candidate ids -------------------------------------------------------------------------------
def test_a_batch_with_a_repeated_candidate_id_is_refused(partner_api: httpx.Client) -> None:
    batch = {"candidates": [{"id": "a", "skills": {}}, {"id": "b", "skills": {}}, {"id": "a", "skills": {}}]}
    answer = partner_api.post("/api/v1/recommendations/batch", json=batch)
    assert answer.status_code == 422 and answer.json()["error"] == "unprocessable", answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["candidates[2].id"]
    assert "'a'" in answer.json()["errors"][0]["message"]
    distinct = {"candidates": [{"id": "a", "skills": {}}, {"id": "A", "skills": {}}]}
    assert partner_api.post("/api/v1/recommendations/batch", json=distinct).status_code == 200


# 15: years as sent ----------------------------------------------------------------------------------------
async def test_years_come_back_as_sent(api: httpx.Client, infra) -> None:  # type: ignore[no-untyped-def]
    saved = api.put("/api/v1/me/profile", json={**GOOD, "years_experience": 4.1})
    assert saved.status_code == 201 and saved.json()["years_experience"] == 4.1
    etag = saved.headers["etag"]
    again = api.put(
        "/api/v1/me/profile", json={**GOOD, "years_experience": 12.35}, headers={"If-Match": etag}
    )
    assert again.json()["years_experience"] == 12.35
    assert [a["years_experience"] for a in api.get("/api/v1/me/assessments").json()["assessments"]] == [
        12.35,
        4.1,
    ]
    assert b'"years_experience":12.35' in api.get("/api/v1/me/profile").content
    conn = await asyncpg.connect(infra.database_url)
    try:
        stored = await conn.fetchval(
            "SELECT years_experience::text FROM profiles WHERE id = $1::uuid", saved.json()["id"]
        )
    finally:
        await conn.close()
    assert stored == "12.35"


# 17: If-Match required ------------------------------------------------------------------------------------
def test_if_match_is_documented_required_and_missing_is_428(api: httpx.Client) -> None:
    document = api.get("/schema/openapi.json").json()
    put = document["paths"]["/api/v1/profiles/{profile_id}"]["put"]
    (if_match,) = [p for p in put["parameters"] if p["name"].lower() == "if-match"]
    assert if_match["required"] is True and if_match["in"] == "header"
    assert "428" in put["responses"]
    profile = api.post("/api/v1/profiles", json=GOOD).json()
    answer = api.put(f"/api/v1/profiles/{profile['id']}", json={**GOOD, "skills": {"go": 4}})
    assert answer.status_code == 428
    assert answer.json()["errors"][0]["field"] == "If-Match"
    stored = api.get(f"/api/v1/profiles/{profile['id']}").json()
    assert stored["skills"] == GOOD["skills"] and stored["version"] == 1
