"""``careerpath run``: everything on one machine, with embedded PostgreSQL and Redis when needed."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import sys
import time
from pathlib import Path

from tools.embedded import EmbeddedPostgres, EmbeddedRedis, free_port, servers_from_env
from tools.supervisor.stack import MailSinkProcess, Stack

__all__ = ["run_all"]

ROOT = Path.cwd()
DATA_DIR = Path(os.environ.get("CAREERPATH_DATA_DIR", ROOT / ".data"))


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _ensure_model(env: dict[str, str]) -> None:
    from services.recommender.model.artefact import DEFAULT_MODEL_DIR

    model_dir = Path(
        env.get("CAREERPATH_MODEL_DIR") or os.environ.get("CAREERPATH_MODEL_DIR") or DEFAULT_MODEL_DIR
    )
    if not any(model_dir.glob("*.json")):
        print(f"training the role-fit model into {model_dir} (first run only) ...", flush=True)
        from services.recommender.model.training import train

        train(model_dir)


def run_all(port: int) -> int:
    started = time.monotonic()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    servers: list[EmbeddedPostgres | EmbeddedRedis] = []
    env: dict[str, str] = {}
    stack: Stack | None = None
    stopping = False

    def _stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        database_url, redis_url, servers = servers_from_env(DATA_DIR)
        for server in servers:
            url = server.dsn if isinstance(server, EmbeddedPostgres) else server.url
            print(f"embedded {type(server).__name__[8:]} on {url} (data in {server.data_dir})", flush=True)
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CAREERPATH_SERVICE_TOKEN": os.environ.get("CAREERPATH_SERVICE_TOKEN")
            or secrets.token_urlsafe(24),
        }
        from services.profile.migrate import apply_migrations

        applied = asyncio.run(apply_migrations(database_url))
        print(f"migrations applied: {', '.join(applied) or 'none (up to date)'}", flush=True)
        _ensure_model(env)
        if not _port_free(port):
            new_port = free_port()
            print(f"port {port} is taken; using {new_port}", flush=True)
            port = new_port
        stack = Stack(env=env, log_dir=DATA_DIR, gateway_port=port, with_worker=True).start()
        print(
            f"\ncareerpath is running at {stack.url}/  (ready in {time.monotonic() - started:.1f}s)",
            flush=True,
        )
        print(f"API docs: {stack.url}/schema   logs: {DATA_DIR}/*.log   stop: Ctrl-C", flush=True)
        sink = stack.services.get("mail-sink")
        if isinstance(sink, MailSinkProcess):
            print(
                f"mail (password resets): no CAREERPATH_SMTP_URL, so a local sink on {sink.smtp_url} "
                f"keeps each one in {sink.folder}/*.eml",
                flush=True,
            )
        while not stopping:
            for service in stack.services.values():
                if service.proc is not None and service.proc.poll() is not None:
                    print(
                        f"{service.name} exited with code {service.proc.returncode}; see its log", flush=True
                    )
                    stopping = True
            time.sleep(0.5)
    except Exception as exc:  # noqa: BLE001
        print(f"careerpath run: {exc}", file=sys.stderr)
        return 1
    finally:
        print("stopping ...", flush=True)
        if stack is not None:
            stack.stop()
        for server in reversed(servers):
            server.stop()
        print("stopped; data kept in", DATA_DIR, flush=True)
    return 0
