"""``/problems`` and ``/problems/{code}``: the error-code catalogue, where each error's ``type`` points.

Every error answer's ``type`` is ``/problems/<code>`` (RFC 9457); following it gives the code's status,
title and meaning: JSON for a program, a short HTML page for a browser (``Accept: text/html``). Public,
the same for everyone, and changed only by a deploy, so caches may keep it for a day.
"""

from __future__ import annotations

from html import escape
from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import PathParameter

from shared.contracts.problems import PROBLEMS, Problem

__all__ = ["problem_routes"]

_CACHE = {"Cache-Control": "public, max-age=86400"}
_PAGE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title} ({code})</title></head>"
    "<body><h1>{title}</h1><p>HTTP status {status} &middot; code <code>{code}</code></p><p>{text}</p>"
    "<p><a href='/problems'>All error codes</a></p></body></html>"
)


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept


@get(
    "/problems",
    tags=["errors"],
    summary="Every error code the API answers with",
    description=(
        "The catalogue of `code` values an error body can carry, with the status each comes with and what it "
        "means for a caller."
    ),
    sync_to_thread=False,
)
def list_problems() -> Response[list[Problem]]:
    return Response(list(PROBLEMS.values()), headers=_CACHE)


@get(
    "/problems/{code:str}",
    tags=["errors"],
    summary="What an error code means (an error's `type` points here)",
    description="JSON by default; a short HTML page when the request accepts `text/html` and not JSON.",
    sync_to_thread=False,
)
def describe_problem(
    request: Request[Any, Any, Any],
    code: Annotated[str, PathParameter(description="an error code, as in an error body's `code`")],
) -> Response[Problem]:
    problem = PROBLEMS.get(code)
    if problem is None:
        raise NotFoundException(detail=f"no error code {code!r}: the codes are listed at /problems")
    if _wants_html(request):
        title, text = escape(problem.title), escape(problem.description)
        page = _PAGE.format(title=title, code=escape(code), status=problem.status, text=text)
        html: Response[Any] = Response(page, media_type="text/html", headers=_CACHE)
        return html
    return Response(problem, headers=_CACHE)


def problem_routes() -> list[Any]:
    return [list_problems, describe_problem]
