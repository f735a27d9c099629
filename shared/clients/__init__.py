"""Typed clients of the internal services: one per service, next to the contracts they speak.

Each method names an operation, takes and returns contract Structs, and owns the path, the method and
the owner header. The transport is the caller's (the gateway's keep-alive :class:`Transport`): it adds
the service credential and the request id, applies the timeouts, raises for a 4xx/5xx answer and turns
a service that does not answer into a 503 naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

__all__ = ["Answer", "Transport"]


class Answer(Protocol):
    """What the transport returns for a 2xx answer."""

    status_code: int
    content: bytes

    @property
    def headers(self) -> Mapping[str, str]: ...


class Transport(Protocol):
    """One internal service's connection pool (``services.gateway.clients.Upstream``)."""

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Answer: ...
