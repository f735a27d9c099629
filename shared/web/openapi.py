"""The OpenAPI document: its configuration, Swagger UI from our own files, and documented error answers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import msgspec
from litestar.enums import ParamType
from litestar.openapi import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, Parameter, Reference, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.routes import HTTPRoute
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

from shared.catalog import load_catalog
from shared.contracts.common import ErrorBody

if TYPE_CHECKING:
    from litestar import Litestar, Router
    from litestar.openapi.spec import OpenAPI, SecurityScheme

__all__ = ["DOCS_ASSETS", "docs_assets_route", "document_errors", "openapi_config"]

DOCS_ASSETS = "/docs-assets"


def docs_assets_route() -> Router:
    """Swagger UI's files from the ``swagger-ui-bundle`` wheel, for ``/schema/swagger``."""
    return create_static_files_router(
        path=DOCS_ASSETS, directories=[swagger_ui_path], include_in_schema=False
    )


def openapi_config(
    title: str, description: str, security_schemes: dict[str, SecurityScheme | Reference] | None = None
) -> OpenAPIConfig:
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


def document_errors(app: Litestar, codes_for: Callable[[str, str, bool], Iterable[int]]) -> None:
    """Declare the error answers each operation can give, with the ErrorBody schema, then refine the document.

    ``codes_for(path, method, has_body)`` names the codes; each becomes a ``ResponseSpec`` on the app's own
    copy of the route handler (Litestar's 400 shape is replaced by ours), so Litestar writes them into the
    OpenAPI document it generates.
    """
    specs = {
        code: ResponseSpec(data_container=ErrorBody, description=text, generate_examples=False)
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
    _refine_document(app.openapi_schema)


def _refine_document(openapi: OpenAPI) -> None:
    """What Litestar's generated document does not say: the error body as msgspec describes it (with its
    docstring and defaults), optional parameters are never null, skill maps list their keys, bodies that
    refuse unknown fields say so."""
    _, components = msgspec.json.schema_components([ErrorBody], ref_template="#/components/schemas/{name}")
    schemas = openapi.components.schemas
    for name, definition in components.items():
        schemas[name] = _to_schema(definition)
    for item in (openapi.paths or {}).values():
        for operation in (item.get, item.put, item.post, item.delete, item.patch):
            for parameter in (operation.parameters if operation else None) or []:
                _not_null(parameter)
    _constrain_skill_maps(schemas)
    for struct in _all_structs(msgspec.Struct):
        schema_obj = schemas.get(struct.__name__)
        if struct.__struct_config__.forbid_unknown_fields and schema_obj is not None:
            schema_obj.additional_properties = False  # such bodies refuse unknown fields: say so


def _constrain_skill_maps(schemas: dict[str, Schema]) -> None:
    """Skill maps take only the catalogue's skill ids as keys: list them, so clients (and fuzzers) know."""
    ids = load_catalog().skill_ids
    for schema_obj in schemas.values():
        skills = (schema_obj.properties or {}).get("skills")
        if (
            isinstance(skills, Schema)
            and isinstance(skills.additional_properties, Schema)
            and skills.additional_properties.type == OpenAPIType.INTEGER
        ):
            level = Schema(
                type=OpenAPIType.INTEGER,
                minimum=0,
                maximum=4,
                description="0 none, 1 aware, 2 working, 3 proficient, 4 expert",
            )
            skills.properties = {sid: level for sid in ids}
            skills.additional_properties = False


def _not_null(parameter: Parameter | Reference) -> None:
    """An optional header or query parameter is absent, never ``null``: document it as the plain type."""
    if not isinstance(parameter, Parameter) or not isinstance(parameter.schema, Schema):
        return
    schema_obj = parameter.schema
    options = schema_obj.one_of or schema_obj.any_of
    if options and parameter.param_in in (ParamType.HEADER, ParamType.QUERY):
        kept = [o for o in options if not (isinstance(o, Schema) and o.type == OpenAPIType.NULL)]
        if len(kept) == 1:
            for attr in ("pattern", "min_length", "max_length", "description", "enum"):
                if getattr(schema_obj, attr, None) is not None and getattr(kept[0], attr, None) is None:
                    setattr(kept[0], attr, getattr(schema_obj, attr))
            parameter.schema = kept[0]


def _all_structs(cls: type[msgspec.Struct]) -> Iterator[type[msgspec.Struct]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_structs(sub)


def _to_spec(definition: dict[str, Any]) -> Schema | Reference:
    """A msgspec JSON Schema fragment as Litestar's Schema object (or a Reference to one)."""
    if "$ref" in definition:
        return Reference(ref=definition["$ref"])
    return _to_schema(definition)


def _to_schema(definition: dict[str, Any]) -> Schema:
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
