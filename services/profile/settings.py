"""Profile service settings (environment variables ``CAREERPATH_*`` and ``DATABASE_URL``)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from services.profile.accounts.mail import smtp_target
from shared.settings import BaseSettings, Port, Seconds

__all__ = ["ProfileSettings"]


class ProfileSettings(BaseSettings, kw_only=True, frozen=True):
    port: Port = 8001
    database_url: Annotated[str, msgspec.Meta(pattern=r"^postgres(ql)?://")] = (
        "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    db_pool_min: Annotated[int, msgspec.Meta(ge=0, le=50)] = 0
    db_pool_max: Annotated[int, msgspec.Meta(ge=1, le=100)] = 10
    db_acquire_timeout: Seconds = 2.0
    db_command_timeout: Seconds = 5.0
    db_statement_timeout_ms: Annotated[int, msgspec.Meta(ge=100, le=600_000)] = 4000
    max_body_bytes: Annotated[int, msgspec.Meta(ge=1024, le=10_000_000)] = 1_048_576
    # Password hashing (argon2id, 64 MiB each) runs in this many threads, off the event loop; at most
    # hash_queue more checks wait for one, none longer than hash_wait; beyond that: 503 + Retry-After.
    hash_workers: Annotated[int, msgspec.Meta(ge=1, le=32)] = 2
    hash_queue: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 8
    hash_wait: Annotated[float, msgspec.Meta(gt=0, le=30)] = 1.0
    # A partner key replaced by rotation keeps working this long (0: it stops at once), then stops.
    key_rotation_grace_seconds: Annotated[int, msgspec.Meta(ge=0, le=30 * 86400)] = 86400
    # Password-reset mail: the SMTP server (smtp://, smtp+starttls://, smtps://; empty: none, every send
    # fails, logged and audited), how long one send may take, the sender, the address of the page the
    # link in the mail opens (the gateway's public URL), and how long a reset link works.
    smtp_url: str = ""
    smtp_timeout: Seconds = 10.0
    mail_from: Annotated[str, msgspec.Meta(min_length=3, max_length=254)] = (
        "careerpath <no-reply@careerpath.localhost>"
    )
    public_url: Annotated[str, msgspec.Meta(pattern=r"^https?://[^\s/]+(/[^\s]*)?$")] = (
        "http://127.0.0.1:8000"
    )
    password_reset_ttl_seconds: Annotated[int, msgspec.Meta(ge=60, le=7 * 86400)] = 1800

    def __post_init__(self) -> None:
        if self.smtp_url:
            try:
                smtp_target(self.smtp_url)
            except ValueError as exc:
                raise ValueError(f"CAREERPATH_SMTP_URL: {exc}") from None
