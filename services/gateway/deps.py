"""What the gateway's handlers are given by Litestar's dependency injection.

``principal`` (the authenticated caller; its guard already ran), ``profiles`` and ``recommender`` (the
typed internal clients over the keep-alive pools the lifespan opens), ``settings``, ``sessions`` and
``redis``. Every provider is a plain synchronous function run in the event loop (no thread hop), so a
handler pays one attribute read per dependency.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis
from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.params import SkipValidation

from services.gateway.auth import Principal, current_principal
from services.gateway.sessions import SessionStore
from services.gateway.settings import GatewaySettings
from shared.clients.profile import ProfileClient
from shared.clients.recommender import RecommenderClient

__all__ = [
    "PrincipalDep",
    "ProfilesDep",
    "RecommenderDep",
    "RedisDep",
    "SessionsDep",
    "SettingsDep",
    "Wiring",
    "dependencies",
]

# What a handler declares to be given one (explicit, and not validated again on every request).
PrincipalDep = NamedDependency[SkipValidation[Principal]]
ProfilesDep = NamedDependency[SkipValidation[ProfileClient]]
RecommenderDep = NamedDependency[SkipValidation[RecommenderClient]]
RedisDep = NamedDependency[SkipValidation[aioredis.Redis]]
SessionsDep = NamedDependency[SkipValidation[SessionStore]]
SettingsDep = NamedDependency[SkipValidation[GatewaySettings]]


class Wiring:
    """The resources the lifespan opens, for the providers to hand out."""

    __slots__ = ("profiles", "recommender", "redis", "sessions")

    profiles: ProfileClient
    recommender: RecommenderClient
    redis: aioredis.Redis
    sessions: SessionStore


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    """The caller the authentication middleware found (routes that take it are guarded)."""
    principal = current_principal(request)
    if principal is None:
        raise NotAuthorizedException(detail="sign in or send an API key")
    return principal


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

    return {
        "principal": Provide(provide_principal, sync_to_thread=False),
        "settings": Provide(provide_settings, sync_to_thread=False),
        "profiles": Provide(provide_profiles, sync_to_thread=False),
        "recommender": Provide(provide_recommender, sync_to_thread=False),
        "sessions": Provide(provide_sessions, sync_to_thread=False),
        "redis": Provide(provide_redis, sync_to_thread=False),
    }
