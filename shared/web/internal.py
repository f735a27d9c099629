"""The Litestar app factory the internal services (profile, recommender) share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Protocol

from litestar import Litestar

from shared.web.errors import exception_handlers
from shared.web.health import Checks, health_route
from shared.web.middleware import PUBLIC_PATHS, ServiceTokenMiddleware, with_request_ids
from shared.web.openapi import docs_assets_route, document_errors, openapi_config

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler, Dependencies

__all__ = ["InternalSettings", "internal_app"]


class InternalSettings(Protocol):
    """What ``internal_app`` reads from a service's settings."""

    @property
    def service_token(self) -> str: ...

    @property
    def max_body_bytes(self) -> int: ...


def internal_app(
    service: str,
    description: str,
    settings: InternalSettings,
    route_handlers: Sequence[ControllerRouterHandler],
    lifespan: Callable[[Litestar], AbstractAsyncContextManager[None]],
    checks: Checks,
    dependencies: Dependencies | None = None,
) -> Litestar:
    """A Litestar app for an internal service: request ids, the service credential, JSON errors, health,
    and the app-level ``dependencies`` (Litestar providers) its handlers are given."""
    app = Litestar(
        route_handlers=[*route_handlers, *health_route(service, checks), docs_assets_route()],
        lifespan=[lifespan],
        dependencies=dependencies,
        middleware=[ServiceTokenMiddleware(settings.service_token)],
        exception_handlers=exception_handlers(),
        openapi_config=openapi_config(f"careerpath {service}", description),
        request_max_body_size=settings.max_body_bytes,
        logging_config=None,
        debug=False,
    )
    app.state.settings = settings
    document_errors(app, _internal_error_codes)
    return with_request_ids(app)


def _internal_error_codes(path: str, method: str, has_body: bool) -> list[int]:
    if path.startswith(PUBLIC_PATHS):
        return []
    return [400, 401, 431, 503] + ([404] if "{" in path else []) + ([413] if has_body else [])
