"""Refuse requests whose Host header is not one of ours (400), whatever the port."""

from __future__ import annotations

from typing import Any

from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from shared.web import error_response

__all__ = ["AllowedHostsMiddleware", "host_allowed"]


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """``host`` (port ignored) equals an allowed name, or ends with ``.name`` for a ``*.name`` entry."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.strip().lower()
    for entry in allowed:
        if entry == "*" or name == entry.lower():
            return True
        if entry.startswith("*.") and name.endswith(entry[1:].lower()):
            return True
    return False


class AllowedHostsMiddleware(ASGIMiddleware):
    def __init__(self, allowed: tuple[str, ...]) -> None:
        self.allowed = allowed

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        host = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1")
        probe = scope.get("path", "") in ("/healthz", "/readyz")  # kubelet probes use the pod IP as Host
        if scope["type"] == "http" and not probe and not host_allowed(host, self.allowed):
            response: Any = error_response(400, "bad_request", "invalid Host header", [])
            await response.to_asgi_response(app=None, request=None)(scope, receive, send)
            return
        await next_app(scope, receive, send)
