"""The typed internal clients: each operation's method, path, owner header and decoded contract."""

from __future__ import annotations

from typing import Any

import msgspec

from shared.clients.profile import ProfileClient, StoredProfile
from shared.clients.recommender import RecommenderClient
from shared.contracts.accounts import AuditEvent, NewUser
from shared.contracts.market import RollbackRequest
from shared.contracts.profiles import ProfileWrite
from shared.contracts.recommendations import RecommendationRequest
from shared.http import Headers
from shared.http import Response as Answer

OWNER = "7d1f3c9e-5b1a-4c1e-9a57-3f8e0f6f1c2b"
PROFILE = {
    "id": "0b0e5c43-6a8b-4a57-9f8e-0f6f1c2b3a4d",
    "display_name": "Ada",
    "skills": {"python": 3},
    "years_experience": 4.1,
    "target_role": None,
    "version": 2,
    "created_at": "2026-01-01T00:00:00Z",
    "updated_at": "2026-01-02T00:00:00Z",
    "added_later": True,  # service-to-service answers tolerate unknown fields
}


class FakeTransport:
    """Records each call and answers with the next canned ``(status, headers, body)``."""

    def __init__(self, *answers: tuple[int, dict[str, str], Any]) -> None:
        self.answers = list(answers)
        self.calls: list[dict[str, Any]] = []

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Answer:
        self.calls.append(
            {"method": method, "path": path, "json": json, "headers": headers, "params": params}
        )
        status, sent_headers, body = self.answers.pop(0)
        raw = [(k.encode(), v.encode()) for k, v in sent_headers.items()]
        content = body if isinstance(body, bytes) else msgspec.json.encode(body)
        return Answer(status, Headers(raw), content)


async def test_profile_operations_own_path_method_and_owner_header() -> None:
    transport = FakeTransport((201, {"ETag": '"2"'}, PROFILE), (200, {}, None))
    client = ProfileClient(transport)
    write = ProfileWrite(display_name="Ada", skills={"python": 3})

    stored = await client.create_profile(write, OWNER, idempotency_key="k1")
    await client.delete_profile(PROFILE["id"], OWNER, if_match=None)

    assert isinstance(stored, StoredProfile)
    assert (stored.profile.version, stored.etag, stored.status_code) == (2, '"2"', 201)
    assert stored.profile.years_experience == 4.1
    create, remove = transport.calls
    assert (create["method"], create["path"], create["json"]) == ("POST", "/profiles/", write)
    assert create["headers"] == {"x-owner-id": OWNER, "idempotency-key": "k1"}
    assert (remove["method"], remove["path"]) == ("DELETE", f"/profiles/{PROFILE['id']}")
    assert remove["headers"] == {"x-owner-id": OWNER}  # no If-Match sent when none was given


async def test_history_sends_the_cursor_only_when_given() -> None:
    page = {"profile_id": "p1", "assessments": [], "next_before": None}
    transport = FakeTransport((200, {}, page), (200, {}, page))
    client = ProfileClient(transport)

    await client.history("p1", OWNER, 50)
    await client.history("p1", OWNER, 200, before=251)

    assert [c["params"] for c in transport.calls] == [{"limit": 50}, {"limit": 200, "before": 251}]
    assert {c["path"] for c in transport.calls} == {"/profiles/p1/assessments"}


async def test_account_and_audit_operations() -> None:
    user = {"id": OWNER, "email": "ada@example.com", "role": "user", "created_at": "2026-01-01T00:00:00Z"}
    transport = FakeTransport(
        (201, {}, user), (204, {}, b""), (200, {}, {"api_key": _key(), "key_hash": "h"})
    )
    client = ProfileClient(transport)

    created = await client.create_user(
        NewUser(email="ada@example.com", password="correct horse", role="user")
    )
    await client.audit(AuditEvent(actor="ada", action="signup"))
    revoked = await client.revoke_key("k1")

    assert created.email == "ada@example.com"
    assert revoked.key_hash == "h"
    assert [(c["method"], c["path"]) for c in transport.calls] == [
        ("POST", "/users"),
        ("POST", "/audit"),
        ("DELETE", "/keys/k1"),
    ]


async def test_recommender_passes_its_bytes_through_unchanged() -> None:
    body = b'{"roles":[],"target_role":"x","unknown":1}'
    transport = FakeTransport((200, {}, body), (200, {}, body), (200, {}, {"current": "v2", "versions": []}))
    client = RecommenderClient(transport)
    request = RecommendationRequest(skills={"python": 3})

    assert await client.recommend_json(request) is body
    assert await client.market_figures_json() is body
    versions = await client.rollback(RollbackRequest(version="v2"))

    assert versions.current == "v2"
    assert [(c["method"], c["path"]) for c in transport.calls] == [
        ("POST", "/recommendations/"),
        ("GET", "/market/figures"),
        ("POST", "/market/rollback"),
    ]
    assert transport.calls[0]["json"] is request


def _key() -> dict[str, Any]:
    return {"id": "k1", "name": "n", "prefix": "cpk_ab", "scopes": [], "created_at": "2026-01-01T00:00:00Z"}


async def test_pages_from_a_profile_service_before_the_cursor_still_carry_next_cursor() -> None:
    history = {"profile_id": "p1", "assessments": [], "next_before": 7}
    runs = {"items": [], "next_before": "3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d"}
    client = ProfileClient(FakeTransport((200, {}, history), (200, {}, runs)))

    page = await client.history("p1", OWNER, 50)
    run_page = await client.refresh_runs(20)

    assert (page.next_before, page.next_cursor) == (7, "7")
    assert run_page.next_cursor == run_page.next_before == runs["next_before"]


async def test_admin_market_versions_from_a_recommender_sending_unix_times_decode_as_utc() -> None:
    old = {
        "current": "v1",
        "versions": [
            {
                "version": "v1",
                "source": "s",
                "as_of": "2024-05-31",
                "published_at": 1777887000.0,
                "current": True,
            }
        ],
    }
    client = RecommenderClient(FakeTransport((200, {}, old)))

    versions = await client.market_versions()

    published = versions.versions[0].published_at
    assert published is not None and published.isoformat() == "2026-05-04T09:30:00+00:00"
    assert msgspec.json.encode(published) == b'"2026-05-04T09:30:00Z"'
