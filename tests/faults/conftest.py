"""Fault-injection fixtures: each test module gets its own PostgreSQL and Redis, started here.

The servers are embedded (``tools.embedded``) on free TCP ports, in ``tempfile.mkdtemp`` folders (not
under pytest's basetemp: another pytest session resets its permissions, which the unprivileged PostgreSQL
user then cannot traverse), so the tests may SIGKILL, SIGSTOP and restart them. The machine's shared
servers are never touched. Each test prints one ``FAULT name: ...`` line of figures; all of them are
repeated in the terminal summary.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import E2E_ENV
from tests.e2e.helpers import create_admin, log_in, partner
from tools.embedded import EmbeddedPostgres, EmbeddedRedis
from tools.supervisor.stack import Stack

FIGURES: list[str] = []


@dataclass
class Servers:
    """This module's own PostgreSQL and Redis, and the environment that points services at them."""

    pg: EmbeddedPostgres
    redis: EmbeddedRedis
    database_url: str
    model_dir: Path
    prefix: str = "cp-faults:"
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    admin_email: str = field(default_factory=lambda: f"admin-{secrets.token_hex(4)}@example.com")

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis.url,
            "CAREERPATH_REDIS_PREFIX": self.prefix,
            "CAREERPATH_MODEL_DIR": str(self.model_dir),
            "CAREERPATH_SERVICE_TOKEN": self.token,
            "CAREERPATH_ENV": "test",
            **E2E_ENV,
            **extra,
        }


async def _create_database(server: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(server, timeout=10)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def servers(model_dir: Path) -> Iterator[Servers]:
    """A PostgreSQL (migrated, with an admin) and a persistent Redis of this module's own."""
    from services.profile.migrate import apply_migrations

    pg_dir = Path(tempfile.mkdtemp(prefix="careerpath-faults-pg-"))
    redis_dir = Path(tempfile.mkdtemp(prefix="careerpath-faults-redis-"))
    pg = EmbeddedPostgres(pg_dir)
    redis_server = EmbeddedRedis(redis_dir)  # append-only file: a restarted Redis has its data back
    try:
        try:
            pg.start()
        except Exception:
            _print_tails([pg_dir / "server.log"])
            raise
        redis_server.start()
        asyncio.run(_create_database(pg.dsn, "careerpath"))
        url = pg.dsn.rsplit("/", 1)[0] + "/careerpath"
        asyncio.run(apply_migrations(url))
        found = Servers(pg, redis_server, url, model_dir)
        create_admin(url, found.admin_email)
        yield found
    finally:
        redis_server.stop()
        pg.stop()
        shutil.rmtree(pg_dir, ignore_errors=True)
        shutil.rmtree(redis_dir, ignore_errors=True)


def _print_tails(logs: Iterable[Path]) -> None:
    """The end of each log, for the report of a server or service that would not start."""
    for log in sorted(logs):
        if log.exists():
            print(f"--- {log.name} ---\n{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def running_stack(servers: Servers, log_dir: Path, with_worker: bool = False, **env: str) -> Iterator[Stack]:
    """The real services (and optionally a worker and beat) against ``servers``; stopped afterwards."""
    try:
        stack = Stack(env=servers.env(**env), log_dir=log_dir, with_worker=with_worker).start()
    except Exception:
        _print_tails(log_dir.glob("*.log"))
        raise
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fault-logs")


def admin_client(stack: Stack, servers: Servers) -> httpx.Client:
    return log_in(stack.url, servers.admin_email)


def partner_client(stack: Stack, servers: Servers, scopes: list[str]) -> httpx.Client:
    """A client holding a new partner key with ``scopes`` (issued by the module's admin)."""
    admin = admin_client(stack, servers)
    try:
        client, _ = partner(stack.url, admin, scopes)
    finally:
        admin.close()
    return client


@pytest.fixture
def report(capsys: pytest.CaptureFixture[str]) -> Callable[[str], None]:
    """Print a figures line past pytest's capture (so CI logs show it) and keep it for the summary."""

    def emit(line: str) -> None:
        FIGURES.append(line)
        with capsys.disabled():
            print("\n" + line, flush=True)

    return emit


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("fault figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
