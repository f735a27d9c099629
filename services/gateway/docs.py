"""What the gateway's OpenAPI document says about the API as a whole: its description and how callers
authenticate (the security schemes the routes name)."""

from __future__ import annotations

from litestar.openapi.spec import SecurityScheme

from services.gateway.sessions import SESSION_COOKIE

__all__ = ["API_DESCRIPTION", "PARTNER", "PARTNER_OR_SESSION", "SECURITY_SCHEMES", "SESSION"]

SESSION: list[dict[str, list[str]]] = [{"session": []}]
"""A browser session (the cookie set by log-in) is required."""
PARTNER_OR_SESSION: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
"""A partner API key (``Authorization: Bearer``) or a browser session."""
PARTNER = "bearer"

SECURITY_SCHEMES: dict[str, SecurityScheme] = {
    "bearer": SecurityScheme(
        type="http",
        scheme="bearer",
        bearer_format="cpk_<secret>",
        description="Partner API key, sent as `Authorization: Bearer cpk_...`. An admin issues keys "
        "(POST /api/v1/admin/keys) with the scopes they allow: `recommendations:write`, `market:read`. "
        "A missing scope is answered 403, a bad, expired or revoked key 401. No other header carries "
        "a key: `X-API-Key` is refused with 401.",
    ),
    "session": SecurityScheme(
        type="apiKey",
        security_scheme_in="cookie",
        name=SESSION_COOKIE,
        description="Browser session: the cookie log-in and sign-up set (POST /api/v1/auth/login). "
        "Requests that change something also send the CSRF token from the log-in answer as "
        "`X-CSRF-Token`.",
    ),
}

API_DESCRIPTION = """\
Which backend roles fit a developer's skills, and what to learn next.

**Partners** (e.g. HR platforms) call `POST /api/v1/recommendations`, `POST /api/v1/recommendations/batch`
and `GET /api/v1/market` with an API key: `Authorization: Bearer cpk_...`. The catalogue
(`GET /api/v1/skills`, `GET /api/v1/roles`) is public.

**Rate limits**: every `/api/` answer carries `RateLimit-Limit`, `RateLimit-Remaining` and
`RateLimit-Reset` (seconds) for the caller's one-minute window (per key, per user, or per IP when
anonymous). Past the limit the answer is 429 with `Retry-After` (seconds).

**Errors**: every 4xx/5xx answer has the `ErrorBody` shape; `errors` names each bad field.
Bad input is refused whole: nothing is stored.

**Request ids**: every answer carries `X-Request-ID` (send your own to correlate); quote it when
reporting a problem.
"""
