"""Error answers: RFC 9457 problem details (``application/problem+json``) with the catalogue's code,
every invalid field, the request id; field names for validation failures; the exception handlers."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from shared.contracts.common import ErrorBody, ErrorDetail, Level
from shared.contracts.problems import PROBLEMS, code_for_status, problem_type
from shared.logging import request_id_var
from shared.web.fields import invalid_fields

if TYPE_CHECKING:
    from litestar.types import ExceptionHandlersMap, Receive, Scope, Send

__all__ = [
    "PROBLEM_JSON",
    "WWW_AUTHENTICATE",
    "error_response",
    "exception_handlers",
    "invalid_body",
    "problem_body",
    "refuse",
]

log = logging.getLogger("careerpath.web")
PROBLEM_JSON = "application/problem+json"
WWW_AUTHENTICATE = 'Bearer realm="careerpath"'
"""The challenge of every 401 that does not say more (RFC 6750: the API takes bearer tokens)."""


def problem_body(
    status: int,
    code: str,
    detail: str,
    errors: Iterable[ErrorDetail] = (),
    instance: str | None = None,
    request_id: str | None = None,
) -> ErrorBody:
    """The problem details of an error answer; ``code`` must be in the catalogue (KeyError otherwise)."""
    known = PROBLEMS[code]
    return ErrorBody(
        type=problem_type(code),
        title=known.title,
        status=status,
        detail=detail,
        instance=instance,
        code=code,
        errors=list(errors),
        request_id=request_id,
        error=code,
        status_code=status,
    )


def error_response(
    status: int,
    code: str,
    detail: str,
    errors: Iterable[ErrorDetail] = (),
    headers: dict[str, str] | None = None,
    instance: str | None = None,
) -> Response[ErrorBody]:
    """An error answer: problem details as ``application/problem+json``, with this request's id; a 401
    carries a ``WWW-Authenticate`` challenge (``Bearer realm="careerpath"`` unless ``headers`` has one)."""
    body = problem_body(status, code, detail, errors, instance, request_id_var.get())
    if status == 401 and not any(name.lower() == "www-authenticate" for name in headers or ()):
        headers = {**(headers or {}), "WWW-Authenticate": WWW_AUTHENTICATE}
    return Response(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


async def refuse(
    scope: Scope,
    receive: Receive,
    send: Send,
    response: Response[Any],
) -> None:
    """Send ``response`` from an ASGI middleware (a refusal before any route runs)."""
    request: Request[Any, Any, Any] = Request(scope, receive, send)
    await response.to_asgi_response(app=None, request=request)(scope, receive, send)


def invalid_body(value: Any, target: Any, *, strict: bool = True) -> ValidationException:
    """The 400 for a decoded body ``value`` that does not convert to ``target``: every invalid field."""
    found = invalid_fields(value, target, strict=strict)
    extra = [{"key": f.field, "pointer": f.pointer, "message": f.message} for f in found]
    return ValidationException(detail="the request is not valid", extra=extra)


_BAD_KEY = re.compile(r"Invalid enum value '([^']*)' - at `key` in `\$\.([^`]*)`")
_HEADER_FIELDS = {"if_match": "If-Match", "idempotency_key": "Idempotency-Key", "owner_id": "X-Owner-Id"}
_NAMED_FIELD = re.compile(r"(?:missing required field|unknown field) `([^`]+)`")
_MISSING_PARAMETER = re.compile(r"Missing required (\w+) parameter '([^']+)'")


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
        if isinstance(item, dict) and "pointer" in item:  # named already, by invalid_body
            errors.append(ErrorDetail(field=item["key"], message=item["message"], pointer=item["pointer"]))
        elif isinstance(item, dict):
            message = str(item.get("message", exc.detail)).split(" - at `", 1)[0]
            field = _name_dict_key(_field_name(item), body)
            errors.append(ErrorDetail(field=_name_enum_key(field, message, body), message=message))
    if not errors:
        detail = str(exc.detail)
        missing = _MISSING_PARAMETER.match(detail)
        if missing:  # a required query parameter (or header, cookie) not sent at all
            name = missing.group(2)
            errors.append(ErrorDetail(field=_HEADER_FIELDS.get(name, name), message=missing.group(0)))
            return errors
        field = detail.split("at `$.", 1)[1].rstrip("`") if "at `$." in detail else "body"
        errors.append(ErrorDetail(field=field, message=detail))
    return errors


def _body_errors(request: Request[Any, Any, Any], exc: ValidationException) -> list[ErrorDetail] | None:
    """Every invalid field of the body, when ``exc`` is Litestar's refusal of the handler's ``data``
    (msgspec named only the first); None when it is about something else."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    if not any(isinstance(i, dict) and (i.get("source") == "body" or i.get("key") == "data") for i in extra):
        return None
    body = getattr(request, "_body", None)
    data = request.route_handler.parsed_fn_signature.parameters.get("data")
    if not isinstance(body, bytes) or data is None:
        return None
    try:
        decoded = msgspec.json.decode(body)
    except (msgspec.DecodeError, RecursionError):
        return None
    found = invalid_fields(decoded, data.annotation, strict=False)  # Litestar converts bodies leniently
    return [ErrorDetail(field=f.field, message=f.message, pointer=f.pointer) for f in found] or None


def _on_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[ErrorBody]:
    body = getattr(request, "_body", None)
    errors = _body_errors(request, exc) or _validation_errors(exc, body if isinstance(body, bytes) else None)
    detail = "the request is not valid"
    return error_response(exc.status_code, "validation_error", detail, errors, instance=request.scope["path"])


def _on_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorBody]:
    extra = exc.extra if isinstance(exc.extra, dict) else {}
    code = str(extra.get("code") or code_for_status(exc.status_code))
    errors = []
    if "field" in extra:
        pointer = extra.get("pointer")
        errors.append(ErrorDetail(field=str(extra["field"]), message=str(exc.detail), pointer=pointer))
    elif exc.status_code in (400, 413, 415):
        errors.append(ErrorDetail(field="body", message=str(exc.detail)))
    headers = dict(exc.headers or {})
    return error_response(exc.status_code, code, str(exc.detail), errors, headers, request.scope["path"])


def _on_too_deep(request: Request[Any, Any, Any], exc: RecursionError) -> Response[ErrorBody]:
    """JSON nested deeper than the decoder's recursion limit (msgspec raises RecursionError): the
    client's mistake, answered 400 naming the body; logged as one line, never as a traceback."""
    log.warning("refused %s %s: %s", request.method, request.url.path, exc)
    detail = "the body is nested too deeply"
    errors = [ErrorDetail(field="body", message=detail, pointer="")]
    return error_response(400, "validation_error", detail, errors, instance=request.scope["path"])


def _on_error(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    detail = "internal server error"
    path = request.scope["path"]
    return error_response(HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", detail, instance=path)


def exception_handlers() -> ExceptionHandlersMap:
    return {
        ValidationException: _on_validation,
        HTTPException: _on_http,
        RecursionError: _on_too_deep,
        Exception: _on_error,
    }
