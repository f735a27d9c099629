"""Partner self-service contracts: a key's own usage and quota, and key rotation (gateway <-> profile)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import msgspec

from shared.contracts.accounts import ApiKey

__all__ = [
    "ENDPOINT_CLASSES",
    "EndpointClass",
    "KeyRotation",
    "PartnerUsage",
    "RateLimitWindow",
    "RotatedKey",
]

EndpointClass = Literal["recommendations", "batch", "market", "partner", "other"]
ENDPOINT_CLASSES: tuple[EndpointClass, ...] = ("recommendations", "batch", "market", "partner", "other")


class KeyRotation(msgspec.Struct, kw_only=True, frozen=True):
    """A rotation's answer: the new key's secret (shown once), the new key, and the replaced key, which
    keeps working until its ``retires_at``."""

    key: str
    api_key: ApiKey
    previous: ApiKey


class RotatedKey(msgspec.Struct, kw_only=True, frozen=True):
    """Internal (profile -> gateway): the rotation, and the replaced key's hash under which the gateway
    caches it (forgotten at once, so its new end date is read)."""

    rotation: KeyRotation
    previous_key_hash: str


class RateLimitWindow(msgspec.Struct, kw_only=True, frozen=True):
    """The rate limit's current fixed window, as counted for the partner (every key of it)."""

    limit: int
    used: int
    remaining: int
    window_seconds: int
    resets_in_seconds: int


class PartnerUsage(msgspec.Struct, kw_only=True, frozen=True):
    """What the calling key may see about itself: never another partner's keys, never a secret."""

    key_id: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    retires_at: datetime | None
    replaces: str | None
    replaced_by: str | None
    partner_id: str
    day: date
    requests_today: dict[EndpointClass, int]
    requests_today_total: int
    rate_limit: RateLimitWindow
