"""The profile service: users' profiles and skill assessments in PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request

from services.profile.accounts.mail import Mailer
from services.profile.accounts.passwords import PasswordPool
from services.profile.accounts.reset_routes import PasswordResetController
from services.profile.accounts.routes import AccountController
from services.profile.db import create_pool
from services.profile.deps import Wiring, dependencies
from services.profile.profiles.routes import ProfileController
from services.profile.runs.routes import MarketRunController, RunLeaseController, refresh_broker
from services.profile.settings import ProfileSettings
from shared.logging import configure_logging
from shared.settings import load_settings
from shared.web.internal import internal_app

__all__ = ["create_app"]


async def _checks(request: Request[Any, Any, Any]) -> dict[str, str]:
    try:
        async with request.app.state.pool.acquire(timeout=1.0) as conn:
            await conn.fetchval("SELECT 1", timeout=1.0)
        return {"postgres": "ok"}
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return {"postgres": f"unavailable: {type(exc).__name__}"}


def create_app(settings: ProfileSettings | None = None) -> Litestar:
    settings = settings or load_settings(ProfileSettings)
    configure_logging("profile", settings.log_level)
    wiring = Wiring()
    broker = refresh_broker()  # a bad broker setting stops the start, not the first refresh

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        app.state.pool = wiring.pool = await create_pool(settings)
        wiring.passwords = PasswordPool(settings.hash_workers, settings.hash_queue, settings.hash_wait)
        wiring.mailer = Mailer(settings.smtp_url, settings.smtp_timeout)
        try:
            yield
        finally:
            wiring.passwords.close()
            await app.state.pool.close()

    app = internal_app(
        "profile",
        "Profiles, skill assessments, accounts and refresh runs (internal).",
        settings,
        [
            ProfileController,
            MarketRunController,
            RunLeaseController,
            AccountController,
            PasswordResetController,
        ],
        lifespan,
        _checks,
        dependencies(settings, wiring, broker),
    )
    app.state.refresh_broker = broker
    return app
