"""The web page served at ``/`` with its static assets (no external CDN)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Response, get
from litestar.static_files import create_static_files_router

__all__ = ["STATIC_DIR", "web_routes"]

STATIC_DIR = Path(__file__).parent / "static"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


@get("/", include_in_schema=False, sync_to_thread=False)
def index() -> Response[bytes]:
    return Response(
        (STATIC_DIR / "index.html").read_bytes(), media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS
    )


def web_routes() -> list[Any]:
    return [
        index,
        create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False,
                                   headers=SECURITY_HEADERS),
    ]
