"""Job-market refresh through a real Celery worker process, real Redis and PostgreSQL, real sources."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from shared.market import MarketReader
from tests.refresh_support import FeedServer, RefreshServices, jsonl, postings, refresh_services, wait_run
from tools.embedded import free_port

pytestmark = pytest.mark.e2e

PY = postings("Python, Django and PostgreSQL on Docker", 30)
JAVA = postings("Java with Spring Boot and Kafka", 30, title="Data Engineer", salary=150_000)
BAD = [
    "{not json",
    {"title": "", "description": "Go"},
    {"title": "SRE", "description": "Go", "salary": "lots"},
]


@pytest.fixture(scope="module")
def svc(
    database_server: str, redis_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RefreshServices]:
    with refresh_services(database_server, redis_server, tmp_path_factory.mktemp("refresh")) as services:
        (services.sources / "python.jsonl").write_bytes(jsonl(PY[:10] + BAD + PY[10:]))
        (services.sources / "java.jsonl").write_bytes(jsonl(JAVA))
        yield services


@pytest.fixture(scope="module")
def feed() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


def test_refresh_from_a_file_counts_and_samples_bad_records(svc: RefreshServices) -> None:
    answer = svc.client.post("/market/runs/", json={"source": "file:python.jsonl", "requested_by": "alice"})
    assert answer.status_code == 202 and answer.headers["location"] == f"/market/runs/{answer.json()['id']}"
    assert answer.json()["status"] == "queued" and answer.json()["requested_by"] == "alice"
    run = wait_run(svc.client, answer.json()["id"])
    assert run["status"] == "succeeded", run
    assert (run["records_read"], run["records_accepted"], run["records_rejected"]) == (33, 30, 3)
    assert [(s["line"], s["field"]) for s in run["rejected_samples"]] == [
        (11, "line"),
        (12, "title"),
        (13, "salary"),
    ]
    assert run["duration_ms"] >= 0 and run["attempts"] == 1 and run["error"] is None
    version, doc = svc.current()
    assert version == run["version"] and doc is not None
    assert doc["skills"]["python"]["demand"] == 1.0 and doc["skills"]["java"]["demand"] == 0.0
    assert doc["roles"]["backend-developer"]["openings"] == 30 and doc["postings"] == 30
    assert doc["source"] == "postings: file:python.jsonl" and doc["as_of"] == "2025-05-01"


def test_the_same_source_twice_is_the_same_version(svc: RefreshServices) -> None:
    first = svc.refresh("file:java.jsonl")
    _, doc = svc.current()
    second = svc.refresh("file:java.jsonl")
    assert first["status"] == second["status"] == "succeeded"
    assert first["version"] == second["version"] and svc.current() == (first["version"], doc)


def test_refresh_from_an_http_feed(svc: RefreshServices, feed: FeedServer) -> None:
    csv = b"title,skills,salary,posted_date\n" + b"".join(
        f'Site Reliability Engineer,"Go; Kubernetes; Prometheus",{120000 + i},2025-06-0{1 + i % 9}\n'.encode()
        for i in range(25)
    )
    run = svc.refresh(feed.body("/postings.csv", csv, "text/csv"))
    assert run["status"] == "succeeded" and run["records_accepted"] == 25, run
    _, doc = svc.current()
    assert doc is not None and doc["skills"]["kubernetes"]["demand"] == 1.0
    assert doc["roles"]["site-reliability-engineer"]["openings"] == 25
    assert doc["roles"]["site-reliability-engineer"]["salary_median"] == 120012
    assert doc["as_of"] == "2025-06-09"


FAILING = {
    "unreachable": (lambda f, s: f"http://127.0.0.1:{free_port()}/x.jsonl", "unreachable"),
    "too large": (lambda f, s: f.body("/big.jsonl", jsonl(postings("Python " * 50, 2000))), "larger than"),
    "too large, streamed": (
        lambda f, s: f.stream("/endless.jsonl", 100, b'{"title":"t","skills":"Go"}\n' * 300),
        "larger than",
    ),
    "too slow": (lambda f, s: f.stall("/stall.jsonl", 4.0), "too slow"),
    "dripping": (lambda f, s: f.stream("/drip.jsonl", 40, jsonl(PY[:1]), pause=0.1), "too slow"),
    "html": (lambda f, s: f.body("/index.html", b"<html>maintenance</html>", "text/html"), "wrong format"),
    "json array": (
        lambda f, s: f.body("/all.json", b'[{"title": "x"}]', "application/json"),
        "not JSON Lines",
    ),
    "not postings csv": (
        lambda f, s: f.body("/people.csv", b"name,age\nbob,4\n", "text/csv"),
        "not a postings CSV",
    ),
    "mostly bad": (lambda f, s: f.body("/bad.jsonl", jsonl(PY[:2] + BAD * 3)), "too many bad records"),
    "link-local": (lambda f, s: "http://169.254.169.254/latest/meta-data/", "link-local"),
    "redirect to private": (lambda f, s: f.redirect("/moved.jsonl", "http://10.1.2.3/feed.jsonl"), "private"),
    "http 500": (lambda f, s: f.redirect("/gone.jsonl", "/nowhere"), "HTTP 404"),
    "missing file": (lambda f, s: "file:nope.jsonl", "does not exist"),
    "outside the roots": (lambda f, s: "file:../../etc/passwd", "outside"),
}


@pytest.mark.parametrize("case", list(FAILING))
def test_a_failing_source_fails_the_run_and_the_last_good_version_stays_live(
    svc: RefreshServices, feed: FeedServer, case: str
) -> None:
    good = svc.refresh("file:python.jsonl")
    before, keys = svc.current(), svc.version_keys()
    make, message = FAILING[case]
    run = svc.refresh(make(feed, svc), timeout=30)
    assert run["status"] == "failed" and message in run["error"], run
    assert run["version"] is None
    assert svc.current() == before and before[0] == good["version"]
    assert svc.version_keys() == keys


def test_concurrent_triggers_start_one_run(svc: RefreshServices, feed: FeedServer) -> None:
    unnamed = [{k: v for k, v in p.items() if k != "id"} for p in JAVA[:2]]
    slow = feed.stream("/slow-ok.jsonl", 15, jsonl(unnamed), pause=0.1)

    def trigger(i: int) -> dict:
        answer = svc.client.post("/market/runs/", json={"source": slow, "requested_by": f"admin-{i}"})
        assert answer.status_code == 202, answer.text
        return answer.json()

    with ThreadPoolExecutor(20) as pool:
        runs = list(pool.map(trigger, range(20)))
    assert len({r["id"] for r in runs}) == 1
    again = svc.client.post("/market/runs/", json={"source": "file:python.jsonl"}).json()
    assert again["id"] == runs[0]["id"] and again["source"] == slow  # the active run, not a new one
    done = wait_run(svc.client, runs[0]["id"])
    assert done["status"] == "succeeded", done
    page = svc.client.get("/market/runs/", params={"limit": 100}).json()["items"]
    assert sum(r["source"] == slow for r in page) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"source": "ftp://example.com/x"}, "source"),
        ({"source": "/etc/passwd"}, "source"),
        ({"source": ""}, "source"),
        ({"source": 5}, "source"),
    ],
)
def test_a_bad_source_is_refused_with_400_and_nothing_is_queued(
    svc: RefreshServices, body: dict, field: str
) -> None:
    before = svc.client.get("/market/runs/", params={"limit": 100}).json()["items"]
    answer = svc.client.post("/market/runs/", json=body)
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == field, answer.text
    assert svc.client.get("/market/runs/", params={"limit": 100}).json()["items"] == before


def test_run_listing_and_lookup_errors(svc: RefreshServices) -> None:
    assert svc.client.get("/market/runs/00000000-0000-0000-0000-000000000000").status_code == 404
    assert svc.client.get("/market/runs/not-a-uuid").status_code in (400, 404)
    assert svc.client.get("/market/runs/", params={"limit": 1000}).status_code == 400
    first = svc.client.get("/market/runs/", params={"limit": 2}).json()
    second = svc.client.get("/market/runs/", params={"limit": 2, "before": first["next_before"]}).json()
    assert {r["id"] for r in first["items"]}.isdisjoint(r["id"] for r in second["items"])
    import httpx

    assert httpx.get(svc.profile.url + "/market/runs/").status_code == 401  # no service credential


def test_readers_polling_during_repeated_refreshes_never_see_mixed_versions(svc: RefreshServices) -> None:
    import asyncio

    import redis.asyncio as aioredis

    stop = threading.Event()
    reads: list[str] = []
    problems: list[str] = []

    def check(document: dict) -> None:
        python, java = document["skills"]["python"]["demand"], document["skills"]["java"]["demand"]
        expected = (1.0, 0.0) if "python.jsonl" in document["source"] else (0.0, 1.0)
        if (python, java) != expected:
            problems.append(f"{document['version']}: {python}, {java} under {document['source']}")

    async def poll() -> None:
        client = aioredis.Redis.from_url(svc.env["REDIS_URL"])
        reader = MarketReader(client, svc.prefix)
        try:
            while not stop.is_set():
                document = await reader.current()
                check(document)
                reads.append(document["version"])
                await asyncio.sleep(0.001)
        except Exception as exc:  # noqa: BLE001 - reported below
            problems.append(repr(exc))
        finally:
            await client.aclose()

    assert svc.refresh("file:java.jsonl")["status"] == "succeeded"

    readers = [threading.Thread(target=asyncio.run, args=(poll(),)) for _ in range(3)]
    for thread in readers:
        thread.start()
    try:
        runs = [svc.refresh(f"file:{name}.jsonl") for name in ("java", "python") * 4]
    finally:
        stop.set()
        for thread in readers:
            thread.join(10)
    assert all(r["status"] == "succeeded" for r in runs)
    assert not problems and len(reads) > 100 and len(set(reads)) == 2


def test_the_snapshot_source_publishes_the_bundled_figures(svc: RefreshServices) -> None:
    from shared.catalog import load_snapshot

    run = svc.refresh("snapshot")
    assert run["status"] == "succeeded", run
    _, doc = svc.current()
    assert doc is not None and doc["skills"] == load_snapshot()["skills"]
    assert svc.refresh("snapshot")["version"] == run["version"]


def test_beat_triggers_the_scheduled_refresh(svc: RefreshServices, tmp_path: Path) -> None:
    from tools.supervisor.stack import CeleryProcess

    env = {
        **svc.env,
        "CAREERPATH_REFRESH_SCHEDULE": "10",
        "CAREERPATH_BEAT_SCHEDULE_FILE": str(tmp_path / "beat"),
    }
    beat = CeleryProcess("beat", 0, env, svc.log_dir / "beat.log").start()
    try:
        beat.wait_healthy(20)
        deadline = time.monotonic() + 25
        scheduled: list[dict] = []
        while not scheduled and time.monotonic() < deadline:
            page = svc.client.get("/market/runs/", params={"limit": 5}).json()["items"]
            scheduled = [r for r in page if r["requested_by"] == "schedule"]
            time.sleep(0.2)
    finally:
        beat.stop()
    assert scheduled, svc.logs()
    run = wait_run(svc.client, scheduled[0]["id"])
    assert run["status"] == "succeeded" and run["source"] == "bundled:real-postings", run
