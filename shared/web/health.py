"""Health endpoints: ``/healthz`` (liveness) and ``/readyz`` (readiness), with their body."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

import msgspec
from litestar import Request, Response, get
from litestar.handlers import HTTPRouteHandler

__all__ = ["Checks", "Health", "health_route"]

Checks: TypeAlias = Callable[[Request[Any, Any, Any]], Awaitable[dict[str, str]]]
"""Probes a service's dependencies: each name maps to ``"ok"`` or what went wrong."""


class Health(msgspec.Struct, kw_only=True, frozen=True):
    status: str
    service: str
    checks: dict[str, str] = {}


def health_route(service: str, checks: Checks) -> list[HTTPRouteHandler]:
    """``/healthz`` (the process answers) and ``/readyz`` (its dependencies answer; 503 otherwise)."""

    @get(
        "/healthz",
        tags=["health"],
        summary="Liveness",
        sync_to_thread=False,
        description="Answers 200 while the process runs (for a liveness probe); checks nothing else.",
    )
    def healthz() -> Health:
        return Health(status="ok", service=service)

    @get(
        "/readyz",
        tags=["health"],
        summary="Readiness: dependencies reachable",
        description=(
            "200 when every dependency answers, else 503 with each one's state in `checks` (for a "
            "readiness probe)."
        ),
    )
    async def readyz(request: Request[Any, Any, Any]) -> Response[Health]:
        results = await checks(request)
        ok = all(v == "ok" for v in results.values())
        return Response(
            Health(status="ok" if ok else "unavailable", service=service, checks=results),
            status_code=200 if ok else 503,
        )

    return [healthz, readyz]
