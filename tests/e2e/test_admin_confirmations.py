"""Destructive admin calls need their confirmation through the API itself, not only on the page: revoking a
key repeats its name, making a market-data version live repeats its id, and a synthetic version needs
`confirm_synthetic`. A missing or wrong confirmation is a 4xx naming the field, and nothing changes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.helpers import partner
from tests.e2e.market_versions import kept_versions
from tools.supervisor.stack import Stack

kept = kept_versions  # the fixture
pytestmark = pytest.mark.e2e
SWITCH = "/api/v1/admin/market/rollback"
SKILLS = {"skills": {"python": 2}}


def _live(admin_api: httpx.Client) -> str:
    return str(admin_api.get("/api/v1/admin/market/versions").json()["current"])


def _problem(answer: httpx.Response, status: int, field: str, code: str | None = None) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert field in [e["field"] for e in body["errors"]], body
    if code:
        assert body["code"] == code and body["type"] == f"/problems/{code}", body


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({}, 400, "validation_error"),  # no confirmation at all
        ({"confirm": ""}, 400, "validation_error"),
        ({"confirm": "Acme"}, 422, "confirmation_required"),  # another partner's name
        ({"confirm": "acme hr"}, 422, "confirmation_required"),  # exactly, not case-folded
        ({"confirm": " Acme HR"}, 422, "confirmation_required"),
    ],
)
def test_revoking_a_key_without_its_name_is_refused_and_the_key_keeps_working(
    stack: Stack, admin_api: httpx.Client, params: dict[str, str], status: int, code: str
) -> None:
    issued = admin_api.post(
        "/api/v1/admin/keys", json={"name": "Acme HR", "scopes": ["recommendations:write"]}
    )
    assert issued.status_code == 201, issued.text
    key = issued.json()["api_key"]
    client = httpx.Client(base_url=stack.url, headers={"Authorization": f"Bearer {issued.json()['key']}"})
    with client:
        answer = admin_api.delete(f"/api/v1/admin/keys/{key['id']}", params=params)
        _problem(answer, status, "confirm", code)
        assert client.post("/api/v1/recommendations", json=SKILLS).status_code == 200  # still works
        listed = {k["id"]: k for k in admin_api.get("/api/v1/admin/keys", params={"limit": 200}).json()}
        assert listed[key["id"]]["revoked_at"] is None

        revoked = admin_api.delete(f"/api/v1/admin/keys/{key['id']}", params={"confirm": "Acme HR"})
        assert revoked.status_code == 200 and revoked.json()["revoked_at"], revoked.text
        assert client.post("/api/v1/recommendations", json=SKILLS).status_code == 401


def test_revoking_an_unknown_key_is_404_and_a_revoke_is_audited_with_the_key(
    stack: Stack, admin_api: httpx.Client
) -> None:
    unknown = admin_api.delete(
        "/api/v1/admin/keys/00000000-0000-0000-0000-000000000000", params={"confirm": "x"}
    )
    assert unknown.status_code == 404, unknown.text
    client, issued = partner(stack.url, admin_api, ["market:read"])
    client.close()
    key = issued["api_key"]
    assert (
        admin_api.delete(f"/api/v1/admin/keys/{key['id']}", params={"confirm": key["name"]}).status_code
        == 200
    )
    audit = admin_api.get("/api/v1/admin/audit", params={"action": "api_key_revoked"}).json()
    assert any(e["target"] == key["id"] for e in audit)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ("real-without-confirm", 400, "confirm"),
        ("real-confirming-another", 422, "confirm"),
        ("real-confirming-the-live-one", 422, "confirm"),
        ("synthetic-without-flag", 422, "confirm_synthetic"),
        ("synthetic-flag-false", 422, "confirm_synthetic"),
        ("synthetic-flag-not-a-boolean", 400, "confirm_synthetic"),
        ("unknown-field", 400, "allow_synthetic"),
    ],
)
def test_switching_without_the_confirmation_is_refused_and_the_live_version_stays(
    admin_api: httpx.Client, kept: tuple[str, str, str], body: str, status: int, field: str
) -> None:
    live, real, synthetic = kept
    bodies: dict[str, dict[str, Any]] = {
        "real-without-confirm": {"version": real},
        "real-confirming-another": {"version": real, "confirm": synthetic},
        "real-confirming-the-live-one": {"version": real, "confirm": live},
        "synthetic-without-flag": {"version": synthetic, "confirm": synthetic},
        "synthetic-flag-false": {"version": synthetic, "confirm": synthetic, "confirm_synthetic": False},
        "synthetic-flag-not-a-boolean": {
            "version": synthetic,
            "confirm": synthetic,
            "confirm_synthetic": "yes",
        },
        "unknown-field": {"version": synthetic, "confirm": synthetic, "allow_synthetic": True},
    }
    answer = admin_api.post(SWITCH, json=bodies[body])
    _problem(answer, status, field, "confirmation_required" if status == 422 else None)
    assert _live(admin_api) == live


def test_a_switch_decided_on_a_stale_view_is_409_and_changes_nothing(
    admin_api: httpx.Client, kept: tuple[str, str, str]
) -> None:
    live, real, synthetic = kept
    assert admin_api.post(SWITCH, json={"version": real, "confirm": real}).status_code == 200  # someone else
    stale = {"version": synthetic, "confirm": synthetic, "confirm_synthetic": True, "expected_live": live}
    answer = admin_api.post(SWITCH, json=stale)
    _problem(answer, 409, "expected_live", "conflict")
    assert real in answer.json()["detail"] and _live(admin_api) == real
    fresh = admin_api.post(SWITCH, json={**stale, "expected_live": real})
    assert fresh.status_code == 200 and fresh.json()["current"] == synthetic, fresh.text
    bad = admin_api.post(SWITCH, json={**stale, "expected_live": "../etc"})
    _problem(bad, 400, "expected_live")


def test_confirmed_switches_move_the_live_version_forward_and_to_synthetic_data(
    admin_api: httpx.Client, kept: tuple[str, str, str]
) -> None:
    live, real, synthetic = kept
    listed = {v["version"]: v for v in admin_api.get("/api/v1/admin/market/versions").json()["versions"]}
    assert listed[synthetic]["synthetic"] is True and listed[real]["synthetic"] is False
    assert listed[live]["current"] is True

    moved = admin_api.post(SWITCH, json={"version": real, "confirm": real})  # newer than the live one
    assert moved.status_code == 200 and moved.json()["current"] == real, moved.text
    assert admin_api.post("/api/v1/recommendations", json=SKILLS).json()["market"]["version"] == real

    to_test_data = {"version": synthetic, "confirm": synthetic, "confirm_synthetic": True}
    moved = admin_api.post(SWITCH, json=to_test_data)
    assert moved.status_code == 200 and moved.json()["current"] == synthetic, moved.text
    audit = admin_api.get("/api/v1/admin/audit", params={"action": "market_rollback"}).json()
    entry = next(e for e in audit if e["target"] == synthetic)
    assert entry["detail"]["previous"] == real and entry["detail"]["synthetic"] is True, entry

    back = admin_api.post(SWITCH, json={"version": live, "confirm": live, "confirm_synthetic": True})
    assert back.status_code == 200 and back.json()["current"] == live  # the flag is harmless for real data
