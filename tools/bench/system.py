"""The system under test: started here (embedded PostgreSQL/Redis unless the URLs are set) or already running.

A started system runs in a temporary folder with its own Redis key prefix, rate limits raised far above
what the load reaches (so the benchmark measures work, not refusals), and a folder the worker may read
``file:`` sources from. :func:`resident_memory` reads each process's ``VmRSS`` from ``/proc``, and
:func:`cpu_seconds` its CPU time (the cost of a request, whatever else the machine is doing).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tools.embedded import EmbeddedPostgres, EmbeddedRedis, servers_from_env
from tools.supervisor.stack import Stack

__all__ = [
    "BENCH_ENV",
    "System",
    "cpu_seconds",
    "hello_world",
    "resident_memory",
    "served_module",
    "started_system",
]

BENCH_ENV = {
    "CAREERPATH_USER_RATE_PER_MINUTE": "1000000",
    "CAREERPATH_KEY_RATE_PER_MINUTE": "10000000",
    "CAREERPATH_ANONYMOUS_RATE_PER_MINUTE": "1000000",
    "CAREERPATH_LOGIN_RATE_PER_MINUTE": "10000",
}


@dataclass
class System:
    """Where the gateway answers, and what the benchmark may do beyond HTTP."""

    url: str
    database_url: str | None = None
    sources_dir: Path | None = None
    stack: Stack | None = None
    log_dir: Path | None = None
    pids: dict[str, int] = field(default_factory=dict)  # our services
    infra_pids: dict[str, int] = field(default_factory=dict)  # embedded PostgreSQL and Redis

    @property
    def host_port(self) -> tuple[str, int]:
        host, _, port = self.url.split("://", 1)[1].rstrip("/").rpartition(":")
        return host, int(port)


@contextmanager
def started_system(keep_logs: Path | None = None) -> Iterator[System]:
    """Start everything in a temporary folder; stop it and remove the folder afterwards."""
    from services.profile.migrate import apply_migrations
    from tools.supervisor.run_all import _ensure_model

    root = Path(tempfile.mkdtemp(prefix="careerpath-bench-"))
    servers: list[EmbeddedPostgres | EmbeddedRedis] = []
    stack: Stack | None = None
    try:
        database_url, redis_url, servers = servers_from_env(root, keep_redis_data=False)
        asyncio.run(apply_migrations(database_url))
        sources = root / "sources"
        sources.mkdir()
        log_dir = keep_logs or root / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CAREERPATH_REDIS_PREFIX": f"bench-{secrets.token_hex(4)}:",
            "CAREERPATH_SERVICE_TOKEN": secrets.token_urlsafe(24),
            "CAREERPATH_SOURCE_FILE_ROOTS": str(sources),
            "CAREERPATH_DATA_DIR": str(root),
            **BENCH_ENV,
        }
        _ensure_model(env)
        stack = Stack(env=env, log_dir=log_dir, with_worker=True).start()
        pids = {name: s.proc.pid for name, s in stack.services.items() if s.proc is not None}
        yield System(
            url=stack.url,
            database_url=database_url,
            sources_dir=sources,
            stack=stack,
            log_dir=log_dir,
            pids=pids,
            infra_pids={
                "postgres" if isinstance(server, EmbeddedPostgres) else "redis": server.proc.pid
                for server in servers
                if server.proc is not None
            },
        )
    finally:
        if stack is not None:
            stack.stop()
        for server in reversed(servers):
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


def _rss(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """CPU time used so far by each process and its current children (pool processes, PostgreSQL backends)."""
    return {name: sum(_cpu_seconds(p) for p in [pid, *_children(pid)]) for name, pid in pids.items()}


def resident_memory(pids: dict[str, int]) -> dict[str, int]:
    """Resident bytes per process; a Celery worker's pool processes follow it as ``worker pool N``."""
    out: dict[str, int] = {}
    for name, pid in pids.items():
        if (rss := _rss(pid)) is not None:
            out[name] = rss
        if name == "worker":
            for n, child in enumerate(_children(pid), start=1):
                if (child_rss := _rss(child)) is not None:
                    out[f"worker pool {n}"] = child_rss
    return out


@contextmanager
def served_module(module: str, port: int, *args: str) -> Iterator[int]:
    """``python -m module *args`` in its own process (and session) until its ``port`` answers: its pid while
    it runs; stopped (SIGTERM) on the way out."""
    import subprocess
    import sys

    from tools.embedded import wait_for_port

    proc = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_port(port, 30, proc)
        yield proc.pid
    finally:
        proc.terminate()
        proc.wait(10)


@contextmanager
def hello_world() -> Iterator[tuple[int, int]]:
    """The hello world (tools.bench.hello) in its own process: (its port, its pid) while it runs."""
    from tools.embedded import free_port

    port = free_port()
    with served_module("tools.bench.hello", port, str(port)) as pid:
        yield port, pid
