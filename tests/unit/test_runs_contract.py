"""The worker's runs client: the profile service's answers mapped to what a Celery task retries or not."""

from __future__ import annotations

import httpx
import msgspec
import pytest

from services.worker.refresh import TRANSIENT
from shared.contracts.runs import (
    FinishRequest,
    LeaseAnswer,
    ProfileUnavailable,
    RunClaim,
    RunCounts,
    RunsClient,
    RunsRefused,
)

RUN = "0b0e5c43-6a8b-4a57-9f8e-0f6f1c2b3a4d"


def _client(handler) -> RunsClient:  # type: ignore[no-untyped-def]
    client = RunsClient("http://profile.test", "s" * 24)
    client.http = httpx.Client(
        base_url="http://profile.test", transport=httpx.MockTransport(handler), headers=client.http.headers
    )
    return client


def test_calls_carry_the_service_credential_and_contract_json() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"held": True, "added_later": 1})  # an unknown field is tolerated

    with _client(handler) as runs:
        assert runs.heartbeat(RUN, "w1", "validating", RunCounts(read=3, accepted=2, rejected=1))
    request = seen[0]
    assert request.method == "POST" and request.url.path == f"/market/runs/{RUN}/heartbeat"
    assert request.headers["x-service-token"] == "s" * 24
    body = msgspec.json.decode(request.content)
    assert body["worker"] == "w1" and body["counts"]["read"] == 3


def test_an_unclaimable_run_comes_back_as_it_is() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"claimed": False, "run": None})

    with _client(handler) as runs:
        assert runs.claim(RUN, "w1", 30) == RunClaim(claimed=False, run=None)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_5xx_answer_is_transient(status: int) -> None:
    with _client(lambda request: httpx.Response(status, json={})) as runs, pytest.raises(ProfileUnavailable):
        runs.release(RUN, "w1", "boom")
    assert issubclass(ProfileUnavailable, ConnectionError) and issubclass(ProfileUnavailable, TRANSIENT)


def test_an_unreachable_profile_service_is_transient() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with _client(handler) as runs, pytest.raises(ProfileUnavailable):
        runs.reap(30, 3, 3600)


@pytest.mark.parametrize("status", [400, 401, 404])
def test_a_refusal_is_final(status: int) -> None:
    with _client(lambda request: httpx.Response(status, json={})) as runs, pytest.raises(RunsRefused):
        runs.finish(RUN, FinishRequest(worker="w1", error="x"))
    assert not issubclass(RunsRefused, TRANSIENT)


def test_lease_answer_tolerates_unknown_fields() -> None:
    assert msgspec.json.decode(b'{"held": false, "new": [1]}', type=LeaseAnswer) == LeaseAnswer(held=False)
