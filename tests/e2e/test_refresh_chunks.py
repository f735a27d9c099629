"""Chunked refreshes through a real Celery worker (two pool processes), real Redis and PostgreSQL: a source
larger than a chunk is cut on line ends and aggregated by both processes; counts, samples and the series
are those of the whole source; a pool process SIGKILLed mid-chunk loses nothing and counts nothing twice;
bad input (a record cut off at the end, a source over the cap, no dates at all) is a clear run outcome."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator

import pytest

from services.worker.sources.synthetic import generate_postings
from tests.refresh_support import RefreshServices, jsonl, postings, refresh_services, wait_run

pytestmark = pytest.mark.e2e

CHUNK = 256 * 1024
COUNT = 6000


@pytest.fixture(scope="module")
def svc(
    database_server: str, redis_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RefreshServices]:
    tmp = tmp_path_factory.mktemp("chunks")
    with refresh_services(
        database_server,
        redis_server,
        tmp,
        CAREERPATH_REFRESH_CHUNK_BYTES=str(CHUNK),
        CAREERPATH_REFRESH_SPOOL_DIR=str(tmp / "spool"),
        CAREERPATH_SOURCE_MAX_BYTES="50000000",
        CAREERPATH_SOURCE_TIMEOUT="30",
        CAREERPATH_LEASE_SECONDS="3",
        CAREERPATH_MAX_REJECT_RATIO="0.5",
    ) as services:
        many = generate_postings(services.sources / "many.jsonl", count=COUNT, seed=11, bad_ratio=0.01)
        # unmarked, so each run goes live (a synthetic version waits for an admin's confirmation)
        many.write_bytes(many.read_bytes().replace(b',"synthetic":true', b""))
        yield services


def _expected(svc: RefreshServices, name: str) -> tuple[int, int, int]:
    """(read, accepted, rejected) of the file, by the one-pass reader."""
    import datetime as dt

    from services.worker.sources import Fetched
    from services.worker.sources.records import Posting, read_postings

    path = svc.sources / name
    with path.open("rb") as body:
        fetched = Fetched(body=body, size=path.stat().st_size, sha256="", declared="jsonl", name=name)
        items = list(read_postings(fetched, dt.date.today()))
    accepted = sum(isinstance(i, Posting) for i in items)
    return len(items), accepted, len(items) - accepted


def _leftovers(svc: RefreshServices) -> list[bytes]:
    return list(svc.redis.scan_iter(match=svc.prefix + "refresh:*"))


def test_a_large_source_is_read_in_chunks_by_both_processes_with_the_whole_source_counts(
    svc: RefreshServices,
) -> None:
    size = (svc.sources / "many.jsonl").stat().st_size
    assert size > 7 * CHUNK
    run = svc.refresh("file:many.jsonl", timeout=120)
    assert run["status"] == "succeeded", run
    assert (run["records_read"], run["records_accepted"], run["records_rejected"]) == _expected(
        svc, "many.jsonl"
    )
    lines = [s["line"] for s in run["rejected_samples"]]
    assert lines == sorted(lines) and len(lines) == 20  # the first bad records of the source, in order
    version, doc = svc.current()
    assert version == run["version"] and doc is not None and doc["postings"] == run["records_accepted"]
    series = doc["series"]
    assert series["months"] == ["2025-04", "2025-05", "2025-06"] and series["undated"] == 0
    assert sum(series["postings"]) == run["records_accepted"]
    assert "least-squares" in doc["notes"]["trend"]
    assert _leftovers(svc) == [] and not list((svc.log_dir / "spool").glob("*"))
    log = (svc.log_dir / "worker.log").read_text(errors="replace")
    assert "market.refresh_chunk" in log


def test_a_pool_process_killed_mid_chunk_loses_nothing_and_counts_nothing_twice(
    svc: RefreshServices,
) -> None:
    expected = _expected(svc, "many.jsonl")
    (svc.sources / "many2.jsonl").write_bytes((svc.sources / "many.jsonl").read_bytes())
    answer = svc.client.post("/market/runs/", json={"source": "file:many2.jsonl", "requested_by": "tests"})
    run_id = answer.json()["id"]
    killed = None
    deadline = time.monotonic() + 60
    while killed is None:
        assert time.monotonic() < deadline, "no chunk was ever taken by a second process"
        states = list(svc.redis.scan_iter(match=f"{svc.prefix}refresh:{run_id}:*:state"))
        coordinator = svc.redis.get(states[0]) if states else None
        for key in svc.redis.scan_iter(match=f"{svc.prefix}refresh:{run_id}:*:claim:*"):
            holder = svc.redis.get(key)
            if coordinator and holder and holder != coordinator and key.rsplit(b":", 1)[-1] != b"0":
                killed = int(holder.decode().rsplit(":", 1)[-1])
                os.kill(killed, signal.SIGKILL)
                break
        time.sleep(0.005)
    done = wait_run(svc.client, run_id, timeout=120)
    assert done["status"] == "succeeded", done
    assert (done["records_read"], done["records_accepted"], done["records_rejected"]) == expected
    _, doc = svc.current()
    assert doc is not None and sum(doc["series"]["postings"]) == expected[1]
    assert _leftovers(svc) == []


def test_the_run_s_coordinator_killed_mid_run_is_taken_over_and_counts_once(svc: RefreshServices) -> None:
    expected = _expected(svc, "many.jsonl")
    (svc.sources / "many3.jsonl").write_bytes((svc.sources / "many.jsonl").read_bytes())
    answer = svc.client.post("/market/runs/", json={"source": "file:many3.jsonl", "requested_by": "tests"})
    run_id = answer.json()["id"]
    deadline = time.monotonic() + 60
    while True:  # once a few chunks are stored, SIGKILL the process that holds the run
        assert time.monotonic() < deadline, "the run never got going"
        states = list(svc.redis.scan_iter(match=f"{svc.prefix}refresh:{run_id}:*:state"))
        parts = list(svc.redis.scan_iter(match=f"{svc.prefix}refresh:{run_id}:*:part:*"))
        if states and len(parts) >= 2:
            coordinator = int(svc.redis.get(states[0]).decode().rsplit(":", 1)[-1])
            os.kill(coordinator, signal.SIGKILL)
            break
        time.sleep(0.01)
    done = wait_run(svc.client, run_id, timeout=120)
    assert done["status"] == "succeeded" and done["attempts"] == 2, done
    assert (done["records_read"], done["records_accepted"], done["records_rejected"]) == expected
    _, doc = svc.current()
    assert doc is not None and sum(doc["series"]["postings"]) == expected[1]
    assert _leftovers(svc) == [] and not list((svc.log_dir / "spool").glob("*"))


def test_a_source_that_ends_mid_record_fails_and_the_live_version_stays(svc: RefreshServices) -> None:
    good = svc.refresh("file:many.jsonl", timeout=120)
    before = svc.current()
    data = (svc.sources / "many.jsonl").read_bytes()
    (svc.sources / "cut.jsonl").write_bytes(data[: len(data) - 40])  # the last record loses its end
    run = svc.refresh("file:cut.jsonl", timeout=120)
    assert good["status"] == "succeeded" and run["status"] == "failed", run
    assert "ends mid-record" in run["error"] and run["records_read"] == good["records_read"]
    assert run["rejected_samples"] and svc.current() == before
    # the same in one pass (smaller than a chunk)
    small = jsonl(postings("Python", 5))[:-30]
    (svc.sources / "cut-small.jsonl").write_bytes(small)
    run = svc.refresh("file:cut-small.jsonl")
    assert run["status"] == "failed" and "ends mid-record" in run["error"], run
    assert run["records_read"] == 5 and svc.current() == before


def test_a_10_gb_file_is_refused_by_its_size_without_reading_it(svc: RefreshServices) -> None:
    before = svc.current()
    huge = svc.sources / "huge.jsonl"
    with huge.open("wb") as out:
        out.truncate(10 * 1024**3)  # sparse: 10 GB long, nothing on disk
    try:
        started = time.monotonic()
        run = svc.refresh("file:huge.jsonl", timeout=60)
        took = time.monotonic() - started
    finally:
        huge.unlink()
    assert run["status"] == "failed" and "larger than the configured cap of 50,000,000 bytes" in run["error"]
    assert run["records_read"] == 0 and svc.current() == before
    assert took < 30  # reading 10 GB at disk speed would take longer; the cap is checked first
    assert not list((svc.log_dir / "spool").glob("*"))


def test_a_source_without_any_date_publishes_totals_and_says_there_is_no_series(
    svc: RefreshServices,
) -> None:
    records = [{k: v for k, v in p.items() if k != "posted_date"} for p in postings("Python and Go", 40)]
    (svc.sources / "undated.jsonl").write_bytes(jsonl(records))
    run = svc.refresh("file:undated.jsonl")
    assert run["status"] == "succeeded" and run["records_accepted"] == 40, run
    _, doc = svc.current()
    assert doc is not None and "series" not in doc and doc["postings"] == 40
    assert doc["notes"]["series"] == "no series: none of the 40 postings has a posted_date"
    assert "previous_version" in doc["notes"]["trend"]
    assert json.dumps(doc)  # stored as plain JSON
