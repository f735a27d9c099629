"""The recommender or the profile process killed under load, then started again; the recommender stalled.

The gateway answers 503 naming the missing service (with Retry-After) within its timeout, the other
service's routes keep answering 200 throughout, and the restarted (or resumed) service is used again
without touching the gateway.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from services.gateway.settings import GatewaySettings
from shared.settings import load_settings
from tests.e2e.helpers import sign_up
from tests.faults.conftest import Servers, running_stack
from tests.faults.load import Load, Sample
from tests.faults.writers import session_headers
from tools.supervisor.stack import Stack

pytestmark = pytest.mark.faults

ENV = {"CAREERPATH_UPSTREAM_TIMEOUT": "2", "CAREERPATH_UPSTREAM_CONNECT_TIMEOUT": "0.5"}
GATEWAY = load_settings(GatewaySettings, ENV)
# What the gateway promises for its own time (Server-Timing), whatever the client: its upstream timeout,
# plus 0.5 s for its event loop to get a core and run the timer on a busy two-core machine.
BUDGET = GATEWAY.upstream_timeout + 0.5
DOWN_S = 3.0
ROUTE = {"/api/v1/recommendations": "recommender"}


@pytest.fixture(scope="module")
def stack(servers: Servers, log_dir: Path) -> Iterator[Stack]:
    with running_stack(servers, log_dir, **ENV) as running:
        yield running


def _keep(response: httpx.Response) -> tuple[str, str | None]:
    """(which service the route needs, the error detail if any)."""
    service = ROUTE.get(response.request.url.path, "profile")
    detail = response.json().get("detail") if response.status_code >= 400 else None
    return service, detail


def _mixed_load(stack: Stack) -> Callable[[httpx.AsyncClient, int], object]:
    """A signed-in user alternately asking for recommendations and reading their profile."""
    client = sign_up(stack.url)
    headers = session_headers(client)
    made = client.post("/api/v1/profiles", json={"display_name": "Under load", "skills": {"python": 3}})
    assert made.status_code == 201, made.text
    profile_id = made.json()["id"]
    client.close()

    async def send(http: httpx.AsyncClient, i: int) -> httpx.Response:
        if i % 2:
            return await http.get(f"/api/v1/profiles/{profile_id}", headers=headers)
        return await http.post("/api/v1/recommendations", json={"skills": {"python": 3}}, headers=headers)

    return send


def _signal(stack: Stack, name: str, signum: signal.Signals) -> None:
    proc = stack.services[name].proc
    assert proc is not None
    os.killpg(proc.pid, signum)


@pytest.mark.parametrize(
    ("victim", "fault"), [("recommender", "kill"), ("profile", "kill"), ("recommender", "stall")]
)
def test_a_service_killed_or_stalled(
    stack: Stack, victim: str, fault: str, report: Callable[[str], None]
) -> None:
    def served_by(service: str) -> Callable[[Sample], bool]:
        return lambda s: s.kept[0] == service and s.status == 200

    with Load(stack.url, _mixed_load(stack), rate=30, keep=_keep) as load:
        load.wait_for(served_by(victim), after=time.monotonic(), timeout=10)
        time.sleep(1.0)
        faulted = time.monotonic()
        if fault == "kill":
            stack.services[victim].kill()
        else:
            _signal(stack, victim, signal.SIGSTOP)
        time.sleep(DOWN_S)
        restarting = time.monotonic()
        if fault == "kill":
            stack.services[victim].start().wait_healthy(30)
        else:
            _signal(stack, victim, signal.SIGCONT)
        recovered = load.wait_for(served_by(victim), after=restarting, timeout=15)
        time.sleep(1.0)
    samples = load.snapshot()
    mine = [s for s in samples if s.kept[0] == victim]
    others = [s for s in samples if s.kept[0] != victim]
    report(
        load.figures(
            f"{victim}-{fault}",
            recovered.ended - restarting,
            down_s=DOWN_S,
            other_routes_non_2xx=sum(1 for s in others if s.status != 200),
            budget_s=BUDGET,
        )
    )
    assert not [s for s in samples if s.status == 0], "a request got no answer"
    assert all(s.status == 200 for s in others), [(s.status, s.kept) for s in others if s.status != 200][:5]
    assert all(s.status in (200, 503) for s in mine), {s.status for s in mine}
    down = [s for s in mine if s.status == 503]
    assert down and all(victim in (s.kept[1] or "") and s.retry_after for s in down), down[:3]
    held = [s.server for s in samples]
    assert all(t is not None and t <= BUDGET for t in held), max(t or 0.0 for t in held)
    assert all(s.status == 503 for s in mine if faulted + 0.2 <= s.started and s.ended <= restarting)
    assert all(s.status == 200 for s in samples[-10:]), samples[-10:]
