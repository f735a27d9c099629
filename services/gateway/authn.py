"""Authentication, CSRF and rate limits for ``/api/`` routes.

Partners send ``Authorization: Bearer cpk_…`` (never ``X-API-Key``); browsers carry the ``cp_session``
cookie and send ``X-CSRF-Token`` on state-changing requests. The resolved :class:`Principal` is put in
``scope["user"]`` for the route guards and handlers (``request.user``). Every request is counted against
a Redis rate limit: per API key, per user, or per client IP when anonymous; sign-up and log-in also per
IP with a tighter quota; password resets per IP, and reset mails per address; failed API-key checks per
client IP, so guessing keys cannot make the profile service look each one up.

Before any of that, a body must be JSON (415 otherwise: an HTML form cannot post as ``application/json``
without CORS), and sign-up, log-in and password reset refuse a foreign ``Origin`` or
``Sec-Fetch-Site: cross-site`` (403), so another site cannot sign a visitor's browser into an account of
its choosing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections import deque
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import msgspec
from litestar import Response
from litestar.datastructures import Cookie, Headers
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send
from redis.exceptions import RedisError

from services.gateway.auth import Principal
from services.gateway.clients import UpstreamError
from services.gateway.deps import Wiring
from services.gateway.ratelimit import Limit
from services.gateway.sessions import CSRF_HEADER, SESSION_COOKIE
from services.gateway.settings import GatewaySettings
from services.gateway.usage import DAY_COUNT_TTL, day_counts_key, endpoint_class, partner_bucket
from shared.contracts.accounts import ApiKey
from shared.contracts.common import ErrorBody, ErrorDetail
from shared.contracts.problems import code_for_status
from shared.web.errors import WWW_AUTHENTICATE, error_response, refuse

__all__ = ["AuthMiddleware", "resolve_api_key"]

log = logging.getLogger("careerpath.gateway.auth")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_PATH = "/api/v1/auth/login"
LOGIN_PATHS = (LOGIN_PATH, "/api/v1/auth/signup")
RESET_PATH = "/api/v1/auth/password-reset"
RESET_PATHS = (RESET_PATH, RESET_PATH + "/confirm")
OWN_PAGES_ONLY = (*LOGIN_PATHS, *RESET_PATHS)  # refused from another site's page (Origin)
KEY_CACHE_SECONDS = 60
_key_decoder = msgspec.json.Decoder(ApiKey)


class _LoginEmail(msgspec.Struct):
    email: str | None = None


_login_decoder = msgspec.json.Decoder(_LoginEmail)


_DEFAULT_PORTS = {"http": 80, "https": 443}
INVALID_TOKEN = f'{WWW_AUTHENTICATE}, error="invalid_token"'
"""The challenge when a key was given but refused (RFC 6750 section 3.1)."""


class AuthError(Exception):
    def __init__(
        self, status: int, detail: str, headers: dict[str, str] | None = None, field: str | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers
        self.field = field


def _refusal(exc: AuthError, path: str) -> Response[ErrorBody]:
    errors = [ErrorDetail(field=exc.field, message=exc.detail)] if exc.field else []
    return error_response(exc.status, code_for_status(exc.status), exc.detail, errors, exc.headers, path)


def _check_media_type(headers: Headers) -> None:
    """A request with a body must say ``Content-Type: application/json`` (parameters allowed)."""
    length = headers.get("content-length")
    has_body = (length is not None and length.strip() not in ("", "0")) or (
        length is None and "transfer-encoding" in headers
    )
    media = (headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if has_body and media != "application/json":
        detail = "the body must be JSON: send Content-Type: application/json"
        raise AuthError(415, detail, field="Content-Type")


def _authority(netloc: str, scheme: str) -> tuple[str, int | None]:
    parts = urlsplit("//" + netloc)
    try:
        port = parts.port
    except ValueError:
        return "", None
    return (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def _check_same_origin(headers: Headers, cors_origins: tuple[str, ...]) -> None:
    """Sign-up and log-in only from our own pages (or a listed CORS origin): 403 for another site."""
    if headers.get("sec-fetch-site", "").strip().lower() == "cross-site":
        raise AuthError(403, "sign-in from another site is refused", field="Sec-Fetch-Site")
    origin = headers.get("origin")
    if origin is None or origin in cors_origins:
        return
    parts = urlsplit(origin.strip())
    ours = _authority(headers.get("host", ""), parts.scheme)
    if parts.scheme not in _DEFAULT_PORTS or not ours[0] or _authority(parts.netloc, parts.scheme) != ours:
        raise AuthError(403, "sign-in from another site is refused", field="Origin")


def _presented_key(headers: Headers) -> str | None:
    authorization = headers.get("authorization")
    if authorization is not None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            detail = "unsupported Authorization header: use 'Bearer <API key>'"
            raise AuthError(401, detail, {"WWW-Authenticate": f'{WWW_AUTHENTICATE}, error="invalid_request"'})
        return token.strip()
    if "x-api-key" in headers:  # one documented way to send a key: say which, rather than ignore it
        raise AuthError(
            401, "X-API-Key is not supported: send Authorization: Bearer <API key>", field="X-API-Key"
        )
    return None


async def resolve_api_key(
    settings: GatewaySettings, wiring: Wiring, key: str, ip: str, path: str = ""
) -> tuple[ApiKey, Limit | None]:
    """The valid key behind ``key`` (cached in Redis for a minute; revocation clears the cache), and, for
    a cached key, this request already counted against its partner's rate limit (None: not counted yet).

    One Redis exchange (a script) reads the cache and, for a cached valid key, counts the request: the
    partner's rate limit, the key's use count and the partner's requests today by the class of ``path``.
    A key not cached is counted by the caller once the profile service has vouched for it. Failed checks
    are counted per IP: the count is read in the same exchange as the cache, and an IP over its quota gets
    429 instead of another look-up by the profile service."""
    if not key.startswith("cpk_") or len(key) > 200:
        raise AuthError(401, "invalid API key")
    digest = hashlib.sha256(key.encode()).hexdigest()
    cache_key = f"{settings.redis_prefix}apikey:{digest}"
    failed_bucket = f"badkey:{ip}"
    quota = settings.failed_key_rate_per_minute
    cached, failures, redis_up, counted = None, None, True, None
    try:
        day = (datetime.now(UTC).date().isoformat(), endpoint_class(path), DAY_COUNT_TTL)
        looked = await wiring.limiter.look_up_key(
            cache_key, failed_bucket, settings.redis_prefix, partner_bucket(""), day
        )
        cached, failures = looked.cached, looked.failures
        if looked.count is not None and looked.ttl_ms is not None:
            counted = wiring.limiter.counted(looked.count, looked.ttl_ms, settings.key_rate_per_minute)
    except RedisError:  # down or stalled: ask the profile service, and spare this request more Redis waits
        log.warning("API key cache unavailable; asking the profile service")
        redis_up = False
    if cached == b"-":
        await _count_failure(wiring, failed_bucket, quota)
        raise AuthError(401, "invalid, expired or revoked API key")
    if cached:
        found = _key_decoder.decode(cached)
    else:
        if failures is not None and int(failures) >= quota:
            limit = wiring.limiter.refused(quota)
            raise AuthError(429, "too many invalid API keys from this address", limit.headers())
        try:
            answer = await wiring.profiles.check_key_json(key)
        except UpstreamError as exc:
            if exc.status_code == 401:
                if redis_up:
                    await _cache(wiring, cache_key, b"-", 10)
                    await _count_failure(wiring, failed_bucket, quota)
                raise AuthError(401, "invalid, expired or revoked API key") from None
            raise
        found = _key_decoder.decode(answer)
        ttl = KEY_CACHE_SECONDS
        ends = [t for t in (found.expires_at, found.retires_at) if t is not None]  # expiry, end of grace
        if ends:
            left = int((min(ends) - datetime.now(UTC)).total_seconds())
            if left <= 0:
                raise AuthError(401, "invalid, expired or revoked API key")
            ttl = min(ttl, left)
        if redis_up:
            await _cache(wiring, cache_key, answer, ttl)
    return found, counted


async def _count_failure(wiring: Wiring, bucket: str, quota: int) -> None:
    try:
        await wiring.limiter.hit(bucket, quota)
    except RedisError:
        pass


async def _cache(wiring: Wiring, key: str, value: bytes, ttl: int) -> None:
    try:
        await wiring.redis.set(key, value, ex=ttl)
    except RedisError:
        pass


class AuthMiddleware(ASGIMiddleware):
    """Resolve the caller, check CSRF for cookie sessions, and apply the rate limits."""

    def __init__(self, settings: GatewaySettings, wiring: Wiring) -> None:
        self.settings = settings
        self.wiring = wiring

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        path = scope.get("path", "")
        if scope["type"] != ScopeType.HTTP or not path.startswith("/api/"):
            await next_app(scope, receive, send)
            return
        settings, wiring = self.settings, self.wiring
        limits: list[Limit] = []
        email: str | None = None  # a log-in's account, counted when the answer is 401
        try:
            headers = Headers.from_scope(scope)
            _check_media_type(headers)
            if scope.get("method") == "POST" and path.rstrip("/") in OWN_PAGES_ONLY:
                _check_same_origin(headers, settings.cors_origins)
            principal, counted = await self._principal(scope)
            scope["user"] = principal  # request.user in the handlers
            limits = await self._limits(scope, principal, counted)
            if scope.get("method") == "POST" and path.rstrip("/") == LOGIN_PATH:
                body, receive = await _buffered(receive, settings.max_body_bytes)
                email = _login_email(body)
                refused = await wiring.account_lock.refusal(email) if email is not None else None
                if refused is not None:
                    detail = "too many failed log-ins for this account: try again later"
                    raise AuthError(429, detail, refused.headers())
            if scope.get("method") == "POST" and path.rstrip("/") == RESET_PATH:
                body, receive = await _buffered(receive, settings.max_body_bytes)
                await self._count_reset(_login_email(body))
        except (AuthError, UpstreamError) as exc:
            refusal = exc.to_response(path) if isinstance(exc, UpstreamError) else _refusal(exc, path)
            await refuse(scope, receive, send, refusal)
            return
        if not limits and email is None:
            await next_app(scope, receive, send)
            return
        tightest = min(limits, key=lambda limit: limit.remaining) if limits else None
        extra = [(k.lower().encode(), v.encode()) for k, v in tightest.headers().items()] if tightest else []

        async def send_with_limits(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
                if email is not None and message["status"] == 401:
                    await wiring.account_lock.failed(email)
            await send(message)

        await next_app(scope, receive, send_with_limits)

    async def _count_reset(self, email: str | None) -> None:
        """Count a reset mail asked for ``email`` (any address, known or not: the answer must not tell);
        429 past ``password_reset_per_address`` in the window."""
        if email is None:  # not a valid body: the route answers 400
            return
        counted = await self.wiring.reset_lock.count(email)
        if counted is not None and not counted.allowed:
            detail = "too many reset mails asked for this address: try again later"
            raise AuthError(429, detail, counted.headers())

    async def _principal(self, scope: Scope) -> tuple[Principal | None, Limit | None]:
        """Who calls, and the caller's rate limit when it was counted with the look-up (None: not yet).

        A partner key's look-up counts its partner's limit, the key's use and the day (one exchange); a
        session cookie's counts its user's limit, or the IP's when there is no such session (one
        exchange instead of two: ~60 us of the gateway's CPU a signed-in request). A request whose
        session is found but whose CSRF token is wrong is counted before it is refused (403)."""
        headers = Headers.from_scope(scope)
        key = _presented_key(headers)
        if key is not None:
            try:
                found, counted = await resolve_api_key(
                    self.settings, self.wiring, key, _client_ip(scope), scope.get("path", "")
                )
            except AuthError as exc:  # a key given but refused (RFC 6750)
                if exc.status == 401:
                    exc.headers = {**(exc.headers or {}), "WWW-Authenticate": INVALID_TOKEN}
                raise
            partner = Principal(
                kind="partner",
                id=found.id,
                role="partner",
                scopes=frozenset(found.scopes),
                partner=found.family_id or found.id,
            )
            return partner, counted
        session_id = _cookie(headers, SESSION_COOKIE)
        sessions, limiter, settings = self.wiring.sessions, self.wiring.limiter, self.settings
        if not session_id or not sessions.plausible(session_id):
            return None, None
        try:  # the session and the request counted (its user's limit, or its IP's without a session)
            ip_bucket = f"ip:{_client_ip(scope)}"
            looked = await limiter.look_up_session(sessions.key(session_id), "user:", ip_bucket)
        except RedisError:
            raise AuthError(503, "session store unavailable", {"Retry-After": "2"}) from None
        if looked.session is None:
            return None, limiter.counted(looked.count, looked.ttl_ms, settings.anonymous_rate_per_minute)
        session = sessions.decode(looked.session)
        counted = limiter.counted(looked.count, looked.ttl_ms, settings.user_rate_per_minute)
        if scope.get("method", "GET") not in SAFE_METHODS:
            given = headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(given.encode(), session.csrf.encode()):
                raise AuthError(403, "missing or wrong X-CSRF-Token header")
        user = Principal(
            kind="user",
            id=session.user_id,
            role=session.role,
            email=session.email,
            session_id=session_id,
        )
        return user, counted

    async def _limits(self, scope: Scope, principal: Principal | None, counted: Limit | None) -> list[Limit]:
        """Count the request in its buckets (the caller's first, unless ``counted`` already has it, with
        the key's use and the partner's day) and refuse it (429) past any quota."""
        settings = self.settings
        ip = _client_ip(scope)
        if principal is None:
            buckets = [(f"ip:{ip}", settings.anonymous_rate_per_minute)]
        elif principal.kind == "partner":
            buckets = [(partner_bucket(principal.partner or principal.id), settings.key_rate_per_minute)]
        else:
            buckets = [(f"user:{principal.id}", settings.user_rate_per_minute)]
        if scope.get("path", "").rstrip("/") in LOGIN_PATHS and scope.get("method") == "POST":
            buckets.append((f"login:{ip}", settings.login_rate_per_minute))
        if scope.get("path", "").rstrip("/") in RESET_PATHS and scope.get("method") == "POST":
            buckets.append((f"reset:{ip}", settings.password_reset_rate_per_minute))
        partner = principal is not None and principal.kind == "partner"
        use = (f"{settings.redis_prefix}keyusage", principal.id) if partner and principal else None
        day = None  # a partner's requests today by endpoint class (GET /api/v1/partner/usage)
        if partner and principal:
            today = datetime.now(UTC).date()
            day_key = day_counts_key(settings.redis_prefix, principal.partner or principal.id, today)
            day = (day_key, endpoint_class(scope.get("path", "")), DAY_COUNT_TTL)
        limits: list[Limit] = []
        if counted is not None:  # the caller's bucket, the key's use and the day: counted with the key
            limits.append(counted)
            buckets, use, day = buckets[1:], None, None
        try:
            for bucket, quota in buckets:
                limits.append(await self.wiring.limiter.hit(bucket, quota, count_use=use, count_day=day))
                use = day = None
        except RedisError:
            log.warning("rate limiter unavailable: letting the request through")
            return []
        refused = [limit for limit in limits if not limit.allowed]
        if refused:
            raise AuthError(429, "rate limit exceeded", refused[0].headers())
        return limits


async def _buffered(receive: Receive, cap: int) -> tuple[bytes | None, Receive]:
    """Read the request body (``None`` past ``cap``: the route answers 413) and a ``receive`` that
    replays it to the route."""
    messages: deque[Any] = deque()
    size, complete = 0, False
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        size += len(message.get("body", b""))
        if size > cap:
            break
        if not message.get("more_body", False):
            complete = True
            break
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request") if complete else None

    async def replay() -> Any:
        return messages.popleft() if messages else await receive()

    return body, replay


def _login_email(body: bytes | None) -> str | None:
    """The e-mail a log-in names, or None when the body is not one (the route answers 400)."""
    if not body:
        return None
    try:
        email = _login_decoder.decode(body).email
    except (msgspec.DecodeError, RecursionError):
        return None
    return email if email and len(email) <= 320 else None


def _client_ip(scope: Scope) -> str:
    """The client's address: the peer's, or, from a trusted proxy only, the one it forwarded (uvicorn
    rewrites ``client`` from X-Forwarded-For for CAREERPATH_TRUSTED_PROXIES and for no one else)."""
    return str((scope.get("client") or ("unknown", 0))[0])


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
