"""One shared async HTTP client per upstream service: keep-alive, timeouts, service credential, request id.

A service that does not answer becomes a 503 naming it; its own error bodies pass through unchanged.
"""

from __future__ import annotations

from typing import Any

import httpx
import msgspec
from litestar import Response
from litestar.exceptions import HTTPException

from shared.logging import request_id_var
from shared.web import REQUEST_ID_HEADER, SERVICE_TOKEN_HEADER

__all__ = ["Upstream", "UpstreamError"]

_RETRYABLE = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError)


class UpstreamError(HTTPException):
    """A 4xx/5xx answer from an upstream service, carried to our caller as it was."""

    def __init__(self, status_code: int, body: bytes, headers: dict[str, str]) -> None:
        super().__init__(status_code=status_code, detail="upstream error")
        self.body = body
        self.passthrough_headers = headers

    def to_response(self) -> Response[bytes]:
        return Response(
            self.body, status_code=self.status_code, media_type="application/json", headers=self.passthrough_headers
        )


class Upstream:
    """Calls to one internal service."""

    def __init__(self, name: str, base_url: str, token: str, timeout: float, connect_timeout: float,
                 max_connections: int) -> None:
        self.name = name
        self.client = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            headers={SERVICE_TOKEN_HEADER: token},
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    def _unavailable(self, exc: Exception) -> HTTPException:
        timed_out = isinstance(exc, httpx.TimeoutException)
        return HTTPException(
            status_code=503,
            detail=f"{self.name} service {'timed out' if timed_out else 'unavailable'}",
            headers={"Retry-After": "2"},
            extra={"dependency": self.name},
        )

    async def request(
        self, method: str, path: str, *, json: Any = None, headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """Send one request (GETs are retried once on a connection failure); raise on 4xx/5xx."""
        sent_headers = {**(headers or {})}
        if (rid := request_id_var.get()) is not None:
            sent_headers[REQUEST_ID_HEADER] = rid
        content = msgspec.json.encode(json) if json is not None else None
        if content is not None:
            sent_headers["content-type"] = "application/json"
        attempts = 2 if method in ("GET", "HEAD") else 1
        for attempt in range(attempts):
            try:
                response = await self.client.request(
                    method, path, content=content, headers=sent_headers, params=params
                )
                break
            except _RETRYABLE as exc:
                if attempt + 1 == attempts:
                    raise self._unavailable(exc) from None
            except httpx.HTTPError as exc:
                raise self._unavailable(exc) from None
        if response.status_code >= 400:
            keep = {k: v for k, v in response.headers.items() if k.lower() in ("etag", "retry-after")}
            if response.status_code >= 500 and response.status_code != 503:
                raise HTTPException(status_code=502, detail=f"{self.name} service failed", extra={"dependency": self.name})
            raise UpstreamError(response.status_code, response.content, keep)
        return response
