"""Sources against a real local HTTP server and real files: the SSRF guard, size and time caps, formats."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.worker.sources import SourceError
from services.worker.sources.file import fetch_file
from services.worker.sources.http import fetch_url
from tests.refresh_support import FeedServer, jsonl, postings

LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)
FEED = jsonl(postings("Python and PostgreSQL", 50))


@pytest.fixture(scope="module")
def feed() -> Iterator[FeedServer]:
    with FeedServer() as server:
        server.body("/feed.jsonl", FEED)
        server.body("/feed.csv", b"title,description\nSRE,Go\n", "text/csv; charset=utf-8")
        server.body("/page", b"<html>hello</html>", "text/html")
        yield server


def fetch(url: str, allow: tuple = LOOPBACK, **caps: float) -> bytes:
    options = {"max_bytes": 1_000_000, "timeout": 2.0, "connect_timeout": 1.0, "max_redirects": 3, **caps}
    fetched = fetch_url(url, allow=allow, **options)  # type: ignore[arg-type]
    try:
        return fetched.body.read()
    finally:
        fetched.body.close()


def test_a_feed_is_fetched_with_its_declared_format(feed: FeedServer) -> None:
    assert fetch(feed.url("/feed.jsonl")) == FEED
    fetched = fetch_url(
        feed.url("/feed.csv"), max_bytes=10_000, timeout=2, connect_timeout=1, max_redirects=0, allow=LOOPBACK
    )
    assert fetched.declared == "csv" and fetched.size == 25


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "127.1"])
def test_loopback_is_refused_by_default_and_nothing_is_requested(feed: FeedServer, host: str) -> None:
    before = sum(feed.hits.values())
    with pytest.raises(SourceError, match="refused|unreachable"):
        fetch(f"http://{host}:{feed.port}/feed.jsonl", allow=())
    assert sum(feed.hits.values()) == before


@pytest.mark.parametrize(
    ("target", "label"),
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://10.0.0.7/feed.jsonl", "private"),
        ("http://192.168.0.1/", "private"),
        ("http://127.0.0.2/feed.jsonl", "loopback"),
        ("http://[fe80::1]/", "link-local"),
        ("file:///etc/passwd", "non-http"),
    ],
)
def test_redirects_to_refused_addresses_are_refused(feed: FeedServer, target: str, label: str) -> None:
    url = feed.redirect(f"/to-{label}-{abs(hash(target))}", target)
    with pytest.raises(SourceError, match=label):
        fetch(url)


def test_redirect_chains_are_bounded(feed: FeedServer) -> None:
    feed.redirect("/loop", "/loop")
    with pytest.raises(SourceError, match="redirects"):
        fetch(feed.url("/loop"))
    feed.redirect("/hop", "/feed.jsonl", 307)
    assert fetch(feed.url("/hop")) == FEED


def test_too_large_by_content_length_or_by_stream(feed: FeedServer) -> None:
    with pytest.raises(SourceError, match="larger than"):
        fetch(feed.url("/feed.jsonl"), max_bytes=1024)
    url = feed.stream("/endless", chunks=200, chunk=b"x" * 8192)
    with pytest.raises(SourceError, match="larger than"):
        fetch(url, max_bytes=100_000)


def test_too_slow_whether_silent_or_dripping(feed: FeedServer) -> None:
    # Each source would take 3 s to the end; the fetch gives up at its timeout, well before (the bound
    # is what it must not do - wait for the whole source - not a guess at a busy machine's speed).
    silent = feed.stall("/silent", 3.0)
    started = time.monotonic()
    with pytest.raises(SourceError, match="too slow"):
        fetch(silent, timeout=0.5)
    assert time.monotonic() - started < 3.0
    drip = feed.stream("/drip", chunks=30, chunk=b'{"title": "x"}\n', pause=0.1)
    started = time.monotonic()
    with pytest.raises(SourceError, match="too slow"):
        fetch(drip, timeout=0.8)
    assert time.monotonic() - started < 3.0


def test_unreachable_and_http_errors(feed: FeedServer) -> None:
    from tools.embedded import free_port

    with pytest.raises(SourceError, match="unreachable"):
        fetch(f"http://127.0.0.1:{free_port()}/feed.jsonl")
    with pytest.raises(SourceError, match="unreachable: cannot resolve"):
        fetch("http://no-such-host.invalid/feed.jsonl")
    with pytest.raises(SourceError, match="HTTP 404"):
        fetch(feed.url("/missing"))


def test_a_content_type_that_is_not_postings_is_refused(feed: FeedServer) -> None:
    with pytest.raises(SourceError, match="wrong format.*text/html"):
        fetch(feed.url("/page"))


def test_file_sources_stay_inside_their_roots(tmp_path: Path) -> None:
    root = tmp_path / "sources"
    root.mkdir()
    (root / "ok.jsonl").write_bytes(FEED)
    (tmp_path / "secret.txt").write_text("no")
    (root / "link.jsonl").symlink_to(tmp_path / "secret.txt")
    fetched = fetch_file("ok.jsonl", (root,), 1_000_000, 5)
    assert fetched.declared == "jsonl" and fetched.body.read() == FEED
    for name in ("../secret.txt", str(tmp_path / "secret.txt"), "link.jsonl"):
        with pytest.raises(SourceError, match="outside"):
            fetch_file(name, (root,), 1_000_000, 5)
    with pytest.raises(SourceError, match="does not exist"):
        fetch_file("nope.jsonl", (root,), 1_000_000, 5)
    with pytest.raises(SourceError, match="larger than"):
        fetch_file("ok.jsonl", (root,), 100, 5)
