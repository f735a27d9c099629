"""The gateway: the only public service. Web page, ``/api/v1``, and calls to profile and recommender."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as aioredis
from litestar import Litestar, Request, Response
from litestar.config.cors import CORSConfig
from litestar.types import Message, Scope

from services.gateway.allow import AllowMiddleware
from services.gateway.authn import AuthMiddleware
from services.gateway.clients import Upstream, UpstreamError
from services.gateway.compression import compress_when_asked
from services.gateway.deps import Wiring, dependencies
from services.gateway.docs import API_DESCRIPTION, SECURITY_SCHEMES
from services.gateway.hosts import allowed_hosts_middleware
from services.gateway.query import SingleValueQueryMiddleware
from services.gateway.ratelimit import AccountLock, RateLimiter
from services.gateway.redis_scripts import script_runner
from services.gateway.routes.admin import AdminRoutes
from services.gateway.routes.admin_market import AdminMarketRoutes
from services.gateway.routes.auth_routes import AuthRoutes
from services.gateway.routes.catalog import list_roles, list_skills
from services.gateway.routes.extract import extract_skills
from services.gateway.routes.market_series import market_series
from services.gateway.routes.me import MeRoutes
from services.gateway.routes.partner import PartnerRoutes
from services.gateway.routes.problems import problem_routes
from services.gateway.routes.profiles import ProfileRoutes
from services.gateway.routes.questionnaire import next_question
from services.gateway.routes.recommendations import (
    RecommendationRoutes,
    document_batch_body,
    market_figures,
)
from services.gateway.routes.versions import list_versions
from services.gateway.sessions import SessionStore
from services.gateway.settings import GatewaySettings
from services.gateway.shortcut import before_request
from services.gateway.web import SECURITY_HEADERS, web_routes
from shared.clients.profile import ProfileClient
from shared.clients.recommender import RecommenderClient
from shared.contracts.versions import API_VERSION, API_VERSION_HEADER
from shared.logging import configure_logging
from shared.settings import load_settings
from shared.web.errors import exception_handlers
from shared.web.health import health_route
from shared.web.middleware import with_request_ids
from shared.web.openapi import docs_assets_route, document_errors, openapi_config
from shared.web.openapi_document import HeaderPaths

__all__ = ["create_app"]


async def _readiness(wiring: Wiring) -> dict[str, str]:
    results: dict[str, str] = {}
    for upstream in wiring.upstreams:
        try:
            status = await upstream.probe("/healthz", timeout=1.0)
            results[upstream.name] = "ok" if status == 200 else f"status {status}"
        except Exception as exc:  # noqa: BLE001
            results[upstream.name] = f"unavailable: {type(exc).__name__}"
    try:
        await wiring.redis.ping()
        results["redis"] = "ok"
    except Exception as exc:  # noqa: BLE001
        results["redis"] = f"unavailable: {type(exc).__name__}"
    return results


def _on_upstream(request: Request[Any, Any, Any], exc: UpstreamError) -> Response[bytes]:
    return exc.to_response(request.scope["path"])


_SECURITY = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
_NO_STORE = (b"cache-control", b"no-store")
_API_VERSION = (API_VERSION_HEADER.lower().encode(), API_VERSION.encode())


async def _edge_headers(message: Message, scope: Scope) -> None:
    """Every answer gets the security headers, whoever made it: a route, the static files, a 404 or 405
    from the router, a middleware's refusal. Every ``/api/`` answer is private unless its route says
    otherwise (sessions, CSRF tokens, a key's one-time secret, profiles, exports): ``no-store``."""
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers", []))
    present = {bytes(name).lower() for name, _ in headers}
    headers.extend(pair for pair in _SECURITY if pair[0] not in present)
    path = scope.get("path", "")
    if b"cache-control" not in present and path.startswith("/api/"):
        headers.append(_NO_STORE)
    if path.startswith("/api/v1/") and _API_VERSION[0] not in present:  # errors and 304s too
        headers.append(_API_VERSION)
    message["headers"] = headers


def _upstream(name: str, base_url: str, settings: GatewaySettings) -> Upstream:
    return Upstream(
        name,
        base_url,
        token=settings.service_token,
        timeout=settings.upstream_timeout,
        connect_timeout=settings.upstream_connect_timeout,
        max_connections=settings.upstream_max_connections,
    )


def create_app(settings: GatewaySettings | None = None) -> Litestar:
    settings = settings or load_settings(GatewaySettings)
    configure_logging("gateway", settings.log_level)
    wiring = Wiring()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        profile = _upstream("profile", settings.profile_url, settings)
        recommender = _upstream("recommender", settings.recommender_url, settings)
        redis = aioredis.Redis.from_url(
            settings.redis_url,
            socket_timeout=settings.redis_timeout,
            socket_connect_timeout=settings.redis_timeout,
            health_check_interval=5,
        )
        wiring.upstreams = (profile, recommender)
        wiring.profiles, wiring.recommender = ProfileClient(profile), RecommenderClient(recommender)
        wiring.redis = redis
        wiring.sessions = SessionStore(
            redis, settings.redis_prefix, settings.session_ttl_seconds, settings.secret_key
        )
        runner = script_runner(redis, settings.redis_timeout)  # each request's one script, pipelined
        wiring.limiter = RateLimiter(redis, settings.redis_prefix, runner=runner)
        wiring.account_lock = AccountLock(
            RateLimiter(redis, settings.redis_prefix, settings.account_login_window_seconds),
            settings.secret_key,
            settings.account_login_failures,
        )
        wiring.reset_lock = AccountLock(
            RateLimiter(redis, settings.redis_prefix, settings.password_reset_window_seconds),
            settings.secret_key,
            settings.password_reset_per_address,
            name="reset-account",
        )
        try:
            yield
        finally:
            for upstream in wiring.upstreams:
                await upstream.aclose()
            if runner is not None:
                await runner.aclose()
            await redis.aclose()

    async def checks(request: Request[Any, Any, Any]) -> dict[str, str]:
        return await _readiness(wiring)

    cors = (
        CORSConfig(allow_origins=list(settings.cors_origins), allow_credentials=True)
        if settings.cors_origins
        else None
    )
    handlers: dict[Any, Any] = {**exception_handlers(), UpstreamError: _on_upstream}
    app = Litestar(
        route_handlers=[
            AuthRoutes,
            MeRoutes,
            ProfileRoutes,
            RecommendationRoutes,
            next_question,
            AdminRoutes,
            PartnerRoutes,
            market_figures,
            market_series,
            AdminMarketRoutes,
            list_skills,
            extract_skills,
            list_roles,
            list_versions,
            *web_routes(),
            *problem_routes(),
            *health_route("gateway", checks),
            docs_assets_route(),
        ],
        lifespan=[lifespan],
        dependencies=dependencies(settings, wiring),
        middleware=[
            allowed_hosts_middleware(settings.allowed_hosts),
            SingleValueQueryMiddleware(),
            AuthMiddleware(settings, wiring),
            AllowMiddleware(),
        ],
        exception_handlers=handlers,
        before_request=before_request,  # bodies as sent (no coercion, no repeated keys); hot routes' answers
        openapi_config=openapi_config(
            "careerpath API",
            API_DESCRIPTION,
            security_schemes={**SECURITY_SCHEMES},
            version=API_VERSION,
        ),
        cors_config=cors,
        request_max_body_size=settings.max_body_bytes,
        before_send=[_edge_headers],
        logging_config=None,
        debug=False,
    )
    document_errors(
        app, _error_codes, headers=HeaderPaths(rate_limited="/api/", challenged="/api/", versioned="/api/v1/")
    )
    document_batch_body(app)  # the batch reads its own body (per-candidate errors): say what it is
    # Both outside the router: a 404 or 405 has a request id too, and is compressed like the rest.
    return with_request_ids(compress_when_asked(app))


def _error_codes(path: str, method: str, has_body: bool) -> list[int]:
    """The error answers a gateway operation can give, for the OpenAPI document."""
    if not path.startswith("/api/"):
        return [431]  # health: a head too large is refused before any route (shared/serving.py)
    codes = {400, 429, 431}
    public = path in ("/api/v1/skills", "/api/v1/roles")
    if not public:  # 403: sign-up and log-in from a foreign Origin; elsewhere, not allowed
        codes |= {401, 403, 502, 503}
    if path == "/api/v1/versions":  # public, from the recommender
        codes -= {401, 403}
    if "{" in path or path.startswith("/api/v1/me"):
        codes.add(404)
    if has_body or path == "/api/v1/recommendations/batch":  # the batch reads its body itself
        codes |= {413, 415}
    admin = path.startswith("/api/v1/admin/")  # no If-Match there
    if method in ("PUT", "DELETE") and ("{" in path or path.startswith("/api/v1/me")) and not admin:
        codes |= {412, 428}
    if path in ("/api/v1/auth/signup", "/api/v1/profiles", "/api/v1/me/profile"):
        codes.add(409)
    if (path == "/api/v1/profiles" and method == "POST") or path == "/api/v1/admin/keys":
        codes.add(422)
    if path in (
        "/api/v1/recommendations/batch",
        "/api/v1/auth/signup",
        "/api/v1/auth/password-reset/confirm",
    ):
        codes.add(422)  # a repeated candidate id; an address like another account's; a weak password
    if path == "/api/v1/skills/extract":
        codes.add(422)  # text empty, only white space, or with control characters
    if path == "/api/v1/market/series":
        codes.add(422)  # skills= or roles= naming ids the catalogue does not have
    if path.startswith("/api/v1/recommendations"):
        codes |= {410, 422}  # Careerpath-Market-Version: trimmed since; never published
    if path == "/api/v1/partner/keys/rotate":
        codes.add(409)  # rotated already (one successor), or the key it replaced is still in its grace period
    if path.endswith("/rollback"):
        codes |= {404, 409}  # not kept; expected_live is not the live version any more
    if path.endswith("/rollback") or (path.startswith("/api/v1/admin/keys/") and method == "DELETE"):
        codes.add(422)  # confirmation_required: a destructive admin call not confirmed
    return sorted(codes)
