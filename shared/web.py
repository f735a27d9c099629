"""Pieces every careerpath Litestar app shares: error bodies, request ids, internal credential, health."""

from __future__ import annotations

import hmac
import logging
import re
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
    "docs_assets_route",
    "health_route",
    "internal_app",
    "openapi_config",
]

REQUEST_ID_HEADER = "x-request-id"
SERVICE_TOKEN_HEADER = "x-service-token"
DOCS_ASSETS = "/docs-assets"
PUBLIC_PATHS = ("/healthz", "/readyz", "/schema", DOCS_ASSETS)
log = logging.getLogger("careerpath.web")
access = logging.getLogger("careerpath.access")
_RID = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")


def error_response(
    status: int,
    error: str,
    detail: str,
    errors: Iterable[ErrorDetail] = (),
    headers: dict[str, str] | None = None,
) -> Response[ErrorBody]:
    body = ErrorBody(
        status_code=status, error=error, detail=detail, errors=list(errors), request_id=request_id_var.get()
    )
    return Response(body, status_code=status, headers=headers, media_type="application/json")


_BAD_KEY = re.compile(r"Invalid enum value '([^']*)' - at `key` in `\$\.([^`]*)`")
_HEADER_FIELDS = {"if_match": "If-Match", "idempotency_key": "Idempotency-Key", "owner_id": "X-Owner-Id"}
_NAMED_FIELD = re.compile(r"(?:missing required field|unknown field) `([^`]+)`")


def _field_name(item: dict[str, Any]) -> str:
    """The dotted path of the offending field, from Litestar's ``key`` or msgspec's message."""
    key = str(item.get("key") or "")
    message = str(item.get("message", ""))
    path = message.split("at `$.", 1)[1].rstrip("`") if "at `$." in message else ""
    bad_key = _BAD_KEY.search(message)
    if bad_key:  # a dict key outside its enum: name it as mapping.key
        return f"{bad_key.group(2)}.{bad_key.group(1)}"
    named = _NAMED_FIELD.search(message)
    if named:  # the message names the field itself: missing or unknown (Litestar moves msgspec's path to key)
        where = path or (key if key not in ("", "data") else "")
        return ".".join(p for p in (where, named.group(1)) if p)
    if key and key != "data":
        return _HEADER_FIELDS.get(key, key)
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


def _name_enum_key(field: str, message: str, body: bytes | None) -> str:
    """An enum error on a dict's key (an unknown skill id) is named ``skills.<id>``, not ``skills``."""
    match = re.match(r"Invalid enum value '([^']*)'", message)
    if not match or not body:
        return field
    try:
        value = _walk(msgspec.json.decode(body), field)
    except (msgspec.DecodeError, KeyError, IndexError, TypeError, ValueError):
        return field
    return f"{field}.{match.group(1)}" if isinstance(value, dict) and match.group(1) in value else field


def _validation_errors(exc: ValidationException, body: bytes | None = None) -> list[ErrorDetail]:
    extra = exc.extra if isinstance(exc.extra, list) else ([exc.extra] if exc.extra else [])
    errors = []
    for item in extra:
        if isinstance(item, dict):
            message = str(item.get("message", exc.detail)).split(" - at `", 1)[0]
            field = _name_dict_key(_field_name(item), body)
            errors.append(ErrorDetail(field=_name_enum_key(field, message, body), message=message))
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
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        412: "precondition_failed",
        413: "payload_too_large",
        415: "unsupported_media_type",
        422: "unprocessable",
        428: "precondition_required",
        429: "rate_limited",
        503: "unavailable",
        504: "timeout",
    }.get(exc.status_code, "error" if exc.status_code >= 500 else "bad_request")
    errors = []
    if isinstance(exc.extra, dict) and "field" in exc.extra:
        errors.append(ErrorDetail(field=str(exc.extra["field"]), message=str(exc.detail)))
    elif exc.status_code in (400, 413, 415):
        errors.append(ErrorDetail(field="body", message=str(exc.detail)))
    headers = dict(exc.headers or {})
    return error_response(exc.status_code, code, str(exc.detail), errors, headers)


def _on_too_deep(request: Request[Any, Any, Any], exc: RecursionError) -> Response[ErrorBody]:
    """JSON nested deeper than the decoder's recursion limit (msgspec raises RecursionError): the
    client's mistake, answered 400 naming the body; logged as one line, never as a traceback."""
    log.warning("refused %s %s: %s", request.method, request.url.path, exc)
    detail = "the body is nested too deeply"
    return error_response(400, "validation_error", detail, [ErrorDetail(field="body", message=detail)])


def _on_error(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", "internal server error")


def exception_handlers() -> dict[Any, Callable[..., Response[Any]]]:
    return {
        ValidationException: _on_validation,
        HTTPException: _on_http,
        RecursionError: _on_too_deep,
        Exception: _on_error,
    }


class RequestIdMiddleware(ASGIMiddleware):
    """Take ``X-Request-ID`` from the caller (or make one), expose it to logs, echo it back; say in
    ``Server-Timing: app;dur=<ms>`` how long this service held the request before answering."""

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
                spent = (time.perf_counter() - started) * 1000
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER.encode(), value.encode()),
                    # the time this service held the request (what its timeouts bound), for clients and
                    # the fault tests: a starved client's own clock measures its starvation too
                    (b"server-timing", f"app;dur={spent:.1f}".encode()),
                ]
            await send(message)

        try:
            await next_app(scope, receive, send_with_id)
        finally:
            access.info(
                "%s %s %s",
                scope.get("method"),
                scope.get("path"),
                status,
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


def health_route(
    service: str, checks: Callable[[Request[Any, Any, Any]], Awaitable[dict[str, str]]]
) -> list[Any]:
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


def internal_app(
    service: str,
    description: str,
    settings: Any,
    route_handlers: list[Any],
    lifespan: Any,
    checks: Callable[[Request[Any, Any, Any]], Awaitable[dict[str, str]]],
    dependencies: dict[str, Any] | None = None,
) -> Any:
    """A Litestar app for an internal service: request ids, the service credential, JSON errors, health,
    and the app-level ``dependencies`` (Litestar providers) its handlers are given."""
    from litestar import Litestar

    app = Litestar(
        route_handlers=[*route_handlers, *health_route(service, checks), docs_assets_route()],
        lifespan=[lifespan],
        dependencies=dependencies,
        middleware=[RequestIdMiddleware(), ServiceTokenMiddleware(settings.service_token)],
        exception_handlers=exception_handlers(),
        openapi_config=openapi_config(f"careerpath {service}", description),
        request_max_body_size=settings.max_body_bytes,
        logging_config=None,
        debug=False,
    )
    app.state.settings = settings
    document_errors(app, _internal_error_codes)
    return app


def _internal_error_codes(path: str, method: str, has_body: bool) -> list[int]:
    if path.startswith(PUBLIC_PATHS):
        return []
    return [400, 401, 431, 503] + ([404] if "{" in path else []) + ([413] if has_body else [])


def docs_assets_route() -> Any:
    """Swagger UI's files from the ``swagger-ui-bundle`` wheel, for ``/schema/swagger``."""
    from litestar.static_files import create_static_files_router
    from swagger_ui_bundle import swagger_ui_path

    return create_static_files_router(
        path=DOCS_ASSETS, directories=[swagger_ui_path], include_in_schema=False
    )


def openapi_config(
    title: str, description: str, security_schemes: dict[str, Any] | None = None
) -> OpenAPIConfig:
    from litestar.openapi.spec import Components

    components = Components(security_schemes=security_schemes) if security_schemes else None
    return OpenAPIConfig(
        title=title,
        version="1.0.0",
        description=description,
        path="/schema",
        render_plugins=[
            SwaggerRenderPlugin(  # served by us: nothing is fetched from a CDN
                js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
                css_url=f"{DOCS_ASSETS}/swagger-ui.css",
                standalone_preset_js_url=f"{DOCS_ASSETS}/swagger-ui-standalone-preset.js",
                favicon=f"<link rel='icon' type='image/png' href='{DOCS_ASSETS}/favicon-32x32.png'>",
            )
        ],
        components=components or [],
    )


_ERROR_DESCRIPTIONS = {
    400: "the request is not valid (the errors name the fields)",
    401: "not signed in, or a bad credential",
    403: "signed in, but not allowed",
    404: "not found (or not yours)",
    409: "conflicts with what is stored",
    412: "If-Match names an old version",
    413: "body too large",
    415: "the body is not JSON (Content-Type must be application/json)",
    422: "well-formed but refused: an Idempotency-Key reused with another body, a repeated candidate id, "
    "an e-mail address that looks like another (the errors name the field)",
    428: "If-Match is required",
    429: "rate limit exceeded (see Retry-After)",
    431: "the request line and headers are too large",
    502: "a service failed",
    503: "a service or database is unavailable (see Retry-After)",
}


_PATH_PARAMETER = re.compile(r"\{(\w+):\w+\}")


def document_errors(app: Any, codes_for: Callable[[str, str, bool], Iterable[int]]) -> None:
    """Declare the error answers each operation can give, with the ErrorBody schema, then refine the document.

    ``codes_for(path, method, has_body)`` names the codes; each becomes a ``ResponseSpec`` on the app's own
    copy of the route handler (Litestar's 400 shape is replaced by ours), so Litestar writes them into the
    OpenAPI document it generates.
    """
    from litestar.openapi.datastructures import ResponseSpec

    specs = {
        code: ResponseSpec(data_container=ErrorBody, description=text, generate_examples=False)
        for code, text in _ERROR_DESCRIPTIONS.items()
    }
    for route in app.routes:
        path = _PATH_PARAMETER.sub(r"{\1}", route.path)
        for handler in getattr(route, "route_handlers", ()):
            has_body = "data" in handler.parsed_fn_signature.parameters
            codes = {code for method in handler.http_methods for code in codes_for(path, method, has_body)}
            declared = {code: specs[code] for code in sorted(codes)}
            handler.responses = {**(handler.responses or {}), **declared} or None
    _refine_document(app.openapi_schema)


def _refine_document(openapi: Any) -> None:
    """What Litestar's generated document does not say: the error body as msgspec describes it (with its
    docstring and defaults), optional parameters are never null, skill maps list their keys, bodies that
    refuse unknown fields say so."""
    _, components = msgspec.json.schema_components([ErrorBody], ref_template="#/components/schemas/{name}")
    for name, definition in components.items():
        openapi.components.schemas[name] = _to_spec(definition)
    for item in (openapi.paths or {}).values():
        for method in ("get", "put", "post", "delete", "patch"):
            for parameter in getattr(getattr(item, method, None), "parameters", None) or []:
                _not_null(parameter)
    _constrain_skill_maps(openapi.components.schemas)
    for struct in _all_structs(msgspec.Struct):
        schema_obj = openapi.components.schemas.get(struct.__name__)
        if struct.__struct_config__.forbid_unknown_fields and schema_obj is not None:  # type: ignore[attr-defined]
            schema_obj.additional_properties = False  # such bodies refuse unknown fields: say so


def _constrain_skill_maps(schemas: dict[str, Any]) -> None:
    """Skill maps take only the catalogue's skill ids as keys: list them, so clients (and fuzzers) know."""
    from litestar.openapi.spec import Schema
    from litestar.openapi.spec.enums import OpenAPIType

    from shared.catalog import load_catalog

    ids = load_catalog().skill_ids
    for schema_obj in schemas.values():
        skills = (getattr(schema_obj, "properties", None) or {}).get("skills")
        values = getattr(skills, "additional_properties", None)
        if isinstance(skills, Schema) and getattr(values, "type", None) == OpenAPIType.INTEGER:
            level = Schema(
                type=OpenAPIType.INTEGER,
                minimum=0,
                maximum=4,
                description="0 none, 1 aware, 2 working, 3 proficient, 4 expert",
            )
            skills.properties = {sid: level for sid in ids}
            skills.additional_properties = False


def _not_null(parameter: Any) -> None:
    """An optional header or query parameter is absent, never ``null``: document it as the plain type."""
    schema_obj = getattr(parameter, "schema", None)
    options = getattr(schema_obj, "one_of", None) or getattr(schema_obj, "any_of", None)
    if options and getattr(parameter, "param_in", None) in ("header", "query"):
        kept = [
            o
            for o in options
            if getattr(o, "type", None) != "null" and str(getattr(o, "type", "")) != "OpenAPIType.NULL"
        ]
        if len(kept) == 1:
            for attr in ("pattern", "min_length", "max_length", "description", "enum"):
                if getattr(schema_obj, attr, None) is not None and getattr(kept[0], attr, None) is None:
                    setattr(kept[0], attr, getattr(schema_obj, attr))
            parameter.schema = kept[0]


def _all_structs(cls: type) -> Iterable[Any]:
    sub: Any
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_structs(sub)


def _to_spec(definition: dict[str, Any]) -> Any:
    """A msgspec JSON Schema fragment as Litestar's Schema object."""
    from litestar.openapi.spec import Reference, Schema

    if "$ref" in definition:
        return Reference(ref=definition["$ref"])
    kwargs: dict[str, Any] = {}
    for key, value in definition.items():
        if key == "properties":
            kwargs["properties"] = {k: _to_spec(v) for k, v in value.items()}
        elif key == "items":
            kwargs["items"] = _to_spec(value)
        elif key == "anyOf":
            kwargs["any_of"] = [_to_spec(v) for v in value]
        elif key in ("type", "required", "title", "description", "default", "format"):
            kwargs[key] = value
    return Schema(**kwargs)
