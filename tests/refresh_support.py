"""Helpers for the job-market refresh tests: a local postings feed server, postings files, fresh databases."""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import redis

from tests.conftest import RUN_ID, _admin, _with_database
from tools.embedded import free_port
from tools.supervisor.stack import CeleryProcess, ServiceProcess

__all__ = [
    "FeedServer",
    "RefreshServices",
    "fresh_database",
    "jsonl",
    "postings",
    "refresh_services",
    "wait_run",
]

Route = Callable[[BaseHTTPRequestHandler], None]


def postings(
    skill_text: str, count: int, title: str = "Backend Engineer", salary: int = 100_000
) -> list[dict]:
    """``count`` valid postings whose description is ``skill_text``."""
    return [
        {
            "id": f"{title}-{i}",
            "title": title,
            "description": skill_text,
            "salary": salary + i,
            "location": "Remote",
            "posted_date": "2025-05-01",
        }
        for i in range(count)
    ]


def jsonl(records: list[Any]) -> bytes:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records).encode()


def fresh_database(server_url: str, label: str) -> tuple[str, Callable[[], None]]:
    """A new migrated database on ``server_url``; returns (url, drop)."""
    from services.profile.migrate import apply_migrations

    name = f"careerpath_{label}_{RUN_ID}_{secrets.token_hex(3)}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    url = _with_database(server_url, name)
    asyncio.run(apply_migrations(url))
    return url, lambda: asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def wait_run(client: httpx.Client, run_id: str, timeout: float = 30.0, path: str = "/market/runs") -> dict:
    """Poll a run until it succeeded or failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"{path}/{run_id}").json()
        if run["status"] in ("succeeded", "failed"):
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} did not finish in {timeout}s: {run}")


class FeedServer:
    """An HTTP server on 127.0.0.1 serving postings and misbehaving on request; counts requests per path."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server.hits[self.path] += 1
                route = server.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                try:
                    route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def body(self, path: str, data: bytes, content_type: str = "application/x-ndjson") -> str:
        def route(h: BaseHTTPRequestHandler) -> None:
            h.send_response(200)
            h.send_header("Content-Type", content_type)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)

        self.routes[path] = route
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        def route(h: BaseHTTPRequestHandler) -> None:
            h.send_response(status)
            h.send_header("Location", location)
            h.send_header("Content-Length", "0")
            h.end_headers()

        self.routes[path] = route
        return self.url(path)

    def stream(
        self,
        path: str,
        chunks: int,
        chunk: bytes,
        pause: float = 0.0,
        first_only: bool = False,
        content_type: str = "application/x-ndjson",
    ) -> str:
        """Chunked body without Content-Length: ``chunks`` x ``chunk``, ``pause`` seconds apart
        (``first_only``: only the first request is slow)."""

        def route(h: BaseHTTPRequestHandler) -> None:
            slow = pause if (not first_only or self.hits[path] == 1) else 0.0
            h.protocol_version = "HTTP/1.1"
            h.send_response(200)
            h.send_header("Content-Type", content_type)
            h.send_header("Transfer-Encoding", "chunked")
            h.send_header("Connection", "close")
            h.end_headers()
            for _ in range(chunks):
                h.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                h.wfile.flush()
                if slow:
                    time.sleep(slow)
            h.wfile.write(b"0\r\n\r\n")

        self.routes[path] = route
        return self.url(path)

    def stall(self, path: str, seconds: float) -> str:
        def route(h: BaseHTTPRequestHandler) -> None:
            time.sleep(seconds)
            h.send_response(200)
            h.send_header("Content-Type", "application/x-ndjson")
            h.send_header("Content-Length", "0")
            h.end_headers()

        self.routes[path] = route
        return self.url(path)


@dataclass
class RefreshServices:
    """A profile service and a Celery worker on their own database and Redis prefix."""

    env: dict[str, str]
    profile: ServiceProcess
    worker: CeleryProcess
    client: httpx.Client  # the profile's internal API, with the service credential
    redis: redis.Redis
    prefix: str
    sources: Path
    log_dir: Path

    def current(self) -> tuple[str | None, dict | None]:
        """(current version, its document) read the way the recommender reads them."""
        version = self.redis.get(self.prefix + "market:current")
        if version is None:
            return None, None
        raw = self.redis.get(self.prefix + "market:v:" + version.decode())
        return version.decode(), json.loads(raw) if raw else None

    def version_keys(self) -> set[bytes]:
        return set(self.redis.scan_iter(match=self.prefix + "market:v:*"))

    def refresh(self, source: str | None = None, timeout: float = 30.0) -> dict:
        answer = self.client.post("/market/runs/", json={"source": source, "requested_by": "tests"})
        assert answer.status_code == 202, answer.text
        return wait_run(self.client, answer.json()["id"], timeout)

    def new_worker(self) -> CeleryProcess:
        self.worker = CeleryProcess("worker", 0, dict(self.env), self.log_dir / "worker.log")
        self.worker.start().wait_healthy(60)
        return self.worker

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in self.log_dir.glob("*.log")
        )


@contextmanager
def refresh_services(
    database_server: str, redis_server: str, tmp: Path, **extra: str
) -> Iterator[RefreshServices]:
    """Start profile + worker with their own database, Redis prefix (market data, Celery) and sources."""
    url, drop = fresh_database(database_server, "refresh")
    prefix = f"cp-refresh-{RUN_ID}-{secrets.token_hex(3)}:"
    sources = tmp / "sources"
    sources.mkdir(parents=True, exist_ok=True)
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": redis_server,
        "CAREERPATH_REDIS_PREFIX": prefix,
        "CAREERPATH_SERVICE_TOKEN": secrets.token_urlsafe(24),
        "CAREERPATH_ENV": "test",
        "CAREERPATH_SOURCE_FILE_ROOTS": str(sources),
        "CAREERPATH_SOURCE_ALLOW_NETWORKS": "127.0.0.1/32",
        "CAREERPATH_SOURCE_TIMEOUT": "2",
        "CAREERPATH_SOURCE_CONNECT_TIMEOUT": "1",
        "CAREERPATH_SOURCE_MAX_BYTES": "500000",
        "CAREERPATH_LEASE_SECONDS": "2",
        "CAREERPATH_TASK_SOFT_TIME_LIMIT": "60",
        "CAREERPATH_TASK_TIME_LIMIT": "90",
        "CAREERPATH_WORKER_CONCURRENCY": "2",
        **extra,
    }
    profile = ServiceProcess("profile", free_port(), env, tmp / "profile.log")
    env["CAREERPATH_PROFILE_URL"] = profile.url  # the worker records runs through the profile service
    worker = CeleryProcess("worker", 0, dict(env), tmp / "worker.log")
    client = httpx.Client(
        base_url=profile.url, timeout=10.0, headers={"x-service-token": env["CAREERPATH_SERVICE_TOKEN"]}
    )
    store = redis.Redis.from_url(redis_server)
    services = RefreshServices(env, profile, worker, client, store, prefix, sources, tmp)
    try:
        profile.start()
        worker.start()
        profile.wait_healthy(60)
        worker.wait_healthy(60)
        yield services
    finally:
        services.worker.stop()
        profile.stop()
        client.close()
        keys = list(store.scan_iter(match=prefix + "*", count=1000))
        if keys:
            store.delete(*keys)
        store.close()
        drop()
