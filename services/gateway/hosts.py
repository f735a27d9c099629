"""Refuse requests whose Host header is not one of ours (400), whatever the port.

Litestar's ``AllowedHostsConfig`` and middleware do the work (``*`` and ``*.name`` entries, the excluded
probe paths, HTTP scopes only); this subclass keeps two things they do differently: the port and the
letter case of the Host header do not matter (Litestar matches ``host:port`` exactly), and the refusal is
the API's error body with its request id (Litestar's is a bare ``{"message": ...}``). It runs where it is
listed among the app's middleware, so an unknown host is refused before authentication.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import DefineMiddleware
from litestar.middleware.allowed_hosts import AllowedHostsMiddleware

from shared.web.errors import error_response, refuse

if TYPE_CHECKING:
    from litestar.types import Receive, Scope, Send

__all__ = ["allowed_hosts_middleware", "host_name"]

PROBES = ["^/healthz$", "^/readyz$"]  # kubelet probes use the pod IP as Host


def host_name(host: str) -> str:
    """The Host header without its port, in lower case (``[::1]:8000`` -> ``[::1]``)."""
    name = host if host.endswith("]") else host.rsplit(":", 1)[0]
    return name.strip().lower()


class _HostsMiddleware(AllowedHostsMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        allowed = self.allowed_hosts_regex
        if allowed is None or allowed.fullmatch(host_name(MutableScopeHeaders(scope=scope).get("host", ""))):
            await self.app(scope, receive, send)
            return
        response = error_response(400, "bad_request", "invalid Host header", [], instance=scope["path"])
        await refuse(scope, receive, send, response)


def allowed_hosts_middleware(allowed: tuple[str, ...]) -> DefineMiddleware:
    """The middleware that refuses other hosts than ``allowed`` (``*`` allows any)."""
    config = AllowedHostsConfig(
        allowed_hosts=[entry.lower() for entry in allowed],
        exclude=PROBES,
        scopes={ScopeType.HTTP},
        www_redirect=False,
    )
    return DefineMiddleware(_HostsMiddleware, config=config)
