"""A partner's daily request counts by endpoint class, kept in Redis beside its rate limit.

The authentication middleware counts every request a partner key makes (refused ones included) in the
same pipelined exchange as the rate limit; ``GET /api/v1/partner/usage`` reads them back. Counts and the
rate limit follow the partner (the first key of a rotation chain), not one key, so rotating a key
neither resets nor doubles the quota.
"""

from __future__ import annotations

from datetime import date

from shared.contracts.partner import EndpointClass

__all__ = ["DAY_COUNT_TTL", "day_counts_key", "endpoint_class", "partner_bucket"]

DAY_COUNT_TTL = 2 * 86400  # a day's counts outlive the day (UTC) by one more, then Redis drops them


def endpoint_class(path: str) -> EndpointClass:
    """The class a request's path counts under."""
    path = path.rstrip("/")
    if path == "/api/v1/recommendations/batch":
        return "batch"
    if path == "/api/v1/recommendations":
        return "recommendations"
    if path == "/api/v1/market":
        return "market"
    if path.startswith("/api/v1/partner/"):
        return "partner"
    return "other"


def partner_bucket(partner_id: str) -> str:
    """The rate-limit bucket of a partner (every key of one rotation chain)."""
    return f"key:{partner_id}"


def day_counts_key(prefix: str, partner_id: str, day: date) -> str:
    """The Redis hash of a partner's requests on ``day`` (UTC), one field per endpoint class."""
    return f"{prefix}partnerday:{partner_id}:{day.isoformat()}"
