"""Authentication, CSRF and rate limits for ``/api/`` routes.

Partners send ``Authorization: Bearer cpk_…`` (or ``X-API-Key``); browsers carry the ``cp_session``
cookie and send ``X-CSRF-Token`` on state-changing requests. The resolved :class:`Principal` is put on
the connection state for the route guards. Every request is counted against a Redis rate limit: per API
key, per user, or per client IP when anonymous; sign-up and log-in also per IP with a tighter quota.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

import msgspec
from litestar.datastructures import Cookie, Headers
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send
from redis.exceptions import RedisError

from services.gateway.auth import Principal
from services.gateway.clients import UpstreamError
from services.gateway.ratelimit import Limit
from services.gateway.sessions import CSRF_HEADER, SESSION_COOKIE
from shared.contracts.accounts import ApiKey, KeyCheck
from shared.web import error_response

__all__ = ["AuthMiddleware", "resolve_api_key"]

log = logging.getLogger("careerpath.gateway.auth")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_PATHS = ("/api/v1/auth/login", "/api/v1/auth/signup")
KEY_CACHE_SECONDS = 60
_key_decoder = msgspec.json.Decoder(ApiKey)


class AuthError(Exception):
    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers


def _presented_key(headers: Headers) -> str | None:
    authorization = headers.get("authorization")
    if authorization is not None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError(401, "unsupported Authorization header: use 'Bearer <API key>'")
        return token.strip()
    return headers.get("x-api-key")


async def resolve_api_key(state: Any, key: str, count_use: bool = True) -> ApiKey:
    """The valid key behind ``key`` (cached in Redis for a minute; revocation clears the cache).

    ``count_use=False`` leaves the key's use count to the caller (the middleware counts it together with
    the rate limit, in one Redis exchange)."""
    if not key.startswith("cpk_") or len(key) > 200:
        raise AuthError(401, "invalid API key")
    digest = hashlib.sha256(key.encode()).hexdigest()
    cache_key = f"{state.settings.redis_prefix}apikey:{digest}"
    cached, redis_up = None, True
    try:
        cached = await state.redis.get(cache_key)
    except RedisError:  # down or stalled: ask the profile service, and spare this request more Redis waits
        log.warning("API key cache unavailable; asking the profile service")
        redis_up = False
    if cached == b"-":
        raise AuthError(401, "invalid, expired or revoked API key")
    if cached:
        found = _key_decoder.decode(cached)
    else:
        try:
            answer = await state.profile.request("POST", "/keys/check", json=KeyCheck(key=key))
        except UpstreamError as exc:
            if exc.status_code == 401:
                if redis_up:
                    await _cache(state, cache_key, b"-", 10)
                raise AuthError(401, "invalid, expired or revoked API key") from None
            raise
        found = _key_decoder.decode(answer.content)
        ttl = KEY_CACHE_SECONDS
        if found.expires_at is not None:
            import datetime as dt

            left = int((found.expires_at - dt.datetime.now(dt.UTC)).total_seconds())
            if left <= 0:
                raise AuthError(401, "invalid, expired or revoked API key")
            ttl = min(ttl, left)
        if redis_up:
            await _cache(state, cache_key, answer.content, ttl)
    if redis_up and count_use:
        try:
            await state.redis.hincrby(f"{state.settings.redis_prefix}keyusage", found.id, 1)
        except RedisError:
            pass
    return found


async def _cache(state: Any, key: str, value: bytes, ttl: int) -> None:
    try:
        await state.redis.set(key, value, ex=ttl)
    except RedisError:
        pass


class AuthMiddleware(ASGIMiddleware):
    """Resolve the caller, check CSRF for cookie sessions, and apply the rate limits."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/"):
            await next_app(scope, receive, send)
            return
        app_state = scope["litestar_app"].state
        limits: list[Limit] = []
        try:
            principal = await self._principal(app_state, scope)
            scope.setdefault("state", {})["principal"] = principal
            limits = await self._limits(app_state, scope, principal)
        except AuthError as exc:
            response = error_response(
                exc.status,
                {401: "unauthorized", 403: "forbidden", 429: "rate_limited"}.get(exc.status, "error"),
                exc.detail,
                headers=exc.headers,
            )
            await response.to_asgi_response(app=None, request=None)(scope, receive, send)  # type: ignore[arg-type]
            return
        except UpstreamError as exc:
            await exc.to_response().to_asgi_response(app=None, request=None)(scope, receive, send)  # type: ignore[arg-type]
            return
        if not limits:
            await next_app(scope, receive, send)
            return
        tightest = min(limits, key=lambda limit: limit.remaining)
        extra = [(k.lower().encode(), v.encode()) for k, v in tightest.headers().items()]

        async def send_with_limits(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await next_app(scope, receive, send_with_limits)

    async def _principal(self, state: Any, scope: Scope) -> Principal | None:
        headers = Headers.from_scope(scope)
        key = _presented_key(headers)
        if key is not None:
            found = await resolve_api_key(state, key, count_use=False)  # counted with the rate limit
            return Principal(kind="partner", id=found.id, role="partner", scopes=frozenset(found.scopes))
        session_id = _cookie(headers, SESSION_COOKIE)
        if not session_id:
            return None
        try:
            session = await state.sessions.get(session_id)
        except RedisError:
            raise AuthError(503, "session store unavailable", {"Retry-After": "2"}) from None
        if session is None:
            return None
        if scope.get("method", "GET") not in SAFE_METHODS:
            given = headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(given.encode(), session.csrf.encode()):
                raise AuthError(403, "missing or wrong X-CSRF-Token header")
        return Principal(
            kind="user",
            id=session.user_id,
            role=session.role,  # type: ignore[arg-type]
            email=session.email,
            session_id=session_id,
        )

    async def _limits(self, state: Any, scope: Scope, principal: Principal | None) -> list[Limit]:
        settings = state.settings
        ip = (scope.get("client") or ("unknown", 0))[0]
        if principal is None:
            buckets = [(f"ip:{ip}", settings.anonymous_rate_per_minute)]
        elif principal.kind == "partner":
            buckets = [(f"key:{principal.id}", settings.key_rate_per_minute)]
        else:
            buckets = [(f"user:{principal.id}", settings.user_rate_per_minute)]
        if scope.get("path", "").rstrip("/") in LOGIN_PATHS and scope.get("method") == "POST":
            buckets.append((f"login:{ip}", settings.login_rate_per_minute))
        partner = principal is not None and principal.kind == "partner"
        use = (f"{settings.redis_prefix}keyusage", principal.id) if partner and principal else None
        limits: list[Limit] = []
        try:
            for bucket, quota in buckets:
                limits.append(await state.limiter.hit(bucket, quota, count_use=use))
                use = None
        except RedisError:
            log.warning("rate limiter unavailable: letting the request through")
            return []
        refused = [limit for limit in limits if not limit.allowed]
        if refused:
            raise AuthError(429, "rate limit exceeded", refused[0].headers())
        return limits


def _cookie(headers: Headers, name: str) -> str | None:
    raw = headers.get("cookie")
    if not raw:
        return None
    for part in raw.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def session_cookies(session_id: str, csrf: str, max_age: int, secure: bool) -> list[Cookie]:
    return [
        Cookie(
            key=SESSION_COOKIE,
            value=session_id,
            httponly=True,
            samesite="lax",
            secure=secure,
            path="/",
            max_age=max_age,
        ),
        Cookie(
            key="cp_csrf",
            value=csrf,
            httponly=False,
            samesite="strict",
            secure=secure,
            path="/",
            max_age=max_age,
        ),
    ]
