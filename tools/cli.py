"""``careerpath`` — the project's one command line: run, serve, migrate, train, evaluate, bench."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

__all__ = ["main"]

SERVICES = {
    "gateway": ("services.gateway.app", "services.gateway.settings", "GatewaySettings"),
    "profile": ("services.profile.app", "services.profile.settings", "ProfileSettings"),
    "recommender": ("services.recommender.app", "services.recommender.settings", "RecommenderSettings"),
}


def _serve(name: str) -> int:
    """Validate settings, build the app, serve it with uvicorn; a bad setting stops start-up, named."""
    import importlib

    from shared.serving import serve
    from shared.settings import SettingsError, load_settings

    app_module, settings_module, settings_class = SERVICES[name]
    try:
        settings = load_settings(getattr(importlib.import_module(settings_module), settings_class))
    except SettingsError as exc:
        print(f"careerpath {name}: invalid setting {exc}", file=sys.stderr)
        return 2
    try:
        app = importlib.import_module(app_module).create_app(settings)
    except Exception as exc:  # noqa: BLE001 - report start-up failures in one line
        print(f"careerpath {name}: cannot start: {exc}", file=sys.stderr)
        return 2
    serve(app, settings)  # uvicorn, with the header cap and the trusted proxies
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from services.profile.migrate import main as migrate_main

    dsn = args.database_url or os.environ.get("DATABASE_URL")
    if not dsn:
        print("careerpath migrate: DATABASE_URL is not set", file=sys.stderr)
        return 2
    return migrate_main(dsn)


def _create_admin(args: argparse.Namespace) -> int:
    """Create the first admin (or promote an existing account) directly in PostgreSQL."""
    import asyncio
    import getpass

    import asyncpg
    import msgspec

    from services.profile.accounts.repository import AccountRepository
    from shared.contracts.accounts import Credentials

    dsn = args.database_url or os.environ.get("DATABASE_URL")
    if not dsn:
        print("careerpath create-admin: DATABASE_URL is not set", file=sys.stderr)
        return 2
    password = os.environ.get("CAREERPATH_ADMIN_PASSWORD") or getpass.getpass("admin password: ")
    try:
        msgspec.convert({"email": args.email, "password": password}, Credentials)
    except msgspec.ValidationError as exc:
        print(f"careerpath create-admin: {exc}", file=sys.stderr)
        return 2
    from services.profile.accounts.strength import weakness

    reason = weakness(password, args.email)
    if reason is not None:
        print(f"careerpath create-admin: the password is refused. {reason}", file=sys.stderr)
        return 2

    async def create() -> str:
        conn = await asyncpg.connect(dsn, timeout=10)
        try:
            async with conn.transaction():
                user = await AccountRepository(conn).set_admin(args.email, password)
                await conn.execute(
                    "INSERT INTO audit_log (actor, action, target) VALUES ('cli', 'admin_created', $1)",
                    user.email,
                )
            return user.id
        finally:
            await conn.close()

    print(f"admin {args.email} ready (id {asyncio.run(create())})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="careerpath", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start everything (embedded PostgreSQL/Redis when the URLs are unset)")
    run.add_argument("--port", type=int, default=int(os.environ.get("CAREERPATH_GATEWAY_PORT", "8000")))
    serve = sub.add_parser("serve", help="serve one service")
    serve.add_argument("service", choices=sorted(SERVICES))
    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("--database-url")
    admin = sub.add_parser(
        "create-admin", help="create the first admin (password from CAREERPATH_ADMIN_PASSWORD or a prompt)"
    )
    admin.add_argument("--email", required=True)
    admin.add_argument("--database-url")
    sink = sub.add_parser("mail-sink", help="a local SMTP server keeping each mail as a .eml file")
    sink.add_argument("--port", type=int, default=0, help="default: CAREERPATH_PORT, else 8025")
    sink.add_argument("--dir", type=Path, default=Path(".data/mail"), help="where the mails land")
    sub.add_parser("worker", help="run a Celery worker (job-market refreshes)", add_help=False)
    sub.add_parser("beat", help="run the Celery beat scheduler (exactly one per deployment)", add_help=False)
    sub.add_parser("train", help="train the role-fit model", add_help=False)
    sub.add_parser("evaluate", help="evaluate the model against baselines", add_help=False)
    sub.add_parser(
        "bench", help="benchmark the main endpoints (starts the system unless --url)", add_help=False
    )

    args, rest = parser.parse_known_args(argv)
    if args.command == "serve":
        return _serve(args.service)
    if args.command == "migrate":
        return _migrate(args)
    if args.command == "create-admin":
        return _create_admin(args)
    if args.command == "mail-sink":
        from tools.mailsink import serve as serve_mail

        return serve_mail(args.port, args.dir)
    if args.command == "run":
        from tools.supervisor.run_all import run_all

        return run_all(args.port)
    if args.command in ("worker", "beat"):
        from services.worker.main import beat_main, worker_main

        return (worker_main if args.command == "worker" else beat_main)(rest)
    if args.command == "train":
        from services.recommender.model.training import main as train_main

        return train_main(rest)
    if args.command == "evaluate":
        from services.recommender.model.evaluate import main as evaluate_main

        return evaluate_main(rest)
    if args.command == "bench":
        from tools.bench.run import main as bench_main

        return bench_main(rest)
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
