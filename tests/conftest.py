"""Test session infrastructure: its own PostgreSQL database, Redis key prefix and model artefact.

``DATABASE_URL`` / ``REDIS_URL`` name servers to use (a fresh database is created in that server and
dropped at the end); without them embedded servers are started in a temporary folder.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from tools.embedded import EmbeddedPostgres, EmbeddedRedis

RUN_ID = secrets.token_hex(4)


@dataclass(frozen=True)
class Infra:
    database_url: str
    redis_url: str
    redis_prefix: str
    model_dir: Path
    service_token: str

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "CAREERPATH_REDIS_PREFIX": self.redis_prefix,
            "CAREERPATH_MODEL_DIR": str(self.model_dir),
            "CAREERPATH_SERVICE_TOKEN": self.service_token,
            "CAREERPATH_ENV": "test",
            **extra,
        }


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def database_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL server URL: the one named by DATABASE_URL or an embedded one."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    # Not under pytest's basetemp: another pytest session resets its permissions, which the
    # unprivileged PostgreSQL user (when running as root) then cannot traverse.
    data_dir = Path(tempfile.mkdtemp(prefix="careerpath-test-pg-"))
    pg = EmbeddedPostgres(data_dir).start()
    try:
        yield pg.dsn
    finally:
        pg.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    server = EmbeddedRedis().start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained for this session (deterministic, seeded)."""
    from services.recommender.model.training import train

    directory = tmp_path_factory.mktemp("models")
    train(directory)
    return directory


@pytest.fixture(scope="session")
def infra(database_server: str, redis_server: str, model_dir: Path) -> Iterator[Infra]:
    """This run's own database (migrated) and Redis prefix; cleaned up afterwards."""
    from services.profile.migrate import apply_migrations

    name = f"careerpath_test_{RUN_ID}"
    asyncio.run(_admin(database_server, f'CREATE DATABASE "{name}"'))
    url = _with_database(database_server, name)
    asyncio.run(apply_migrations(url))
    prefix = f"cp-test-{RUN_ID}:"
    yield Infra(url, redis_server, prefix, model_dir, secrets.token_urlsafe(24))
    asyncio.run(_admin(database_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    import redis

    client = redis.Redis.from_url(redis_server)
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
