"""The foundation flow through the gateway: create, read, update with If-Match, recommend, delete."""

from __future__ import annotations

import re
import uuid

import httpx

PROFILE = {
    "display_name": "Ada",
    "skills": {"python": 3, "sql": 2, "postgresql": 2, "git": 3, "linux": 2, "http": 2, "rest": 2},
    "years_experience": 4,
}


def create(api: httpx.Client, body: dict | None = None, **headers: str) -> httpx.Response:
    return api.post("/api/v1/profiles", json=body or PROFILE, headers=headers)


def test_create_read_update_delete(api: httpx.Client) -> None:
    created = create(api)
    assert created.status_code == 201, created.text
    profile = created.json()
    assert created.headers["etag"] == '"1"'
    assert profile["skills"] == PROFILE["skills"]
    assert profile["version"] == 1

    read = api.get(f"/api/v1/profiles/{profile['id']}")
    assert read.status_code == 200
    assert read.json()["skills"] == PROFILE["skills"]
    etag = read.headers["etag"]

    changed = {**PROFILE, "skills": {**PROFILE["skills"], "docker": 2}}
    updated = api.put(f"/api/v1/profiles/{profile['id']}", json=changed, headers={"If-Match": etag})
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2
    assert updated.headers["etag"] == '"2"'

    stale = api.put(f"/api/v1/profiles/{profile['id']}", json=PROFILE, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert stale.json()["errors"][0]["field"] == "If-Match"
    assert api.get(f"/api/v1/profiles/{profile['id']}").json()["skills"]["docker"] == 2  # not lost

    history = api.get(f"/api/v1/profiles/{profile['id']}/assessments").json()
    assert [a["version"] for a in history["assessments"]] == [2, 1]
    assert "docker" not in history["assessments"][1]["skills"]

    assert api.delete(f"/api/v1/profiles/{profile['id']}").status_code == 204
    assert api.get(f"/api/v1/profiles/{profile['id']}").status_code == 404


def test_update_without_if_match_is_refused(api: httpx.Client) -> None:
    profile = create(api).json()
    answer = api.put(f"/api/v1/profiles/{profile['id']}", json=PROFILE)
    assert answer.status_code == 428
    assert answer.json()["errors"][0]["field"] == "If-Match"
    assert api.get(f"/api/v1/profiles/{profile['id']}").json()["version"] == 1


def test_profile_recommendations_compose_both_services(api: httpx.Client) -> None:
    profile = create(api).json()
    answer = api.get(f"/api/v1/profiles/{profile['id']}/recommendations")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    scores = [r["score"] for r in body["roles"]]
    assert scores == sorted(scores, reverse=True)
    assert body["target_role"] == body["roles"][0]["role"]
    assert body["model_version"]
    assert body["market"]["version"]
    matched = {m["skill"] for m in body["roles"][0]["matched"]}
    assert matched <= set(PROFILE["skills"])

    chosen = body["roles"][-1]["role"]
    targeted = api.get(f"/api/v1/profiles/{profile['id']}/recommendations", params={"target_role": chosen})
    assert targeted.json()["target_role"] == chosen


def test_inline_recommendations_and_batch(api: httpx.Client) -> None:
    answer = api.post(
        "/api/v1/recommendations", json={"skills": {"python": 3, "sql": 3}, "years_experience": 2}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["roles"]
    batch = api.post(
        "/api/v1/recommendations/batch",
        json={"candidates": [{"id": f"c{i}", "skills": {"python": i % 5}} for i in range(1000)]},
    )
    assert batch.status_code == 200, batch.text
    assert [r["id"] for r in batch.json()["results"]] == [f"c{i}" for i in range(1000)]


def test_idempotency_key_makes_one_profile(api: httpx.Client) -> None:
    key = uuid.uuid4().hex
    first = create(api, **{"Idempotency-Key": key})
    second = create(api, **{"Idempotency-Key": key})
    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    other = create(api, {**PROFILE, "display_name": "Other"}, **{"Idempotency-Key": key})
    assert other.status_code == 422


def test_request_id_is_echoed(api: httpx.Client) -> None:
    answer = api.get("/api/v1/skills", headers={"X-Request-ID": "test-rid-123"})
    assert answer.headers["x-request-id"] == "test-rid-123"


def test_health_and_schema(api: httpx.Client, stack) -> None:  # type: ignore[no-untyped-def]
    assert api.get("/healthz").json()["status"] == "ok"
    ready = api.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"profile": "ok", "recommender": "ok", "redis": "ok"}
    schema = api.get("/schema/openapi.json").json()
    assert "/api/v1/profiles" in schema["paths"]
    for name in ("profile", "recommender"):
        internal = httpx.get(stack.services[name].url + "/readyz", timeout=5)
        assert internal.status_code == 200, internal.text
        assert httpx.get(stack.services[name].url + "/schema/openapi.json", timeout=5).status_code == 200


def test_internal_services_refuse_calls_without_credential(stack) -> None:  # type: ignore[no-untyped-def]
    profile = stack.services["profile"].url
    assert httpx.post(profile + "/profiles/", json=PROFILE, timeout=5).status_code == 401
    wrong = httpx.get(profile + f"/profiles/{uuid.uuid4()}", headers={"X-Service-Token": "x" * 32}, timeout=5)
    assert wrong.status_code == 401
    recommender = stack.services["recommender"].url
    assert httpx.post(recommender + "/recommendations/", json={"skills": {}}, timeout=5).status_code == 401


def test_idempotency_keys_belong_to_their_user(stack) -> None:  # type: ignore[no-untyped-def]
    from tests.e2e.helpers import sign_up

    key = uuid.uuid4().hex
    first, second = sign_up(stack.url), sign_up(stack.url)
    a = create(first, **{"Idempotency-Key": key})
    b = create(second, **{"Idempotency-Key": key})
    assert a.status_code == 201 and b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


def test_api_docs_load_nothing_from_outside(anon: httpx.Client) -> None:
    page = anon.get("/schema/swagger")
    assert page.status_code == 200
    external = re.findall(r"""(?:src|href)=['"](https?://[^'"]+)""", page.text)
    assert external == []
    for asset in re.findall(r"""(?:src|href)=['"](/docs-assets/[^'"]+)""", page.text):
        assert anon.get(asset).status_code == 200, asset


def test_history_grows_only_when_skills_or_years_change(api: httpx.Client) -> None:
    def save(body: dict, etag: str | None) -> str:
        answer = api.put("/api/v1/me/profile", json=body, headers={"If-Match": etag} if etag else {})
        assert answer.status_code in (200, 201), answer.text
        return answer.headers["etag"]

    def history() -> list[int]:
        return [a["version"] for a in api.get("/api/v1/me/assessments").json()["assessments"]]

    etag = save(PROFILE, None)
    etag = save(PROFILE, etag)  # the same answers again
    etag = save({**PROFILE, "target_role": "devops-engineer"}, etag)  # only the target role
    assert etag == '"3"'  # each save still moves the ETag, so If-Match keeps guarding edits
    assert history() == [1]
    assert api.get("/api/v1/me/recommendations", params={"target_role": "cloud-engineer"}).status_code == 200
    assert history() == [1]  # asking for another target's plan saves nothing
    save({**PROFILE, "skills": {**PROFILE["skills"], "docker": 2}}, etag)
    assert history() == [4, 1]
