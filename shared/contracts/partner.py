"""Partner self-service contracts: a key's own usage and quota, and key rotation (gateway <-> profile)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from shared.contracts.accounts import ApiKey
from shared.contracts.common import described

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

    key: Annotated[
        str,
        described(
            "The new key's secret: send it as `Authorization: Bearer <key>`. Shown only in this answer.",
            "cpk_3xQ9aLmZ7vR2wK8pT4nY6bH1cF5dG0sJ9eU2iO7aQ3m",
        ),
    ]
    api_key: Annotated[ApiKey, described("The new key (same name, scopes and expiry).")]
    previous: Annotated[ApiKey, described("The replaced key; it keeps working until its `retires_at`.")]


class RotatedKey(msgspec.Struct, kw_only=True, frozen=True):
    """Internal (profile -> gateway): the rotation, and the replaced key's hash under which the gateway
    caches it (forgotten at once, so its new end date is read)."""

    rotation: KeyRotation
    previous_key_hash: str


class RateLimitWindow(msgspec.Struct, kw_only=True, frozen=True):
    """The rate limit's current fixed window, as counted for the partner (every key of it)."""

    limit: Annotated[
        int, described("Requests allowed per window for the partner (all its keys together).", 6000)
    ]
    used: Annotated[int, described("Requests counted in the current window, this one included.", 42)]
    remaining: Annotated[
        int, described("Requests left in the current window (`limit` - `used`, never below 0).", 5958)
    ]
    window_seconds: Annotated[int, described("The window's length in seconds.", 60)]
    resets_in_seconds: Annotated[
        int, described("Seconds until the current window ends and the count starts again.", 18)
    ]


class PartnerUsage(msgspec.Struct, kw_only=True, frozen=True):
    """What the calling key may see about itself: never another partner's keys, never a secret."""

    key_id: Annotated[
        str, described("The calling key's id (a UUID).", "3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d")
    ]
    name: Annotated[str, described("The key's name.", "Acme HR")]
    prefix: Annotated[
        str, described("The secret's first 12 characters, to recognise the key.", "cpk_3xQ9aLmZ")
    ]
    scopes: Annotated[
        list[str],
        described("What the key may do: `recommendations:write`, `market:read`.", ["recommendations:write"]),
    ]
    created_at: Annotated[
        datetime, described("When the key was issued (ISO 8601 date-time, UTC).", "2026-05-04T09:30:00Z")
    ]
    expires_at: Annotated[
        datetime | None,
        described("When the key stops working (ISO 8601 date-time, UTC); null: it does not expire."),
    ]
    retires_at: Annotated[
        datetime | None,
        described(
            "When the key stops working because it was replaced (the end of its grace "
            "period) (ISO 8601 date-time, UTC); null while not rotated."
        ),
    ]
    replaces: Annotated[str | None, described("The id of the key this one replaced, or null.")]
    replaced_by: Annotated[str | None, described("The id of the key that replaced this one, or null.")]
    partner_id: Annotated[
        str,
        described(
            (
                "The partner's id: the first key of this key's rotation chain. Counts and the "
                "rate limit are the partner's, shared by its keys."
            ),
            "9a7e6d5c-4b3a-4f21-8e0d-1c2b3a4f5e6d",
        ),
    ]
    day: Annotated[date, described("The day the counts are for: today in UTC (ISO 8601 date).", "2026-05-04")]
    requests_today: Annotated[
        dict[EndpointClass, int],
        described(
            (
                "Requests made today by endpoint class (`recommendations`, `batch`, `market`, "
                "`partner`, `other`), refused ones included; counts."
            ),
            {"recommendations": 120, "batch": 3, "market": 10, "partner": 1, "other": 0},
        ),
    ]
    requests_today_total: Annotated[
        int, described("All requests made today (the sum of `requests_today`).", 134)
    ]
    rate_limit: Annotated[RateLimitWindow, described("The rate limit's current window.")]
