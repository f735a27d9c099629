"""A worker SIGKILLed in the middle of a refresh: nothing half-published; the run never stays "running"."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from shared.catalog import load_catalog
from tests.refresh_support import FeedServer, RefreshServices, jsonl, postings, refresh_services, wait_run

pytestmark = pytest.mark.e2e

CHUNK = jsonl(
    [{k: v for k, v in p.items() if k != "id"} for p in postings("Go, Kubernetes and Terraform", 3)]
)


@pytest.fixture(scope="module")
def svc(
    database_server: str, redis_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RefreshServices]:
    tmp = tmp_path_factory.mktemp("crash")
    with refresh_services(
        database_server, redis_server, tmp, CAREERPATH_SOURCE_TIMEOUT="20", CAREERPATH_MAX_ATTEMPTS="1"
    ) as services:
        (services.sources / "python.jsonl").write_bytes(jsonl(postings("Python and PostgreSQL", 20)))
        yield services


def _kill_mid_run(svc: RefreshServices, feed: FeedServer, path: str) -> tuple[dict, tuple, set]:
    assert svc.refresh("file:python.jsonl")["status"] == "succeeded"
    before, keys = svc.current(), svc.version_keys()
    slow = feed.stream(path, 40, CHUNK, pause=0.1, first_only=True)  # 4s the first time, fast afterwards
    run = svc.client.post("/market/runs/", json={"source": slow, "requested_by": "tests"}).json()
    deadline = time.monotonic() + 10
    while feed.hits[path] == 0 or svc.client.get(f"/market/runs/{run['id']}").json()["status"] != "running":
        assert time.monotonic() < deadline, "the run never started"
        time.sleep(0.05)
    time.sleep(0.5)
    svc.worker.kill()  # SIGKILL to the worker's whole process group, pool children included
    return run, before, keys


def _assert_nothing_published(svc: RefreshServices, run: dict, before: tuple, keys: set) -> None:
    assert svc.client.get(f"/market/runs/{run['id']}").json()["status"] == "running"
    assert svc.current() == before and svc.version_keys() == keys


def test_killed_worker_with_no_attempts_left_fails_the_run(svc: RefreshServices) -> None:
    with FeedServer() as feed:
        run, before, keys = _kill_mid_run(svc, feed, "/slow-a.jsonl")
        _assert_nothing_published(svc, run, before, keys)
        svc.new_worker()
        done = wait_run(svc.client, run["id"], timeout=30)
    assert done["status"] == "failed" and "worker lost" in done["error"], done
    assert svc.current() == before and svc.version_keys() == keys


def test_killed_worker_run_is_retried_by_the_next_worker_and_publishes_once(svc: RefreshServices) -> None:
    svc.env["CAREERPATH_MAX_ATTEMPTS"] = "3"
    svc.worker.stop()
    svc.new_worker()
    with FeedServer() as feed:
        run, before, keys = _kill_mid_run(svc, feed, "/slow-b.jsonl")
        _assert_nothing_published(svc, run, before, keys)
        svc.new_worker()
        done = wait_run(svc.client, run["id"], timeout=30)
        hits = feed.hits["/slow-b.jsonl"]
    assert done["status"] == "succeeded" and done["attempts"] == 2, done
    assert hits == 2
    version, doc = svc.current()
    assert version == done["version"] != before[0] and doc is not None
    assert set(doc["skills"]) == set(load_catalog().skills) and doc["skills"]["kubernetes"]["demand"] == 1.0
    assert svc.version_keys() == keys | {(svc.prefix + "market:v:" + version).encode()}


def test_a_new_trigger_during_a_lost_run_returns_that_run_not_a_second(svc: RefreshServices) -> None:
    with FeedServer() as feed:
        run, _, _ = _kill_mid_run(svc, feed, "/slow-c.jsonl")
        again = svc.client.post("/market/runs/", json={"source": "snapshot"}).json()
        assert again["id"] == run["id"]
        svc.new_worker()
        assert wait_run(svc.client, run["id"], timeout=30)["status"] in ("succeeded", "failed")  # never stuck


def test_a_killed_pool_process_is_noticed_by_its_own_worker_and_the_run_retried(svc: RefreshServices) -> None:
    """Only the pool process running the task dies (say, the OOM killer); the worker itself lives on."""
    import os
    import signal

    with FeedServer() as feed:
        assert svc.refresh("file:python.jsonl")["status"] == "succeeded"
        before = svc.current()
        slow = feed.stream("/slow-d.jsonl", 40, CHUNK, pause=0.1, first_only=True)
        run = svc.client.post("/market/runs/", json={"source": slow}).json()
        deadline = time.monotonic() + 10
        while feed.hits["/slow-d.jsonl"] == 0:
            assert time.monotonic() < deadline, "the run never started"
            time.sleep(0.05)
        import asyncio

        import asyncpg

        async def worker_of() -> str:
            conn = await asyncpg.connect(svc.env["DATABASE_URL"])
            try:
                return str(
                    await conn.fetchval("SELECT worker FROM refresh_runs WHERE id = $1::uuid", run["id"])
                )
            finally:
                await conn.close()

        pid = int(asyncio.run(worker_of()).split(":")[1])
        assert pid != svc.worker.proc.pid  # type: ignore[union-attr]
        os.kill(pid, signal.SIGKILL)
        done = wait_run(svc.client, run["id"], timeout=30)
    assert done["status"] in ("succeeded", "failed") and svc.worker.proc.poll() is None  # type: ignore[union-attr]
    if done["status"] == "succeeded":
        assert done["attempts"] == 2 and svc.current()[0] == done["version"]
    else:
        assert svc.current() == before
