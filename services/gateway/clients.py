"""One shared keep-alive pool per upstream service: timeouts, service credential, request id.

A service that does not answer becomes a 503 naming it; its own error bodies pass through unchanged.
The pool is :mod:`shared.http`'s (httpx's pool cost most of the gateway's CPU under concurrency).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import msgspec
from litestar import Response
from litestar.exceptions import HTTPException

from shared.http import ConnectError, ConnectionPool, HTTPError, RemoteProtocolError
from shared.http import Response as UpstreamResponse
from shared.logging import request_id_var
from shared.web.errors import PROBLEM_JSON
from shared.web.middleware import REQUEST_ID_HEADER, SERVICE_TOKEN_HEADER

__all__ = ["Upstream", "UpstreamError", "UpstreamResponse"]

_RETRYABLE = (ConnectError, RemoteProtocolError)
_PASSED_ON = ("etag", "retry-after", "www-authenticate")
_problem_decoder = msgspec.json.Decoder(dict[str, Any])


class UpstreamError(HTTPException):
    """A 4xx/5xx answer from an upstream service, carried to our caller as it was."""

    def __init__(self, status_code: int, body: bytes, headers: dict[str, str]) -> None:
        super().__init__(status_code=status_code, detail="upstream error")
        self.body = body
        self.passthrough_headers = headers

    def to_response(self, instance: str | None = None) -> Response[bytes]:
        """The service's problem details as it sent them, ``instance`` (the service's own path) made the
        path our caller asked for."""
        body = self.body
        if instance is not None:
            try:
                problem = _problem_decoder.decode(body)
            except msgspec.DecodeError:
                problem = None
            if isinstance(problem, dict) and "instance" in problem:
                body = msgspec.json.encode({**problem, "instance": instance})
        return Response(
            body,
            status_code=self.status_code,
            media_type=PROBLEM_JSON,
            headers=self.passthrough_headers,
        )


class Upstream:
    """Calls to one internal service."""

    def __init__(
        self,
        name: str,
        base_url: str,
        token: str,
        timeout: float,
        connect_timeout: float,
        max_connections: int,
    ) -> None:
        self.name = name
        url = urlsplit(base_url)
        tls = url.scheme == "https"
        self.prefix = url.path.rstrip("/")
        self.timeout = timeout
        self.token = token
        self.pool = ConnectionPool(
            url.hostname or "127.0.0.1",
            url.port or (443 if tls else 80),
            max_connections=max_connections,
            connect_timeout=connect_timeout,
            tls=tls,
        )

    async def aclose(self) -> None:
        await self.pool.aclose()

    async def probe(self, path: str, timeout: float) -> int:  # noqa: ASYNC109 - the pool applies it
        """The status of a plain GET (readiness checks); raises when the service does not answer."""
        answer = await self.pool.request("GET", self.prefix + path, timeout=timeout)
        return answer.status_code

    def _unavailable(self, exc: Exception) -> HTTPException:
        timed_out = isinstance(exc, TimeoutError)
        return HTTPException(
            status_code=503,
            detail=f"{self.name} service {'timed out' if timed_out else 'unavailable'}",
            headers={"Retry-After": "2"},
            extra={"dependency": self.name},
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
    ) -> UpstreamResponse:
        """Send one request (GETs are retried once on a connection failure); raise on 4xx/5xx."""
        sent_headers = {SERVICE_TOKEN_HEADER: self.token, **(headers or {})}
        if (rid := request_id_var.get()) is not None:
            sent_headers[REQUEST_ID_HEADER] = rid
        content = msgspec.json.encode(json) if json is not None else b""
        if json is not None:
            sent_headers["content-type"] = "application/json"
        target = quote(self.prefix + path, safe="/:@!$&'()*+,;=-._~%")
        target += "?" + urlencode(params) if params else ""
        attempts = 2 if method in ("GET", "HEAD") else 1
        for attempt in range(attempts):
            try:
                response = await self.pool.request(
                    method, target, headers=sent_headers.items(), body=content, timeout=self.timeout
                )
                break
            except _RETRYABLE as exc:
                if attempt + 1 == attempts:
                    raise self._unavailable(exc) from None
            except (HTTPError, TimeoutError, OSError) as exc:
                raise self._unavailable(exc) from None
        if response.status_code >= 400:
            keep = {k: v for k, v in response.headers.items() if k.lower() in _PASSED_ON}
            if response.status_code >= 500 and response.status_code != 503:
                raise HTTPException(
                    status_code=502,
                    detail=f"{self.name} service failed",
                    extra={"dependency": self.name, "code": "upstream_failed"},
                )
            raise UpstreamError(response.status_code, response.content, keep)
        return response
