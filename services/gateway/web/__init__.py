"""The web page served at ``/`` with its static assets (no external CDN).

The assets are answered with ``Cache-Control: no-cache`` and an ETag (a hash of the file): a
browser keeps them and asks each time whether they changed, and an unchanged file is a 304 with no body.
Without it (Litestar's static router gave ETag and Last-Modified but never a 304, and no Cache-Control)
browsers guessed a freshness from the file's age and could run an old module beside a new one after a
deploy, or downloaded every file again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from services.gateway.conditional import etag_of, none_match

__all__ = ["SECURITY_HEADERS", "STATIC_DIR", "web_routes"]

STATIC_DIR = (Path(__file__).parent / "static").resolve()
MEDIA_TYPES = {  # Litestar adds "; charset=utf-8" to the text/ ones
    ".js": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".html": "text/html",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
# Sent on every gateway response; the page and its assets also get the CSP.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def _with_module_preloads(page: bytes) -> bytes:
    """``page`` with a ``<link rel="modulepreload">`` for every module in ``static/js``, before ``</head>``.

    app.js imports the others, which import more: without the links the browser learns of each level only
    once the one above has arrived, a round trip per level (on a 562 ms-RTT connection, seconds). The list
    is made from the folder when the page is served, so a new module is preloaded without editing it."""
    links = "".join(
        f'<link rel="modulepreload" href="/static/js/{module.name}">\n'
        for module in sorted((STATIC_DIR / "js").glob("*.js"))
    )
    return page.replace(b"</head>", links.encode() + b"</head>", 1)


@get("/", include_in_schema=False, sync_to_thread=False)
def index() -> Response[bytes]:
    return Response(
        _with_module_preloads((STATIC_DIR / "index.html").read_bytes()),
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"},
    )


@get("/static/{path:path}", include_in_schema=False, sync_to_thread=False)
def static_file(request: Request[Any, Any, Any], path: FromPath[str]) -> Response[bytes]:
    """A file under ``static/`` (never outside it), or 304 when the caller's copy is current."""
    file = (STATIC_DIR / path.lstrip("/")).resolve()
    media_type = MEDIA_TYPES.get(file.suffix)
    if media_type is None or not file.is_relative_to(STATIC_DIR) or not file.is_file():
        raise NotFoundException()
    content = file.read_bytes()
    etag = etag_of(content)  # weak: the same file sent brotli, gzip or plain (conditional.py)
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Content-Security-Policy": CSP}
    if none_match(request.headers.get("if-none-match"), etag):
        return Response(b"", status_code=304, headers=headers)
    return Response(content, media_type=media_type, headers=headers)


def web_routes() -> list[Any]:
    return [index, static_file]
