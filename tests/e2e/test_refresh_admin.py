"""Acceptance: an admin triggers a refresh through the gateway, watches it succeed, and recommendations then
report the new market-data version (no restart); versions can be listed and rolled back; admins only."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.conftest import worker_stack
from tests.e2e.helpers import create_admin, log_in, partner, sign_up
from tests.refresh_support import fresh_database, jsonl, postings, wait_run
from tools.supervisor.stack import Stack

pytestmark = pytest.mark.e2e
RUNS = "/api/v1/admin/market/runs"
SKILLS = {"skills": {"python": 2, "sql": 2}}


@pytest.fixture(scope="module")
def market_db(database_server: str) -> Iterator[str]:
    """Its own database, so runs queued by other tests (with no worker to run them) cannot block these."""
    url, drop = fresh_database(database_server, "market")
    yield url
    drop()


@pytest.fixture(scope="module")
def market_stack(infra, market_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    sources = {
        "postings.jsonl": jsonl(postings("Go, Kubernetes, Terraform and AWS", 40, "Cloud Engineer")),
        "synthetic.jsonl": jsonl(
            [{**p, "synthetic": True} for p in postings("Rust and Kafka", 30, "Data Engineer")]
        ),
    }
    with worker_stack(infra, market_db, tmp_path_factory.mktemp("market-logs"), "mkt:", sources) as running:
        yield running


@pytest.fixture(scope="module")
def market_admin_email(market_db: str) -> str:
    email = f"market-admin-{secrets.token_hex(4)}@example.com"
    create_admin(market_db, email)
    return email


@pytest.fixture
def admin(market_stack: Stack, market_admin_email: str) -> Iterator[httpx.Client]:
    client = log_in(market_stack.url, market_admin_email)
    yield client
    client.close()


def _market_version(client: httpx.Client) -> str:
    answer = client.post("/api/v1/recommendations", json=SKILLS)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["market"]["version"])


def test_admin_refresh_then_recommendations_report_the_new_version_and_rollback_restores(
    admin: httpx.Client, market_admin_email: str
) -> None:
    before = _market_version(admin)
    answer = admin.post("/api/v1/admin/market/refresh", json={"source": "file:postings.jsonl"})
    assert answer.status_code == 202, answer.text
    assert answer.headers["location"] == f"{RUNS}/{answer.json()['id']}"
    run = wait_run(admin, answer.json()["id"], path=RUNS)
    assert run["status"] == "succeeded" and run["requested_by"] == market_admin_email, run
    assert run["version"] != before and run["previous_version"] == before

    assert _market_version(admin) == run["version"]
    figures = admin.get("/api/v1/market").json()
    assert figures["market"]["version"] == run["version"] and figures["skills"]["kubernetes"]["demand"] == 1.0
    assert figures["roles"]["cloud-engineer"]["openings"] == 40

    versions = admin.get("/api/v1/admin/market/versions").json()
    assert versions["current"] == run["version"]
    assert {before, run["version"]} <= {v["version"] for v in versions["versions"]}
    published = next(v["published_at"] for v in versions["versions"] if v["version"] == run["version"])
    assert isinstance(published, str) and published.endswith("Z")  # ISO 8601 UTC, like every timestamp
    assert dt.datetime.fromisoformat(published) >= dt.datetime.fromisoformat(run["created_at"]).replace(
        microsecond=0
    )
    assert any(r["id"] == run["id"] for r in admin.get(RUNS).json()["items"])

    rolled = admin.post("/api/v1/admin/market/rollback", json={"version": before, "confirm": before})
    assert rolled.status_code == 200 and rolled.json()["current"] == before
    assert _market_version(admin) == before


def test_a_refresh_from_synthetic_data_is_kept_but_made_live_only_when_confirmed(admin: httpx.Client) -> None:
    before = _market_version(admin)
    answer = admin.post("/api/v1/admin/market/refresh", json={"source": "file:synthetic.jsonl"})
    run = wait_run(admin, answer.json()["id"], path=RUNS)
    assert run["status"] == "succeeded" and run["version"] not in (None, before), run
    assert run["previous_version"] == before
    assert _market_version(admin) == before  # not live
    versions = admin.get("/api/v1/admin/market/versions").json()
    kept = {v["version"]: v for v in versions["versions"]}
    assert versions["current"] == before and kept[run["version"]]["synthetic"] is True

    switch = {"version": run["version"], "confirm": run["version"]}
    refused = admin.post("/api/v1/admin/market/rollback", json=switch)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "confirm_synthetic"
    assert _market_version(admin) == before
    moved = admin.post("/api/v1/admin/market/rollback", json={**switch, "confirm_synthetic": True})
    assert moved.status_code == 200 and _market_version(admin) == run["version"]
    back = admin.post("/api/v1/admin/market/rollback", json={"version": before, "confirm": before})
    assert back.status_code == 200 and _market_version(admin) == before


def test_refresh_without_a_source_uses_the_default_source(admin: httpx.Client) -> None:
    assert admin.post("/api/v1/admin/market/refresh").status_code == 400  # the body is required: {}
    answer = admin.post("/api/v1/admin/market/refresh", json={})
    assert answer.status_code == 202, answer.text
    run = wait_run(admin, answer.json()["id"], path=RUNS)
    assert run["source"] == "bundled:real-postings" and run["status"] == "succeeded", run
    assert _market_version(admin) == run["version"]


def test_admin_market_routes_answer_403_to_users_and_partners_401_to_anonymous(
    market_stack: Stack, admin: httpx.Client
) -> None:
    user = sign_up(market_stack.url)
    key_holder, _ = partner(market_stack.url, admin, ["market:read", "recommendations:write"])
    try:
        for client, status in (
            (user, 403),
            (key_holder, 403),
            (httpx.Client(base_url=market_stack.url), 401),
        ):
            assert client.post("/api/v1/admin/market/refresh", json={}).status_code == status
            assert client.get(RUNS).status_code == status
            assert client.get("/api/v1/admin/market/versions").status_code == status
            assert client.post("/api/v1/admin/market/rollback", json={"version": "x"}).status_code == status
    finally:
        user.close()
        key_holder.close()


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("/api/v1/admin/market/refresh", {"source": "ftp://example.com/feed"}, 400, "source"),
        ("/api/v1/admin/market/refresh", {"source": "snapshot", "requested_by": "someone-else"}, 400, None),
        ("/api/v1/admin/market/refresh", {"source": "x" * 5000}, 400, "source"),
        ("/api/v1/admin/market/refresh", {"source": "bundled:nope"}, 400, "source"),
        ("/api/v1/admin/market/refresh", {"source": "usajobs:Foo=1"}, 400, "source"),
        (
            "/api/v1/admin/market/rollback",
            {"version": "never-published", "confirm": "never-published"},
            404,
            None,
        ),
        ("/api/v1/admin/market/rollback", {"version": "../../etc"}, 400, "version"),
        ("/api/v1/admin/market/rollback", {}, 400, "version"),
    ],
)
def test_bad_admin_market_input_is_refused(
    admin: httpx.Client, path: str, body: dict, status: int, field: str | None
) -> None:
    answer = admin.post(path, json=body)
    assert answer.status_code == status, answer.text
    if field:
        assert field in {e["field"] for e in answer.json()["errors"]}
    assert admin.get(f"{RUNS}/00000000-0000-0000-0000-000000000000").status_code == 404


def test_runs_page_with_cursor_and_the_deprecated_before_alike(admin: httpx.Client) -> None:
    for _ in range(2):  # one refresh at a time: each POST returns the queued one or queues another
        wait_run(admin, admin.post("/api/v1/admin/market/refresh", json={}).json()["id"], path=RUNS)
    first = admin.get(RUNS, params={"limit": 1}).json()
    assert first["next_cursor"] is not None and first["next_cursor"] == first["next_before"]
    by_cursor = admin.get(RUNS, params={"limit": 1, "cursor": first["next_cursor"]}).json()
    by_before = admin.get(RUNS, params={"limit": 1, "before": first["next_before"]}).json()
    assert by_cursor == by_before and by_cursor["items"][0]["id"] != first["items"][0]["id"]
    assert admin.get(RUNS, params={"cursor": "not-a-run"}).status_code == 400
