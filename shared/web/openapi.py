"""The OpenAPI document: its configuration, Swagger UI from our own files, and documented error answers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from litestar.openapi import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components
from litestar.routes import HTTPRoute
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

from shared.contracts.common import ErrorBody
from shared.web.errors import PROBLEM_JSON
from shared.web.openapi_document import HeaderPaths, finish_document

if TYPE_CHECKING:
    from litestar import Litestar, Router
    from litestar.openapi.spec import Reference, SecurityScheme

__all__ = ["DOCS_ASSETS", "docs_assets_route", "document_errors", "openapi_config"]

DOCS_ASSETS = "/docs-assets"


def docs_assets_route() -> Router:
    """Swagger UI 5's files from the ``swagger-ui-bundle-v2`` wheel, for ``/schema/swagger`` (it reads
    OpenAPI 3.1; nothing is fetched from a CDN)."""
    return create_static_files_router(
        path=DOCS_ASSETS, directories=[swagger_ui_path], include_in_schema=False
    )


def openapi_config(
    title: str,
    description: str,
    security_schemes: dict[str, SecurityScheme | Reference] | None = None,
    version: str = "1.0.0",
) -> OpenAPIConfig:
    components = Components(security_schemes=security_schemes) if security_schemes else None
    return OpenAPIConfig(
        title=title,
        version=version,
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
    410: "the market-data version pinned with Careerpath-Market-Version is no longer kept (the detail "
    "names the live one)",
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


def document_errors(
    app: Litestar,
    codes_for: Callable[[str, str, bool], Iterable[int]],
    *,
    headers: HeaderPaths | None = None,
) -> None:
    """Declare the error answers each operation can give, with the ErrorBody schema, then finish the document.

    ``codes_for(path, method, has_body)`` names the codes; each becomes a ``ResponseSpec`` on the app's own
    copy of the route handler (Litestar's 400 shape is replaced by ours), so Litestar writes them into the
    OpenAPI document it generates; :func:`~shared.web.openapi_document.finish_document` then refines it
    (``headers`` says which paths' answers declare the RateLimit-*, WWW-Authenticate and API-version
    headers).
    """
    specs = {
        code: ResponseSpec(
            data_container=ErrorBody, description=text, generate_examples=False, media_type=PROBLEM_JSON
        )
        for code, text in _ERROR_DESCRIPTIONS.items()
    }
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        path = _PATH_PARAMETER.sub(r"{\1}", route.path)
        for handler in route.route_handlers:
            has_body = "data" in handler.parsed_fn_signature.parameters
            codes = {code for method in handler.http_methods for code in codes_for(path, method, has_body)}
            declared = {code: specs[code] for code in sorted(codes)}
            handler.responses = {**(handler.responses or {}), **declared} or None
    finish_document(app, headers=headers)
