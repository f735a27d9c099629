"""Partners read demand over time: GET /api/v1/market/series after a refresh of dated postings, through
the whole stack (gateway, recommender, profile, worker, Redis, PostgreSQL); bad parameters are 4xx naming
the parameter: 422 for ids that are not the catalogue's, 400 for a value longer than the schema allows."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.conftest import worker_stack
from tests.e2e.helpers import create_admin, log_in, partner
from tests.refresh_support import fresh_database, jsonl, wait_run
from tools.supervisor.stack import Stack

pytestmark = pytest.mark.e2e
RUNS = "/api/v1/admin/market/runs"
SERIES = "/api/v1/market/series"


def _dated() -> list[dict]:
    """Four months of 40 postings; Kubernetes in 10, 20, 30, 40 of them; 5 undated."""
    out: list[dict] = []
    for month, k8s in ((3, 10), (4, 20), (5, 30), (6, 40)):
        for i in range(40):
            text = "Go, Kubernetes and Terraform" if i < k8s else "Go and Terraform"
            out.append(
                {
                    "id": f"m{month}-{i}",
                    "title": "Cloud Engineer",
                    "description": text,
                    "posted_date": f"2025-{month:02d}-{1 + i % 28:02d}",
                }
            )
    out += [{"id": f"u{i}", "title": "Cloud Engineer", "description": "Go"} for i in range(5)]
    return out


@pytest.fixture(scope="module")
def db(database_server: str) -> Iterator[str]:
    url, drop = fresh_database(database_server, "series")
    yield url
    drop()


@pytest.fixture(scope="module")
def stack(infra, db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    sources = {"dated.jsonl": jsonl(_dated())}
    with worker_stack(infra, db, tmp_path_factory.mktemp("series-logs"), "series:", sources) as running:
        yield running


@pytest.fixture(scope="module")
def reader(stack: Stack, db: str) -> Iterator[httpx.Client]:
    email = f"series-admin-{secrets.token_hex(4)}@example.com"
    create_admin(db, email)
    admin = log_in(stack.url, email)
    answer = admin.post("/api/v1/admin/market/refresh", json={"source": "file:dated.jsonl"})
    assert answer.status_code == 202, answer.text
    run = wait_run(admin, answer.json()["id"], path=RUNS, timeout=60)
    assert run["status"] == "succeeded", run
    client, _ = partner(stack.url, admin, ["market:read"])
    yield client
    client.close()
    admin.close()


def test_the_series_of_the_live_version_month_by_month(reader: httpx.Client) -> None:
    answer = reader.get(SERIES, params={"skills": "kubernetes,go,rust", "roles": "cloud-engineer"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["months"] == ["2025-03", "2025-04", "2025-05", "2025-06"]
    assert body["postings"] == [40, 40, 40, 40] and body["undated"] == 5
    assert body["skills"]["kubernetes"] == {"postings": [10, 20, 30, 40], "demand": [0.25, 0.5, 0.75, 1.0]}
    assert body["skills"]["go"]["postings"] == [40, 40, 40, 40]
    assert body["skills"]["rust"] == {"postings": [0, 0, 0, 0], "demand": [0.0, 0.0, 0.0, 0.0]}
    assert set(body["skills"]) == {"kubernetes", "go", "rust"}
    assert body["roles"] == {"cloud-engineer": [40, 40, 40, 40]}
    assert body["market"]["as_of"] == "2025-06-28" and body["attribution"]
    figures = reader.get("/api/v1/market").json()
    assert figures["market"]["version"] == body["market"]["version"]
    # the trend is read off the series: share 0.25 -> 1.0 on a line, over a mean of 0.625
    assert figures["skills"]["kubernetes"]["trend"] == 1.2 and figures["skills"]["go"]["trend"] == 0.0


def test_without_parameters_every_skill_and_role_seen(reader: httpx.Client) -> None:
    body = reader.get(SERIES).json()
    assert {"kubernetes", "go", "terraform"} <= set(body["skills"]) and "rust" not in body["skills"]
    assert list(body["roles"]) == ["cloud-engineer"]


@pytest.mark.parametrize(
    ("params", "status", "field", "words"),
    [
        ({"skills": "kubernetes,nope"}, 422, "skills", "unknown skill id: 'nope'"),
        ({"skills": ""}, 422, "skills", "separated by commas"),
        ({"skills": "go,,sql"}, 422, "skills", "none empty"),
        ({"skills": ",".join(["go"] * 51)}, 422, "skills", "at most 50"),
        ({"roles": "astronaut"}, 422, "roles", "unknown role id"),
        ({"skills": "x" * 1501}, 400, "skills", None),
    ],
)
def test_bad_parameters_are_refused_naming_the_parameter(
    reader: httpx.Client, params: dict, status: int, field: str, words: str | None
) -> None:
    answer = reader.get(SERIES, params=params)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    errors = answer.json()["errors"]
    assert [e["field"] for e in errors] == [field], errors
    assert answer.json()["code"] == ("unprocessable" if status == 422 else "validation_error")
    if words:
        assert words in errors[0]["message"]


def test_the_series_needs_the_market_read_scope(stack: Stack, reader: httpx.Client) -> None:
    assert httpx.get(stack.url + SERIES).status_code == 401
