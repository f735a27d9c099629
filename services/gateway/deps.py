"""What the gateway opens at start-up (:class:`Wiring`), and what its handlers are given of it by
Litestar's dependency injection.

``profiles`` and ``recommender`` (the typed internal clients over the keep-alive pools the lifespan
opens), ``settings``, ``sessions`` and ``redis``: app-wide objects, each provided by a plain synchronous
function run in the event loop (no thread hop). The authentication middleware and the readiness check
are given the same :class:`Wiring` when the app is built. The caller is not a dependency: a guarded
handler takes it as ``request.user`` (:data:`services.gateway.auth.PrincipalRequest`), where the
authentication middleware put it.

What a dependency costs: Litestar resolves two or more dependencies of one handler concurrently, in an
anyio task group (litestar-org/litestar#4563): about 60 µs of the gateway's CPU a request here, a tenth
of a profile read. A handler with one dependency pays a function call. So the hot routes (profile read
and update, recommendations, batch, market) take one; handlers that take more are the rare ones.
"""

from __future__ import annotations

import redis.asyncio as aioredis
from litestar.di import NamedDependency, Provide
from litestar.params import SkipValidation

from services.gateway.clients import Upstream
from services.gateway.ratelimit import AccountLock, RateLimiter
from services.gateway.sessions import SessionStore
from services.gateway.settings import GatewaySettings
from shared.clients.profile import ProfileClient
from shared.clients.recommender import RecommenderClient

__all__ = [
    "AccountLockDep",
    "ProfilesDep",
    "RecommenderDep",
    "RedisDep",
    "SessionsDep",
    "SettingsDep",
    "Wiring",
    "dependencies",
]

# What a handler declares to be given one (explicit, and not validated again on every request).
ProfilesDep = NamedDependency[SkipValidation[ProfileClient]]
RecommenderDep = NamedDependency[SkipValidation[RecommenderClient]]
RedisDep = NamedDependency[SkipValidation[aioredis.Redis]]
SessionsDep = NamedDependency[SkipValidation[SessionStore]]
SettingsDep = NamedDependency[SkipValidation[GatewaySettings]]
AccountLockDep = NamedDependency[SkipValidation[AccountLock]]


class Wiring:
    """The resources the lifespan opens (and closes), in one typed place."""

    __slots__ = (
        "account_lock",
        "limiter",
        "profiles",
        "recommender",
        "redis",
        "reset_lock",
        "sessions",
        "upstreams",
    )

    upstreams: tuple[Upstream, ...]  # the pools under the clients: probed for readiness, closed at the end
    profiles: ProfileClient
    recommender: RecommenderClient
    redis: aioredis.Redis
    sessions: SessionStore
    limiter: RateLimiter  # per user, key or IP (the authentication middleware)
    account_lock: AccountLock  # failed log-ins per account
    reset_lock: AccountLock  # password-reset mails asked per address


def dependencies(settings: GatewaySettings, wiring: Wiring) -> dict[str, Provide]:
    """The app-level providers."""

    def provide_settings() -> GatewaySettings:
        return settings

    def provide_profiles() -> ProfileClient:
        return wiring.profiles

    def provide_recommender() -> RecommenderClient:
        return wiring.recommender

    def provide_sessions() -> SessionStore:
        return wiring.sessions

    def provide_redis() -> aioredis.Redis:
        return wiring.redis

    def provide_account_lock() -> AccountLock:
        return wiring.account_lock

    return {
        "settings": Provide(provide_settings, sync_to_thread=False),
        "profiles": Provide(provide_profiles, sync_to_thread=False),
        "recommender": Provide(provide_recommender, sync_to_thread=False),
        "sessions": Provide(provide_sessions, sync_to_thread=False),
        "redis": Provide(provide_redis, sync_to_thread=False),
        "account_lock": Provide(provide_account_lock, sync_to_thread=False),
    }
