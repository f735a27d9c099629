"""History past 200 through the gateway (issue 12, item 5): a cursor pages it all, and the export has
every assessment, streamed a page at a time. The extra assessments are inserted directly in SQL."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

MANY = 450
GOOD = {"display_name": "Historian", "skills": {"python": 2}, "years_experience": 1}


async def _add_history(infra, profile_id: str, count: int) -> None:  # type: ignore[no-untyped-def]
    conn = await asyncpg.connect(infra.database_url)
    try:
        await conn.execute(
            """INSERT INTO assessments (profile_id, version, skills, years_experience)
               SELECT $1::uuid, v, jsonb_build_object('python', 1 + v % 4), v / 10.0
               FROM generate_series(2, $2::integer) AS v""",
            profile_id,
            count,
        )
        await conn.execute("UPDATE profiles SET version = $2 WHERE id = $1::uuid", profile_id, count)
    finally:
        await conn.close()


def _walk(api: httpx.Client, path: str, limit: int) -> tuple[list[int], int]:
    versions: list[int] = []
    pages = 0
    params: dict[str, int | str] = {"limit": limit}
    while True:
        answer = api.get(path, params=params)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        versions += [a["version"] for a in page["assessments"]]
        pages += 1
        assert page["next_cursor"] == (None if page["next_before"] is None else str(page["next_before"]))
        if page["next_cursor"] is None:
            return versions, pages
        # the cursor every list takes, and the deprecated `before` on alternate pages: both keep working
        params = {
            "limit": limit,
            **({"cursor": page["next_cursor"]} if pages % 2 else {"before": page["next_before"]}),
        }


async def test_history_pages_past_200_and_the_export_has_everything(api: httpx.Client, infra) -> None:  # type: ignore[no-untyped-def]
    profile = api.put("/api/v1/me/profile", json=GOOD).json()
    await _add_history(infra, profile["id"], MANY)
    everything = list(range(MANY, 0, -1))
    assert _walk(api, "/api/v1/me/assessments", 200) == (everything, 3)
    assert _walk(api, f"/api/v1/profiles/{profile['id']}/assessments", 200) == (everything, 3)
    first = api.get("/api/v1/me/assessments").json()
    assert len(first["assessments"]) == 50 and first["next_before"] == MANY - 49

    export = api.get("/api/v1/me/export")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("application/json")
    assert "attachment" in export.headers["content-disposition"]
    body = export.json()
    assert body["profile"]["id"] == profile["id"] and body["user"]["email"]
    assert [a["version"] for a in body["assessments"]] == everything
    assert body["assessments"][0]["years_experience"] == MANY / 10


def test_export_without_a_profile_and_with_one_assessment(api: httpx.Client) -> None:
    empty = api.get("/api/v1/me/export").json()
    assert empty["profile"] is None and empty["assessments"] == []
    api.put("/api/v1/me/profile", json=GOOD)
    one = api.get("/api/v1/me/export").json()
    assert [a["version"] for a in one["assessments"]] == [1]


@pytest.mark.parametrize("before", ["0", "-1", "abc", "99999999999"])
def test_a_bad_cursor_is_400_naming_it(api: httpx.Client, before: str) -> None:
    profile = api.put("/api/v1/me/profile", json=GOOD).json()
    for path in ("/api/v1/me/assessments", f"/api/v1/profiles/{profile['id']}/assessments"):
        answer = api.get(path, params={"before": before})
        assert answer.status_code == 400, answer.text
        assert answer.json()["errors"][0]["field"] == "before"


def test_the_cursor_is_documented(api: httpx.Client) -> None:
    document = api.get("/schema/openapi.json").json()
    for path in ("/api/v1/me/assessments", "/api/v1/profiles/{profile_id}/assessments"):
        names = {p["name"] for p in document["paths"][path]["get"]["parameters"]}
        assert {"limit", "before"} <= names
    page = document["components"]["schemas"]["AssessmentList"]
    assert "next_before" in page["properties"]
    export = document["paths"]["/api/v1/me/export"]["get"]["responses"]["200"]["content"]["application/json"]
    assert export["schema"] == {"$ref": "#/components/schemas/Export"}
