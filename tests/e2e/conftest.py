"""End-to-end fixtures: the real service processes, talking HTTP, and a client for each kind of caller."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import pytest

from tests.e2e.helpers import create_admin, log_in, partner, sign_up
from tools.supervisor.stack import Stack

E2E_ENV = {
    "CAREERPATH_LOGIN_RATE_PER_MINUTE": "10000",
    "CAREERPATH_USER_RATE_PER_MINUTE": "100000",
    "CAREERPATH_ANONYMOUS_RATE_PER_MINUTE": "100000",
    "CAREERPATH_PASSWORD_RESET_RATE_PER_MINUTE": "10000",  # per address stays at its default (3 an hour)
}


@contextlib.contextmanager
def worker_stack(infra, db: str, logs: Path, prefix: str, sources: Mapping[str, bytes]) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    """A whole stack with a Celery worker, on its own database and Redis prefix (``prefix``), whose refreshes
    may read the files ``sources`` (name -> bytes, written under ``logs``/sources) and whose runs' leases
    expire in 5 s."""
    folder = logs / "sources"
    folder.mkdir()
    for name, data in sources.items():
        (folder / name).write_bytes(data)
    env = infra.env(
        **E2E_ENV,
        DATABASE_URL=db,
        CAREERPATH_REDIS_PREFIX=infra.redis_prefix + prefix,
        CAREERPATH_SOURCE_FILE_ROOTS=str(folder),
        CAREERPATH_LEASE_SECONDS="5",
    )
    running = Stack(env=env, log_dir=logs, with_worker=True).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def stack(infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    logs = tmp_path_factory.mktemp("logs")
    running = Stack(env=infra.env(**E2E_ENV), log_dir=logs).start()
    try:
        yield running
    finally:
        running.stop()
        for log in logs.glob("*.log"):
            text = log.read_text(errors="replace")
            if "Traceback" in text:
                print(f"--- {log.name} ---\n{text[-4000:]}")


TIGHT_RATE_PER_MINUTE = 6
TIGHT_GRACE_SECONDS = 3


@pytest.fixture(scope="session")
def tight_stack(infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    """A second system on the same database and Redis whose partner rate limit is low and whose rotated
    keys stop soon (a partner's 429; the end of a rotation's grace period)."""
    logs = tmp_path_factory.mktemp("tight-logs")
    env = infra.env(
        **E2E_ENV,
        CAREERPATH_KEY_RATE_PER_MINUTE=str(TIGHT_RATE_PER_MINUTE),
        CAREERPATH_KEY_ROTATION_GRACE_SECONDS=str(TIGHT_GRACE_SECONDS),
    )
    running = Stack(env=env, log_dir=logs).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def api(stack: Stack) -> Iterator[httpx.Client]:
    """A signed-in user (a new account per test)."""
    client = sign_up(stack.url)
    yield client
    client.close()


@pytest.fixture
def anon(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=15.0) as client:
        yield client


@pytest.fixture(scope="session")
def admin_email(infra) -> str:  # type: ignore[no-untyped-def]
    email = f"admin-{secrets.token_hex(4)}@example.com"
    create_admin(infra.database_url, email)
    return email


@pytest.fixture
def admin_api(stack: Stack, admin_email: str) -> Iterator[httpx.Client]:
    """A client signed in as the admin created by ``careerpath create-admin``."""
    client = log_in(stack.url, admin_email)
    yield client
    client.close()


@pytest.fixture
def partner_api(stack: Stack, admin_api: httpx.Client) -> Iterator[httpx.Client]:
    """A partner client whose key has every scope."""
    client, _ = partner(stack.url, admin_api, ["recommendations:write", "market:read"])
    yield client
    client.close()
