"""A Celery worker SIGKILLed in the middle of a refresh while partners read market figures.

Readers never see a mix of two versions (every read of a version is the same document, and each document
matches its source); the lost run is retried by the next worker (or failed), never left running; the
refreshes after it publish under the same load.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.faults.conftest import Servers, admin_client, partner_client, running_stack
from tests.faults.load import Load
from tests.refresh_support import FeedServer, jsonl, postings, wait_run
from tools.supervisor.stack import Stack

pytestmark = pytest.mark.faults

RUNS = "/api/v1/admin/market/runs"
# what each source's document must say: (python, java, kubernetes) demand
EXPECTED = {"python.jsonl": (1.0, 0.0, 0.0), "java.jsonl": (0.0, 1.0, 0.0), "slow.jsonl": (0.0, 0.0, 1.0)}
SLOW_CHUNK = jsonl(
    [{k: v for k, v in p.items() if k != "id"} for p in postings("Go, Kubernetes and Terraform", 3)]
)


@pytest.fixture(scope="module")
def stack(servers: Servers, log_dir: Path) -> Iterator[Stack]:
    sources = log_dir / "sources"
    sources.mkdir()
    (sources / "python.jsonl").write_bytes(jsonl(postings("Python and PostgreSQL", 20)))
    (sources / "java.jsonl").write_bytes(jsonl(postings("Java with Spring Boot", 20, title="Data Engineer")))
    env = {
        "CAREERPATH_SOURCE_FILE_ROOTS": str(sources),
        "CAREERPATH_SOURCE_ALLOW_NETWORKS": "127.0.0.1/32",
        "CAREERPATH_SOURCE_TIMEOUT": "20",
        "CAREERPATH_LEASE_SECONDS": "2",
        "CAREERPATH_MAX_ATTEMPTS": "3",
        "CAREERPATH_BEAT_SCHEDULE_FILE": str(log_dir / "beat-schedule"),
    }
    with running_stack(servers, log_dir, with_worker=True, **env) as running:
        yield running


def _figures(response: httpx.Response) -> tuple[str, str, tuple[float, float, float], str] | str:
    """(version, source, expected-demand triple, digest of the figures) or the error detail."""
    body = response.json()
    if response.status_code != 200:
        return str(body.get("detail"))
    skills = body["skills"]
    demand = tuple(float(skills[s]["demand"]) for s in ("python", "java", "kubernetes"))
    digest = hashlib.sha256(json.dumps([skills, body["roles"]], sort_keys=True).encode()).hexdigest()
    return body["market"]["version"], body["market"]["source"], demand, digest


def _mixed(kept: list[tuple[str, str, tuple[float, float, float], str]]) -> list[str]:
    """Reads that disagree with another read of the same version, or with their own source."""
    problems: list[str] = []
    first: dict[str, str] = {}
    for version, source, demand, digest in kept:
        if first.setdefault(version, digest) != digest:
            problems.append(f"{version}: two different documents")
        for name, expected in EXPECTED.items():
            if source.endswith(name) and demand != expected:
                problems.append(f"{version} from {source}: demand {demand}, expected {expected}")
    return problems


def _refresh(admin: httpx.Client, source: str) -> dict:
    answer = admin.post("/api/v1/admin/market/refresh", json={"source": source})
    assert answer.status_code == 202, answer.text
    return answer.json()


def test_worker_killed_mid_refresh_under_reads(
    stack: Stack, servers: Servers, report: Callable[[str], None]
) -> None:
    admin = admin_client(stack, servers)
    reader = partner_client(stack, servers, ["market:read"])
    headers = {"Authorization": reader.headers["authorization"]}
    reader.close()

    async def read(http: httpx.AsyncClient, i: int) -> httpx.Response:
        return await http.get("/api/v1/market", headers=headers)

    try:
        assert wait_run(admin, _refresh(admin, "file:java.jsonl")["id"], path=RUNS)["status"] == "succeeded"
        with FeedServer() as feed, Load(stack.url, read, rate=25, keep=_figures) as load:
            slow = feed.stream("/slow.jsonl", 40, SLOW_CHUNK, pause=0.1, first_only=True)
            before = admin.get("/api/v1/admin/market/versions").json()["current"]
            run = _refresh(admin, slow)
            deadline = time.monotonic() + 15
            while (
                feed.hits["/slow.jsonl"] == 0
                or admin.get(f"{RUNS}/{run['id']}").json()["status"] != "running"
            ):
                assert time.monotonic() < deadline, "the run never started"
                time.sleep(0.05)
            time.sleep(0.5)
            stack.services["worker"].kill()  # the worker's whole process group, pool processes included
            killed = time.monotonic()
            time.sleep(1.0)
            current = admin.get("/api/v1/admin/market/versions").json()["current"]
            assert current == before  # nothing half-published
            stack.services["worker"].start().wait_healthy(60)
            lost = wait_run(admin, run["id"], timeout=30, path=RUNS)
            recover_s = time.monotonic() - killed
            after = [
                wait_run(admin, _refresh(admin, f"file:{name}.jsonl")["id"], path=RUNS)
                for name in ("python", "java", "python")
            ]
            time.sleep(1.0)
    finally:
        admin.close()
    samples = load.snapshot()
    kept = [s.kept for s in samples if s.status == 200]
    problems = _mixed(kept)
    report(
        load.figures(
            "worker-kill",
            recover_s,
            versions_seen=len({k[0] for k in kept}),
            mixed=len(problems),
            lost_run=lost["status"],
            attempts=lost["attempts"],
        )
    )
    assert not problems, problems[:5]
    assert all(s.status == 200 for s in samples), {
        (s.status, str(s.kept)) for s in samples if s.status != 200
    }
    assert lost["status"] in ("succeeded", "failed"), lost
    if lost["status"] == "succeeded":
        assert lost["attempts"] == 2
    assert all(r["status"] == "succeeded" for r in after), after
    assert len({k[0] for k in kept}) >= 3  # the readers saw the refreshes happen
