"""Error answers: the JSON error body, field names for validation failures, the exception handlers."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import msgspec
from litestar import Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from shared.contracts.common import ErrorBody, ErrorDetail, Level
from shared.logging import request_id_var

if TYPE_CHECKING:
    from litestar import Request
    from litestar.types import ExceptionHandlersMap

__all__ = ["error_response", "exception_handlers"]

log = logging.getLogger("careerpath.web")


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


def exception_handlers() -> ExceptionHandlersMap:
    return {
        ValidationException: _on_validation,
        HTTPException: _on_http,
        RecursionError: _on_too_deep,
        Exception: _on_error,
    }
