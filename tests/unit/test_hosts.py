"""The gateway's Host check: Litestar's allowed-hosts middleware, with the port and case ignored."""

from __future__ import annotations

import pytest
from litestar import Litestar, get
from litestar.testing import TestClient

from services.gateway.hosts import allowed_hosts_middleware, host_name
from shared.web.middleware import with_request_ids


@get("/x", sync_to_thread=False)
def _x() -> str:
    return "ok"


@get("/healthz", sync_to_thread=False)
def _healthz() -> str:
    return "ok"


def _client(*allowed: str) -> TestClient[Litestar]:
    app = Litestar([_x, _healthz], middleware=[allowed_hosts_middleware(allowed)])
    return TestClient(with_request_ids(app))


@pytest.mark.parametrize(
    ("host", "name"),
    [
        ("Example.COM:8000", "example.com"),
        ("localhost", "localhost"),
        ("[::1]:80", "[::1]"),
        ("[::1]", "[::1]"),
    ],
)
def test_host_name_drops_the_port_and_case(host: str, name: str) -> None:
    assert host_name(host) == name


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("localhost", 200),
        ("LOCALHOST:8123", 200),
        ("app.localhost:9", 200),
        ("localhost.evil", 400),
        ("evilocalhost", 400),
        ("", 400),
        ("www.localhost.example", 400),
    ],
)
def test_hosts_are_matched_whatever_the_port(host: str, status: int) -> None:
    with _client("localhost", "*.localhost") as client:
        assert client.get("/x", headers={"Host": host}).status_code == status


def test_refusal_is_the_api_error_body_and_probes_pass() -> None:
    with _client("example.com") as client:
        answer = client.get("/x", headers={"Host": "evil.example"})
        assert answer.status_code == 400
        assert answer.headers["content-type"] == "application/problem+json"
        body = answer.json()
        assert (body["status"], body["code"], body["type"], body["detail"], body["instance"]) == (
            400,
            "bad_request",
            "/problems/bad_request",
            "invalid Host header",
            "/x",
        )
        assert body["request_id"] == answer.headers["x-request-id"]
        assert client.get("/healthz", headers={"Host": "10.0.0.7:8000"}).status_code == 200


def test_a_star_allows_any_host() -> None:
    with _client("*") as client:
        assert client.get("/x", headers={"Host": "anything.example"}).status_code == 200
