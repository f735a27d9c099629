"""The web page served at ``/`` with its static assets (no external CDN)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Response, get
from litestar.static_files import create_static_files_router

__all__ = ["SECURITY_HEADERS", "STATIC_DIR", "web_routes"]

STATIC_DIR = Path(__file__).parent / "static"
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


@get("/", include_in_schema=False, sync_to_thread=False)
def index() -> Response[bytes]:
    return Response(
        (STATIC_DIR / "index.html").read_bytes(),
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"},
    )


def _with_csp(response: Response[Any]) -> Response[Any]:
    response.headers["Content-Security-Policy"] = CSP
    return response


def web_routes() -> list[Any]:
    return [
        index,
        create_static_files_router(
            path="/static", directories=[STATIC_DIR], include_in_schema=False, after_request=_with_csp
        ),
    ]
