"""What the profile service's handlers are given by Litestar's dependency injection.

``db``: the request's one transaction (:class:`~services.profile.db.RequestTransaction`), for handlers
that write: its connection is taken on the handler's first ``await db.connection()``, after the request
was validated, committed when the handler returns and rolled back when it raises. ``database``: for
handlers that only read (``database.read()``: a connection, no transaction) and for the few that must
not hold a connection throughout and open short transactions themselves (``database.transaction()``:
while a password is hashed, a refresh enqueued). ``passwords``: the hashing pool. ``mailer``: the
password-reset mail, sent after the answer. ``broker``: the refresh broker's settings and send-only
Celery client, validated at start-up. ``settings``: the service's settings.
"""

from __future__ import annotations

import asyncpg
from celery import Celery
from litestar.di import NamedDependency, Provide
from litestar.params import SkipValidation

from services.profile.accounts.mail import Mailer
from services.profile.accounts.passwords import PasswordPool
from services.profile.db import Database, RequestTransaction, request_transaction
from services.profile.settings import ProfileSettings
from shared.contracts.tasks import BrokerSettings

__all__ = [
    "Broker",
    "BrokerDep",
    "DatabaseDep",
    "DbDep",
    "MailerDep",
    "PasswordsDep",
    "SettingsDep",
    "Wiring",
    "dependencies",
]

Broker = tuple[BrokerSettings, Celery]

# What a handler declares to be given one (explicit, and not validated again on every request).
DbDep = NamedDependency[SkipValidation[RequestTransaction]]
DatabaseDep = NamedDependency[SkipValidation[Database]]
PasswordsDep = NamedDependency[SkipValidation[PasswordPool]]
BrokerDep = NamedDependency[SkipValidation[Broker]]
SettingsDep = NamedDependency[SkipValidation[ProfileSettings]]
MailerDep = NamedDependency[SkipValidation[Mailer]]


class Wiring:
    """The resources the lifespan opens, for the providers to hand out."""

    __slots__ = ("mailer", "passwords", "pool")

    pool: asyncpg.Pool
    passwords: PasswordPool
    mailer: Mailer  # password-reset mail, sent in the background


def dependencies(settings: ProfileSettings, wiring: Wiring, broker: Broker) -> dict[str, Provide]:
    """The app-level providers."""

    def pool() -> asyncpg.Pool:
        return wiring.pool

    database = Database(pool, settings.db_acquire_timeout)

    def provide_database() -> Database:
        return database

    def provide_passwords() -> PasswordPool:
        return wiring.passwords

    def provide_broker() -> Broker:
        return broker

    def provide_settings() -> ProfileSettings:
        return settings

    def provide_mailer() -> Mailer:
        return wiring.mailer

    return {
        "db": Provide(request_transaction(pool, settings.db_acquire_timeout)),
        "database": Provide(provide_database, sync_to_thread=False),
        "passwords": Provide(provide_passwords, sync_to_thread=False),
        "broker": Provide(provide_broker, sync_to_thread=False),
        "settings": Provide(provide_settings, sync_to_thread=False),
        "mailer": Provide(provide_mailer, sync_to_thread=False),
    }
