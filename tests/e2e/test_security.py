"""The OWASP API Security Top 10 rows of RELIABILITY.md, against the real gateway."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from tests.e2e.helpers import PASSWORD, partner, sign_up
from tools.embedded import free_port
from tools.supervisor.stack import ServiceProcess, Stack

PROFILE = {"display_name": "Mine", "skills": {"python": 3, "sql": 2}, "years_experience": 2}


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


# API1: object-level authorisation -------------------------------------------------------------------
def test_another_users_profile_is_404(stack: Stack, api: httpx.Client) -> None:
    mine = api.post("/api/v1/profiles", json=PROFILE).json()
    other = sign_up(stack.url)
    if True:
        path = f"/api/v1/profiles/{mine['id']}"
        assert other.get(path).status_code == 404
        assert (
            other.put(
                path, json={**PROFILE, "display_name": "stolen"}, headers={"If-Match": '"1"'}
            ).status_code
            == 404
        )
        assert other.delete(path).status_code == 404
        assert other.get(path + "/assessments").status_code == 404
        assert other.get(path + "/recommendations").status_code == 404
    kept = api.get(f"/api/v1/profiles/{mine['id']}").json()
    assert kept["display_name"] == "Mine" and kept["version"] == 1


# API2: authentication ---------------------------------------------------------------------------------
def test_missing_and_forged_credentials_get_401(stack: Stack, anon: httpx.Client, api: httpx.Client) -> None:
    assert anon.get("/api/v1/me/profile").status_code == 401
    assert anon.post("/api/v1/recommendations", json={"skills": {}}).status_code == 401
    forged = httpx.get(stack.url + "/api/v1/me/profile", cookies={"cp_session": "A" * 43})
    assert forged.status_code == 401
    real = api.cookies.get("cp_session")
    tampered = real[:-2] + ("AA" if real[-2:] != "AA" else "BB")
    assert httpx.get(stack.url + "/api/v1/me/profile", cookies={"cp_session": tampered}).status_code == 401
    none_jwt = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64({'sub': 'admin', 'role': 'admin'})}."
    for header in (f"Bearer {none_jwt}", "Bearer cpk_" + "x" * 43, "Basic YWRtaW46YWRtaW4=", "Bearer"):
        answer = httpx.post(
            stack.url + "/api/v1/recommendations", json={"skills": {}}, headers={"Authorization": header}
        )
        assert answer.status_code == 401, header
        assert answer.json()["code"] == answer.json()["error"] == "unauthorized"
        assert answer.headers["content-type"] == "application/problem+json"
        refused = "invalid_token" if header.startswith("Bearer ") else "invalid_request"
        assert answer.headers["www-authenticate"] == f'Bearer realm="careerpath", error="{refused}"', header


def test_every_401_challenges_and_every_error_has_a_request_id(stack: Stack, anon: httpx.Client) -> None:
    """RFC 6750: no credential is a bare challenge; any error answer, the router's 404 and 405 too, is
    a problem naming its request id, path and a type the API describes."""
    missing = anon.get("/api/v1/me/profile")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="careerpath"'
    for answer, status in (
        (missing, 401),
        (anon.get("/api/v1/no-such-route"), 404),
        (anon.patch("/api/v1/skills"), 405),
        (anon.post("/api/v1/auth/login", content=b"x", headers={"content-type": "text/plain"}), 415),
    ):
        body = answer.json()
        assert answer.status_code == status == body["status"] == body["status_code"], answer.text
        assert body["request_id"] and body["request_id"] == answer.headers["x-request-id"]
        assert body["instance"] == answer.request.url.path
        described = anon.get(body["type"])
        assert described.status_code == 200 and described.json()["code"] == body["code"]


def test_a_bad_body_names_every_invalid_field(stack: Stack, api: httpx.Client) -> None:
    answer = api.post(
        "/api/v1/recommendations",
        json={"skills": {"python": 9, "no_such_skill": 1}, "years_experience": "ten", "extra": 1},
    )
    assert answer.status_code == 400 and answer.json()["code"] == "validation_error"
    named = {(e["field"], e.get("pointer")) for e in answer.json()["errors"]}
    assert named == {
        ("skills.python", "/skills/python"),
        ("skills.no_such_skill", "/skills/no_such_skill"),
        ("years_experience", "/years_experience"),
        ("extra", "/extra"),
    }


def test_logged_out_session_is_dead(stack: Stack) -> None:
    client = sign_up(stack.url)
    cookie = client.cookies.get("cp_session")
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert httpx.get(stack.url + "/api/v1/me/profile", cookies={"cp_session": cookie}).status_code == 401


def test_wrong_password_is_401_and_audited(stack: Stack, admin_api: httpx.Client) -> None:
    email = sign_up(stack.url).get("/api/v1/auth/me").json()["user"]["email"]
    answer = httpx.post(
        stack.url + "/api/v1/auth/login", json={"email": email, "password": "not the password"}
    )
    assert answer.status_code == 401
    unknown = httpx.post(
        stack.url + "/api/v1/auth/login", json={"email": "nobody@example.com", "password": PASSWORD}
    )
    assert unknown.status_code == 401
    failures = admin_api.get("/api/v1/admin/audit", params={"action": "login_failed"}).json()
    assert any(e["actor"] == email for e in failures)


def test_revoked_and_expired_keys_get_401(stack: Stack, admin_api: httpx.Client) -> None:
    client, issued = partner(stack.url, admin_api, ["recommendations:write"])
    assert client.post("/api/v1/recommendations", json={"skills": {"python": 2}}).status_code == 200
    revoked = admin_api.delete(
        f"/api/v1/admin/keys/{issued['api_key']['id']}", params={"confirm": issued["api_key"]["name"]}
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.post("/api/v1/recommendations", json={"skills": {"python": 2}}).status_code == 401

    soon = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    answer = admin_api.post(
        "/api/v1/admin/keys", json={"name": "short", "scopes": ["market:read"], "expires_at": soon}
    )
    assert answer.status_code == 201
    key = answer.json()["key"]
    assert (
        httpx.get(stack.url + "/api/v1/market", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    )
    time.sleep(2.5)
    assert (
        httpx.get(stack.url + "/api/v1/market", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    )
    past = admin_api.post(
        "/api/v1/admin/keys",
        json={"name": "past", "scopes": ["market:read"], "expires_at": "2020-01-01T00:00:00Z"},
    )
    assert past.status_code == 422 and past.json()["errors"][0]["field"] == "expires_at"


def test_csrf_token_required_for_session_changes(stack: Stack, api: httpx.Client) -> None:
    token = api.headers.pop("X-CSRF-Token")
    assert api.put("/api/v1/me/profile", json=PROFILE).status_code == 403
    assert api.put("/api/v1/me/profile", json=PROFILE, headers={"X-CSRF-Token": "wrong"}).status_code == 403
    assert api.put("/api/v1/me/profile", json=PROFILE, headers={"X-CSRF-Token": token}).status_code == 201


# API3: property-level authorisation ---------------------------------------------------------------------
async def test_role_in_body_changes_nothing(stack: Stack, infra, anon: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    for extra in ({"role": "admin"}, {"is_admin": True}):
        body = {"email": f"sneaky{len(extra)}{time.time_ns()}@example.com", "password": PASSWORD, **extra}
        answer = anon.post("/api/v1/auth/signup", json=body)
        assert answer.status_code == 400
        assert answer.json()["errors"][0]["field"] in extra
    me = sign_up(stack.url)
    assert me.put("/api/v1/me/profile", json={**PROFILE, "owner_id": "x"}).status_code == 400
    assert me.get("/api/v1/admin/keys").status_code == 403
    conn = await asyncpg.connect(infra.database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM users WHERE email LIKE 'sneaky%'") == 0
    finally:
        await conn.close()


def test_responses_carry_no_secrets(stack: Stack, admin_api: httpx.Client) -> None:
    signed = httpx.post(
        stack.url + "/api/v1/auth/signup",
        json={"email": f"s{time.time_ns()}@example.com", "password": PASSWORD},
    )
    assert "password" not in signed.text and "argon2" not in signed.text
    partner(stack.url, admin_api, ["market:read"])
    listing = admin_api.get("/api/v1/admin/keys")
    assert listing.status_code == 200 and listing.json()
    assert "key_hash" not in listing.text and "cpk_" not in listing.text.replace('"prefix":"cpk_', "")
    for key in listing.json():
        assert set(key) >= {"id", "name", "prefix", "scopes", "usage_count"}
        assert "key" not in key


# API4: resource consumption -----------------------------------------------------------------------------
def test_body_and_page_caps(stack: Stack, api: httpx.Client, admin_api: httpx.Client) -> None:
    huge = api.post(
        "/api/v1/recommendations",
        content=b'{"skills": {}, "x": "' + b"y" * 1_100_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert huge.status_code == 413
    assert admin_api.get("/api/v1/admin/audit", params={"limit": 1000}).status_code == 400
    assert api.get("/api/v1/me/assessments", params={"limit": 100000}).status_code == 400


@pytest.fixture
def two_gateways(stack: Stack, infra, tmp_path) -> list[ServiceProcess]:  # type: ignore[no-untyped-def]
    """Two more gateway processes sharing Redis, with small quotas."""
    env = infra.env(
        CAREERPATH_REDIS_PREFIX=infra.redis_prefix + "quota:",
        CAREERPATH_PROFILE_URL=stack.services["profile"].url,
        CAREERPATH_RECOMMENDER_URL=stack.services["recommender"].url,
        CAREERPATH_USER_RATE_PER_MINUTE="20",
        CAREERPATH_KEY_RATE_PER_MINUTE="20",
        CAREERPATH_LOGIN_RATE_PER_MINUTE="5",
        CAREERPATH_ANONYMOUS_RATE_PER_MINUTE="1000",
    )
    gateways = [
        ServiceProcess("gateway", free_port(), env, tmp_path / f"gw{i}.log").start() for i in range(2)
    ]
    for gateway in gateways:
        gateway.wait_healthy()
    yield gateways
    for gateway in gateways:
        gateway.stop()


def _wait_fresh_window() -> None:
    if time.time() % 60 > 50:  # do not straddle a window boundary
        time.sleep(61 - time.time() % 60)


def test_flood_is_held_to_the_quota_across_two_workers(
    two_gateways: list[ServiceProcess], admin_api: httpx.Client
) -> None:
    _wait_fresh_window()
    base = two_gateways[0].url
    user = sign_up(base)
    statuses = []
    for i in range(60):
        answer = user.get(two_gateways[i % 2].url + "/api/v1/auth/me")
        statuses.append(answer.status_code)
        if answer.status_code == 429:
            assert int(answer.headers["retry-after"]) >= 1
            assert answer.headers["ratelimit-remaining"] == "0"
            assert answer.json()["error"] == "rate_limited"
        else:
            assert "ratelimit-limit" in answer.headers
    accepted = statuses.count(200)
    print(f"flood: sent 60, accepted {accepted}, quota 20 (signup counted), ratio {accepted / 20:.2f}")
    assert accepted <= 20 and statuses.count(429) >= 40

    key_client, _ = partner(base, admin_api, ["market:read"])
    key_statuses = [key_client.get(two_gateways[i % 2].url + "/api/v1/market").status_code for i in range(30)]
    assert key_statuses.count(200) <= 20 and key_statuses.count(429) >= 10


def test_login_attempts_are_limited_per_ip(two_gateways: list[ServiceProcess]) -> None:
    _wait_fresh_window()
    statuses = [
        httpx.post(
            two_gateways[i % 2].url + "/api/v1/auth/login",
            json={"email": "victim@example.com", "password": f"guess-{i:06d}"},
        ).status_code
        for i in range(12)
    ]
    assert statuses.count(401) <= 5 and statuses.count(429) >= 7


# API5: function-level authorisation ---------------------------------------------------------------------
def test_admin_routes_refuse_users_and_partners(
    api: httpx.Client, partner_api: httpx.Client, anon: httpx.Client
) -> None:
    for client, status in ((api, 403), (partner_api, 403), (anon, 401)):
        assert client.get("/api/v1/admin/keys").status_code == status
        assert (
            client.post("/api/v1/admin/keys", json={"name": "x", "scopes": ["market:read"]}).status_code
            == status
        )
        assert client.get("/api/v1/admin/audit").status_code == status


def test_partners_use_scopes_and_never_read_profiles(stack: Stack, admin_api: httpx.Client) -> None:
    market_only, _ = partner(stack.url, admin_api, ["market:read"])
    assert market_only.get("/api/v1/market").status_code == 200
    assert market_only.post("/api/v1/recommendations", json={"skills": {}}).status_code == 403
    scorer, _ = partner(stack.url, admin_api, ["recommendations:write"])
    assert (
        scorer.post(
            "/api/v1/recommendations/batch", json={"candidates": [{"id": "a", "skills": {"go": 3}}]}
        ).status_code
        == 200
    )
    assert scorer.get("/api/v1/market").status_code == 403
    assert scorer.get("/api/v1/me/profile").status_code == 403
    assert scorer.get("/api/v1/profiles/00000000-0000-0000-0000-000000000000").status_code == 403


def test_key_usage_is_counted(stack: Stack, admin_api: httpx.Client) -> None:
    client, issued = partner(stack.url, admin_api, ["market:read"])
    for _ in range(3):
        assert client.get("/api/v1/market").status_code == 200
    keys = {k["id"]: k for k in admin_api.get("/api/v1/admin/keys", params={"limit": 200}).json()}
    assert keys[issued["api_key"]["id"]]["usage_count"] == 3
    actions = [e["action"] for e in admin_api.get("/api/v1/admin/audit").json()]
    assert "api_key_issued" in actions and "login" in actions


# API8: misconfiguration ----------------------------------------------------------------------------------
def test_bad_host_cors_and_headers(stack: Stack) -> None:
    assert httpx.get(stack.url + "/api/v1/skills", headers={"Host": "evil.example"}).status_code == 400
    preflight = httpx.options(
        stack.url + "/api/v1/skills",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    page = httpx.get(stack.url + "/")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    login = httpx.post(
        stack.url + "/api/v1/auth/signup",
        json={"email": f"c{time.time_ns()}@example.com", "password": PASSWORD},
    )
    cookie = [v for k, v in login.headers.multi_items() if k == "set-cookie" and v.startswith("cp_session=")][
        0
    ].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_no_traceback_in_errors(anon: httpx.Client) -> None:
    answer = anon.post(
        "/api/v1/auth/login", content=b"\xff\xfe not json", headers={"content-type": "application/json"}
    )
    assert answer.status_code == 400
    assert "Traceback" not in answer.text and 'File "' not in answer.text


# Users own their data ------------------------------------------------------------------------------------
async def test_export_and_delete_my_data(stack: Stack, infra) -> None:  # type: ignore[no-untyped-def]
    me = sign_up(stack.url)
    saved = me.put("/api/v1/me/profile", json=PROFILE)
    assert saved.status_code == 201
    updated = me.put(
        "/api/v1/me/profile",
        json={**PROFILE, "skills": {"python": 4}},
        headers={"If-Match": saved.headers["etag"]},
    )
    assert updated.status_code == 200
    assert me.put("/api/v1/me/profile", json=PROFILE).status_code == 428
    export = me.get("/api/v1/me/export").json()
    assert export["profile"]["skills"] == {"python": 4}
    assert [a["version"] for a in export["assessments"]] == [2, 1]
    assert "password" not in json.dumps(export)
    user_id = export["user"]["id"]
    assert me.delete("/api/v1/me").status_code == 204
    conn = await asyncpg.connect(infra.database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM users WHERE id = $1::uuid", user_id) == 0
        assert await conn.fetchval("SELECT count(*) FROM profiles WHERE owner_id = $1::uuid", user_id) == 0
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM assessments a JOIN profiles p ON p.id = a.profile_id "
                "WHERE p.owner_id = $1::uuid",
                user_id,
            )
            == 0
        )
    finally:
        await conn.close()
    assert me.get("/api/v1/me/profile").status_code == 401
