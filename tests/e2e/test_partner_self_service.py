"""A partner key serves itself: its own usage and quota, and rotation without an admin (real processes).

Rotation's races and the database rules are in tests/integration/test_key_rotation.py; here, what a
partner sees over HTTP: status codes, bodies, the old key working through its grace period and then not,
the audit log, and that nothing about another partner's key shows up."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.e2e.conftest import TIGHT_RATE_PER_MINUTE
from tests.e2e.helpers import log_in, partner
from tools.supervisor.stack import Stack

pytestmark = pytest.mark.e2e
CANDIDATE = {"skills": {"python": 3, "docker": 2}, "years_experience": 2}
BOTH = ["recommendations:write", "market:read"]


def _with_key(base_url: str, key: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=15.0, headers={"Authorization": f"Bearer {key}"})


def test_usage_counts_the_keys_own_requests_by_endpoint_class(stack: Stack, admin_api: httpx.Client) -> None:
    client, issued = partner(stack.url, admin_api, ["recommendations:write"])
    other, _ = partner(stack.url, admin_api, BOTH)
    with client, other:
        for _ in range(2):
            assert client.post("/api/v1/recommendations", json=CANDIDATE).status_code == 200
        batch = {"candidates": [{"id": "c1", **CANDIDATE}]}
        assert client.post("/api/v1/recommendations/batch", json=batch).status_code == 200
        assert client.get("/api/v1/market").status_code == 403  # no market:read: refused, still counted
        for _ in range(3):  # another partner's requests are not this key's
            assert other.post("/api/v1/recommendations", json=CANDIDATE).status_code == 200
        answer = client.get("/api/v1/partner/usage")
    assert answer.status_code == 200, answer.text
    usage = answer.json()
    key = issued["api_key"]
    assert (usage["key_id"], usage["partner_id"], usage["prefix"]) == (key["id"], key["id"], key["prefix"])
    assert usage["scopes"] == ["recommendations:write"]
    assert usage["expires_at"] is None and usage["retires_at"] is None and usage["replaced_by"] is None
    assert (
        usage["day"] == datetime.now(UTC).date().isoformat()
        or usage["day"] == (datetime.now(UTC) - timedelta(minutes=1)).date().isoformat()
    )  # the request may have straddled midnight UTC
    assert usage["requests_today"] == {
        "recommendations": 2,
        "batch": 1,
        "market": 1,
        "partner": 1,
        "other": 0,
    }
    assert usage["requests_today_total"] == 5
    window = usage["rate_limit"]
    assert window["limit"] == 6000 and window["window_seconds"] == 60
    assert 1 <= window["used"] <= 5  # the window may have rolled over during the test
    assert window["remaining"] == window["limit"] - window["used"]
    assert 1 <= window["resets_in_seconds"] <= 60
    assert "key" not in usage and issued["key"] not in answer.text  # never a secret


def test_usage_shows_the_expiry_and_is_for_partner_keys_only(
    stack: Stack, admin_api: httpx.Client, api: httpx.Client, anon: httpx.Client
) -> None:
    ends = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    issued = admin_api.post(
        "/api/v1/admin/keys",
        json={"name": "expiring", "scopes": ["market:read"], "expires_at": ends.isoformat()},
    ).json()
    with _with_key(stack.url, issued["key"]) as client:
        usage = client.get("/api/v1/partner/usage").json()
    assert datetime.fromisoformat(usage["expires_at"]) == ends
    # a signed-in user, an admin and nobody at all: refused, with the error body
    for caller, status in ((api, 403), (admin_api, 403), (anon, 401)):
        for method, path in (("GET", "/api/v1/partner/usage"), ("POST", "/api/v1/partner/keys/rotate")):
            answer = caller.request(method, path)
            assert answer.status_code == status, (method, path, answer.text)
            body = answer.json()
            assert body.get("status", body.get("status_code")) == status
    for header in (
        {"Authorization": "Bearer nonsense"},
        {"Authorization": "Basic abc"},
        {"X-API-Key": "cpk_x"},
    ):
        answer = anon.get("/api/v1/partner/usage", headers=header)
        assert answer.status_code == 401, (header, answer.text)


def test_rotation_issues_one_successor_and_the_old_key_works_in_its_grace_period(
    stack: Stack, admin_api: httpx.Client
) -> None:
    old, issued = partner(stack.url, admin_api, BOTH)
    with old:
        assert old.post("/api/v1/recommendations", json=CANDIDATE).status_code == 200
        answer = old.post("/api/v1/partner/keys/rotate")
        assert answer.status_code == 201, answer.text
        rotation = answer.json()
        new_key, new, previous = rotation["key"], rotation["api_key"], rotation["previous"]
        assert new_key.startswith("cpk_") and new_key != issued["key"]
        assert new["scopes"] == BOTH and new["name"] == issued["api_key"]["name"]
        assert new["replaces"] == previous["id"] == issued["api_key"]["id"]
        assert previous["replaced_by"] == new["id"]
        retires = datetime.fromisoformat(previous["retires_at"])
        assert retires > datetime.now(UTC) + timedelta(hours=23)  # the default grace: a day
        # the old key still works, and says when it stops
        assert old.post("/api/v1/recommendations", json=CANDIDATE).status_code == 200
        old_usage = old.get("/api/v1/partner/usage").json()
        assert old_usage["replaced_by"] == new["id"] and old_usage["retires_at"] is not None
        # a replay with the old key: refused, the one successor stays the only one
        replay = old.post("/api/v1/partner/keys/rotate")
        assert replay.status_code == 409, replay.text
        assert new["id"] in replay.json()["detail"]
    with _with_key(stack.url, new_key) as fresh:
        assert fresh.get("/api/v1/market").status_code == 200
        usage = fresh.get("/api/v1/partner/usage").json()
        # the counts and the rate limit follow the partner: the old key's requests are counted too
        assert usage["partner_id"] == issued["api_key"]["id"] and usage["replaces"] == issued["api_key"]["id"]
        assert usage["requests_today"]["recommendations"] == 2 and usage["requests_today"]["market"] == 1
        # the new key cannot rotate while the old one is in its grace period
        early = fresh.post("/api/v1/partner/keys/rotate")
        assert early.status_code == 409, early.text
    audit = admin_api.get("/api/v1/admin/audit", params={"limit": 200}).json()
    mine = [e for e in audit if issued["api_key"]["id"] in (e["target"], *map(str, e["detail"].values()))]
    actions = sorted(
        e["action"] for e in mine if e["action"] != "api_key_issued" or e["detail"].get("replaces")
    )
    assert actions == ["api_key_issued", "api_key_rotated", "api_key_rotation_refused"]
    rotated = next(e for e in mine if e["action"] == "api_key_rotated")
    assert (
        rotated["actor"] == f"api_key:{issued['api_key']['id']}"
        and rotated["detail"]["successor"] == new["id"]
    )
    refused = [e for e in audit if e["action"] == "api_key_rotation_refused" and e["target"] == new["id"]]
    assert len(refused) == 1
    text = json.dumps(audit)
    assert issued["key"] not in text and new_key not in text  # never a secret


def test_revoked_and_expired_keys_cannot_rotate(stack: Stack, admin_api: httpx.Client) -> None:
    client, issued = partner(stack.url, admin_api, BOTH)
    with client:
        key = issued["api_key"]
        revoked = admin_api.delete(f"/api/v1/admin/keys/{key['id']}", params={"confirm": key["name"]})
        assert revoked.status_code == 200
        assert client.post("/api/v1/partner/keys/rotate").status_code == 401
    ends = datetime.now(UTC) + timedelta(seconds=2)
    expiring = admin_api.post(
        "/api/v1/admin/keys", json={"name": "short", "scopes": BOTH, "expires_at": ends.isoformat()}
    ).json()
    time.sleep(max(0.0, (ends - datetime.now(UTC)).total_seconds()) + 0.5)  # let it expire (not a budget)
    with _with_key(stack.url, expiring["key"]) as client:
        answer = client.post("/api/v1/partner/keys/rotate")
    assert answer.status_code == 401, answer.text
    listed = admin_api.get("/api/v1/admin/keys", params={"limit": 200}).json()
    assert not [k for k in listed if k["replaces"] in (issued["api_key"]["id"], expiring["api_key"]["id"])]


def test_the_old_key_stops_when_its_grace_period_ends(tight_stack: Stack, admin_email: str) -> None:
    """CAREERPATH_KEY_ROTATION_GRACE_SECONDS=3 here: the old key works, then (gateway cache included) not."""
    admin = log_in(tight_stack.url, admin_email)
    try:
        old, _ = partner(tight_stack.url, admin, BOTH)
    finally:
        admin.close()
    try:
        rotation = old.post("/api/v1/partner/keys/rotate").json()
        retires = datetime.fromisoformat(rotation["previous"]["retires_at"])
        first = old.get("/api/v1/partner/usage")  # cached by the gateway from here on
        if datetime.now(UTC) < retires:  # a stalled machine may have passed the end already
            assert first.status_code == 200, first.text
        time.sleep(max(0.0, (retires - datetime.now(UTC)).total_seconds()) + 0.5)
        answer = old.get("/api/v1/partner/usage")
        assert answer.status_code == 401, answer.text
    finally:
        old.close()
    with _with_key(tight_stack.url, rotation["key"]) as fresh:
        usage = fresh.get("/api/v1/partner/usage").json()
        assert usage["rate_limit"]["limit"] == TIGHT_RATE_PER_MINUTE
        assert fresh.post("/api/v1/partner/keys/rotate").status_code == 201  # its predecessor has retired
