"""Pieces every careerpath Litestar app shares: error bodies, request ids, internal credential, health."""

from __future__ import annotations

import hmac
import re
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.exceptions import HTTPException, ValidationException
from litestar.middleware import ASGIMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ASGIApp, Receive, Scope, Send

from shared.contracts.common import ErrorBody, ErrorDetail, Level
from shared.logging import request_id_var

__all__ = [
    "REQUEST_ID_HEADER",
    "SERVICE_TOKEN_HEADER",
    "PUBLIC_PATHS",
    "RequestIdMiddleware",
    "ServiceTokenMiddleware",
    "error_response",
    "exception_handlers",
    "health_route",
    "openapi_config",
]

REQUEST_ID_HEADER = "x-request-id"
SERVICE_TOKEN_HEADER = "x-service-token"
PUBLIC_PATHS = ("/healthz", "/readyz", "/schema")
log = logging.getLogger("careerpath.web")
access = logging.getLogger("careerpath.access")
_RID = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")


def error_response(
    status: int, error: str, detail: str, errors: Iterable[ErrorDetail] = (), headers: dict[str, str] | None = None
) -> Response[ErrorBody]:
    body = ErrorBody(
        status_code=status, error=error, detail=detail, errors=list(errors), request_id=request_id_var.get()
    )
    return Response(body, status_code=status, headers=headers, media_type="application/json")


_NAMED_FIELD = re.compile(r"(?:missing required field|unknown field) `([^`]+)`")


def _field_name(item: dict[str, Any]) -> str:
    """The dotted path of the offending field, from Litestar's ``key`` or msgspec's message."""
    key = str(item.get("key") or "")
    message = str(item.get("message", ""))
    path = message.split("at `$.", 1)[1].rstrip("`") if "at `$." in message else ""
    named = _NAMED_FIELD.search(message)
    if named:  # the message names the field itself: missing or unknown
        return ".".join(p for p in (path, named.group(1)) if p)
    if key and key != "data":
        return key
    return path or str(item.get("source") or "body")


def _walk(data: Any, path: str) -> Any:
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            data = data[int(part[1:-1])]
        else:
            data = data[part]
    return data


def _name_dict_key(field: str, body: bytes | None) -> str:
    """msgspec reports a bad dict value as ``skills[...]``; name the key (``skills.python``) from the body."""
    if "[...]" not in field or not body:
        return field
    head, _, tail = field.partition("[...]")
    try:
        mapping = _walk(msgspec.json.decode(body), head)
    except (msgspec.DecodeError, KeyError, IndexError, TypeError, ValueError):
        return field
    if isinstance(mapping, dict):
        for key, value in mapping.items():
            try:
                msgspec.convert(value, Level)
            except msgspec.ValidationError:
                return f"{head}.{key}{tail}"
    return field


def _validation_errors(exc: ValidationException, body: bytes | None = None) -> list[ErrorDetail]:
    extra = exc.extra if isinstance(exc.extra, list) else ([exc.extra] if exc.extra else [])
    errors = []
    for item in extra:
        if isinstance(item, dict):
            message = str(item.get("message", exc.detail)).split(" - at `", 1)[0]
            errors.append(ErrorDetail(field=_name_dict_key(_field_name(item), body), message=message))
    if not errors:
        detail = str(exc.detail)
        field = detail.split("at `$.", 1)[1].rstrip("`") if "at `$." in detail else "body"
        errors.append(ErrorDetail(field=field, message=detail))
    return errors


def _on_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[ErrorBody]:
    body = getattr(request, "_body", None)
    errors = _validation_errors(exc, body if isinstance(body, bytes) else None)
    return error_response(exc.status_code, "validation_error", "the request is not valid", errors)


def _on_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorBody]:
    code = {
        401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 409: "conflict",
        412: "precondition_failed", 413: "payload_too_large", 415: "unsupported_media_type", 428: "precondition_required",
        429: "rate_limited", 503: "unavailable", 504: "timeout",
    }.get(exc.status_code, "error" if exc.status_code >= 500 else "bad_request")
    errors = []
    if isinstance(exc.extra, dict) and "field" in exc.extra:
        errors.append(ErrorDetail(field=str(exc.extra["field"]), message=str(exc.detail)))
    elif exc.status_code in (400, 413, 415):
        errors.append(ErrorDetail(field="body", message=str(exc.detail)))
    headers = dict(exc.headers or {})
    return error_response(exc.status_code, code, str(exc.detail), errors, headers)


def _on_error(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", "internal server error")


def exception_handlers() -> dict[Any, Callable[..., Response[Any]]]:
    return {ValidationException: _on_validation, HTTPException: _on_http, Exception: _on_error}


class RequestIdMiddleware(ASGIMiddleware):
    """Take ``X-Request-ID`` from the caller (or make one), expose it to logs, echo it back."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        incoming = dict(scope.get("headers", [])).get(REQUEST_ID_HEADER.encode())
        value = incoming.decode("latin-1")[:64] if incoming and _RID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(value)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (REQUEST_ID_HEADER.encode(), value.encode())]
            await send(message)

        try:
            await next_app(scope, receive, send_with_id)
        finally:
            access.info(
                "%s %s %s", scope.get("method"), scope.get("path"), status,
                extra={"fields": {"status": status, "ms": round((time.perf_counter() - started) * 1000, 2)}},
            )
            request_id_var.reset(token)


class ServiceTokenMiddleware(ASGIMiddleware):
    """Internal services answer only callers that present the service credential (the gateway)."""

    def __init__(self, token: str) -> None:
        self.token = token.encode()

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and not path.startswith(PUBLIC_PATHS):
            given = dict(scope.get("headers", [])).get(SERVICE_TOKEN_HEADER.encode(), b"")
            if not hmac.compare_digest(given, self.token):
                response = error_response(401, "unauthorized", "missing or wrong service credential")
                await response.to_asgi_response(app=None, request=None)(scope, receive, send)  # type: ignore[arg-type]
                return
        await next_app(scope, receive, send)


class Health(msgspec.Struct, kw_only=True, frozen=True):
    status: str
    service: str
    checks: dict[str, str] = {}


def health_route(service: str, checks: Callable[[Request[Any, Any, Any]], Awaitable[dict[str, str]]]) -> list[Any]:
    """``/healthz`` (the process answers) and ``/readyz`` (its dependencies answer; 503 otherwise)."""

    @get("/healthz", tags=["health"], summary="Liveness", sync_to_thread=False)
    def healthz() -> Health:
        return Health(status="ok", service=service)

    @get("/readyz", tags=["health"], summary="Readiness: dependencies reachable")
    async def readyz(request: Request[Any, Any, Any]) -> Response[Health]:
        results = await checks(request)
        ok = all(v == "ok" for v in results.values())
        return Response(
            Health(status="ok" if ok else "unavailable", service=service, checks=results),
            status_code=200 if ok else 503,
        )

    return [healthz, readyz]


def openapi_config(title: str, description: str, security_schemes: dict[str, Any] | None = None) -> OpenAPIConfig:
    from litestar.openapi.spec import Components

    components = Components(security_schemes=security_schemes) if security_schemes else None
    security = [{name: []} for name in security_schemes] if security_schemes else None
    return OpenAPIConfig(
        title=title,
        version="1.0.0",
        description=description,
        path="/schema",
        render_plugins=[SwaggerRenderPlugin()],
        components=components or [],
        security=security,
    )
