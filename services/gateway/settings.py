"""Gateway settings (environment variables ``CAREERPATH_*`` and ``REDIS_URL``)."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import msgspec

from shared.settings import DEFAULT_SECRET, BaseSettings, Port, Seconds

__all__ = ["GatewaySettings"]

Url = Annotated[str, msgspec.Meta(pattern=r"^https?://[^\s/]+")]


class GatewaySettings(BaseSettings, kw_only=True, frozen=True):
    port: Port = 8000
    profile_url: Url = "http://127.0.0.1:8001"
    recommender_url: Url = "http://127.0.0.1:8002"
    redis_url: Annotated[str, msgspec.Meta(pattern=r"^rediss?://")] = "redis://127.0.0.1:6379/0"
    redis_timeout: Seconds = 0.5  # each call to Redis (sessions, API-key cache, rate limits)
    upstream_timeout: Seconds = 3.0
    upstream_connect_timeout: Seconds = 0.5
    upstream_max_connections: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 100
    max_body_bytes: Annotated[int, msgspec.Meta(ge=1024, le=50_000_000)] = 1_048_576
    secret_key: Annotated[str, msgspec.Meta(min_length=16)] = DEFAULT_SECRET
    cors_origins: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "testserver", "*.localhost")
    session_ttl_seconds: Annotated[int, msgspec.Meta(ge=60, le=90 * 86400)] = 7 * 86400
    cookie_secure: bool | None = None  # default: Secure outside dev
    user_rate_per_minute: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 300
    key_rate_per_minute: Annotated[int, msgspec.Meta(ge=1, le=10_000_000)] = 6000
    login_rate_per_minute: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 10
    anonymous_rate_per_minute: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 600
    # API-key checks that fail (unknown, revoked, expired) per client IP and minute; past it, 429 before
    # the profile service is asked about another key
    failed_key_rate_per_minute: Annotated[int, msgspec.Meta(ge=1, le=100_000)] = 20
    # failed log-ins per account (e-mail) within a window; past it, 429 until the window ends
    account_login_failures: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 10
    account_login_window_seconds: Annotated[int, msgspec.Meta(ge=10, le=86_400)] = 900
    # password-reset requests and confirmations per client IP and minute; reset mails asked for one
    # address (any address: the answer says nothing about whether an account uses it) within a window
    password_reset_rate_per_minute: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 10
    password_reset_per_address: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 3
    password_reset_window_seconds: Annotated[int, msgspec.Meta(ge=10, le=86_400)] = 3600
    # proxies (addresses or CIDR networks) whose X-Forwarded-For / -Proto are believed; none by default
    trusted_proxies: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if "*" in self.cors_origins:
            raise ValueError(
                "CAREERPATH_CORS_ORIGINS may not contain '*' (credentials are allowed): list origins"
            )
        for entry in self.trusted_proxies:
            try:
                network = ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"CAREERPATH_TRUSTED_PROXIES: {entry!r} is not an IP address or network"
                ) from None
            if network.prefixlen == 0:
                raise ValueError(
                    f"CAREERPATH_TRUSTED_PROXIES: {entry!r} trusts everyone: clients would pick their own"
                )

    @property
    def secure_cookies(self) -> bool:
        return self.env == "prod" if self.cookie_secure is None else self.cookie_secure
