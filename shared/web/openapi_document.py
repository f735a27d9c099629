"""The finished OpenAPI document: what Litestar's generated one does not say, said on its JSON form.

Litestar builds the document from the route handlers; :func:`finish_document` then rewrites its JSON:

- every component schema of a contract Struct is msgspec's own (``msgspec.json.schema_components``):
  field descriptions, examples, units and constraints from ``msgspec.Meta``, the Struct's docstring;
- one ``RoleId`` enum and one ``SkillLevels`` map, referenced wherever a role id enum or a skill map
  appears instead of copied (a generated client gets one type for each);
- every field of an answer is required: the server always sends it (``null`` when there is nothing);
  only request bodies have optional fields;
- response headers: ``X-Request-ID`` on every answer, ``RateLimit-*`` on rate-limited answers,
  ``Retry-After`` on 429 and 503, ``ETag`` where a profile is returned, ``WWW-Authenticate`` on the 401s
  of challenged paths and ``Careerpath-Api-Version`` on every answer of versioned paths but a 431 (one
  component each, referenced);
- an operation without a security requirement says ``security: []`` (public) when the document has
  security schemes;
- optional header and query parameters are never null; bodies that refuse unknown fields say so.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import msgspec
from litestar.openapi.spec import OpenAPI

from shared.catalog import load_catalog
from shared.contracts.versions import API_VERSION, API_VERSION_HEADER
from shared.web.errors import WWW_AUTHENTICATE

if TYPE_CHECKING:
    from litestar import Litestar

__all__ = ["HeaderPaths", "finish_document"]

_REF = "#/components/schemas/{name}"
_METHODS = ("get", "put", "post", "delete", "patch")
_LEVEL_TEXT = "Skill level: 0 none, 1 aware, 2 working, 3 proficient, 4 expert."

_HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "This request's id (the one sent in X-Request-ID, else a new one); quote it when "
        "reporting a problem. Error bodies carry it as `request_id` too.",
        "schema": {"type": "string", "examples": ["9f1c2d3e4b5a69788796a5b4c3d2e1f0"]},
    },
    "RateLimit-Limit": {
        "description": "Requests allowed per window (one minute) for this caller: per API key, per "
        "signed-in user, or per client IP when anonymous.",
        "schema": {"type": "integer", "minimum": 1, "examples": [600]},
    },
    "RateLimit-Remaining": {
        "description": "Requests left in the current window.",
        "schema": {"type": "integer", "minimum": 0, "examples": [599]},
    },
    "RateLimit-Reset": {
        "description": "Seconds until the current window ends and the count starts again.",
        "schema": {"type": "integer", "minimum": 1, "examples": [42]},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 1, "examples": [42]},
    },
    "ETag": {
        "description": 'The profile\'s version as a strong ETag (e.g. `"3"`); send it as If-Match to '
        "change or delete the profile.",
        "schema": {"type": "string", "examples": ['"3"']},
    },
    "WWW-Authenticate": {
        "description": f"The challenge of a 401 (RFC 6750): `{WWW_AUTHENTICATE}` when no credential was "
        'sent; with `error="invalid_token"` when an API key was sent but refused (unknown, revoked or '
        'expired), `error="invalid_request"` when the Authorization header is not `Bearer <API key>`.',
        "required": True,
        "schema": {
            "type": "string",
            "examples": [WWW_AUTHENTICATE, f'{WWW_AUTHENTICATE}, error="invalid_token"'],
        },
    },
    API_VERSION_HEADER: {
        "description": "The public API version that answered (semantic versioning; CHANGELOG.md says what "
        "each version changed). Every answer has it, errors and 304s included (not a 431: a head too large "
        "is refused before the request reaches the API).",
        "required": True,
        "schema": {"type": "string", "examples": [API_VERSION]},
    },
}
_RATE_LIMIT = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


@dataclass
class _Finished(OpenAPI):
    """Litestar's OpenAPI object whose JSON form is the finished document (served and returned alike)."""

    document: dict[str, Any] = field(default_factory=dict)

    def to_schema(self) -> dict[str, Any]:
        return self.document


@dataclass(frozen=True, kw_only=True)
class HeaderPaths:
    """Which answers carry which response headers, by path prefix (None: no path)."""

    rate_limited: str | None = None
    """Every answer carries ``RateLimit-*``."""
    challenged: str | None = None
    """Every 401 carries ``WWW-Authenticate``."""
    versioned: str | None = None
    """Every answer carries ``Careerpath-Api-Version``."""


def finish_document(
    app: Litestar, *, headers: HeaderPaths | None = None, etag_schemas: Iterable[str] = ("Profile",)
) -> None:
    """Refine the app's generated document and make it the one the app serves.

    ``headers`` says which paths' answers carry the rate-limit, challenge and API-version headers (none
    by default); answers whose body is one of ``etag_schemas`` carry an ``ETag``.
    """
    from litestar._openapi.plugin import OpenAPIPlugin  # the plugin holds the document it serves

    generated = app.openapi_schema
    document = refine(generated.to_schema(), headers=headers or HeaderPaths(), etag_schemas=set(etag_schemas))
    finished = _Finished(**{f.name: getattr(generated, f.name) for f in fields(OpenAPI)}, document=document)
    plugin = app.plugins.get(OpenAPIPlugin)
    plugin._openapi = finished
    plugin._openapi_schema = None


def refine(document: dict[str, Any], *, headers: HeaderPaths, etag_schemas: set[str]) -> dict[str, Any]:
    """The document with the refinements listed in the module's docstring (a new dict)."""
    document = copy.deepcopy(document)
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    _contract_schemas(schemas)
    _shared_types(schemas)
    inputs = _request_schemas(document, schemas)
    for name, schema in schemas.items():
        struct = _STRUCTS.get(name)
        if struct is not None and struct.__struct_config__.forbid_unknown_fields:
            schema["additionalProperties"] = False
        if name not in inputs and "properties" in schema and not _omits_defaults(struct):
            schema["required"] = list(schema["properties"])  # the server always sends every field
            for prop in schema["properties"].values():
                prop.pop("default", None)
    components["headers"] = {name: dict(header) for name, header in _HEADERS.items()}
    secured = bool(components.get("securitySchemes"))
    for path, item in document.get("paths", {}).items():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            if secured and "security" not in operation:
                operation["security"] = []  # public: no credential needed
            for parameter in operation.get("parameters", []):
                _not_null(parameter)
            for status, response in operation.get("responses", {}).items():
                _declare_headers(response, _header_names(headers, path, status, response, etag_schemas))
    return document


def _all_structs(cls: type[msgspec.Struct]) -> Iterator[type[msgspec.Struct]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_structs(sub)


class _StructIndex(dict[str, type[msgspec.Struct]]):
    """Contract Structs by component name, for names only one Struct has (looked up when first used)."""

    def _fill(self) -> None:
        seen: dict[str, list[type[msgspec.Struct]]] = {}
        for struct in _all_structs(msgspec.Struct):
            if struct.__module__.startswith(("shared.", "services.")):
                seen.setdefault(struct.__name__, []).append(struct)
        self.update({name: found[0] for name, found in seen.items() if len(set(found)) == 1})

    def get(self, key: str, default: Any = None) -> Any:
        if not self:
            self._fill()
        return super().get(key, default)


_STRUCTS = _StructIndex()


def _omits_defaults(struct: type[msgspec.Struct] | None) -> bool:
    return struct is not None and struct.__struct_config__.omit_defaults


def _contract_schemas(schemas: dict[str, Any]) -> None:
    """Replace Litestar's schema of each contract Struct with msgspec's (and add the ones it refers to)."""
    structs = [s for name in list(schemas) if (s := _STRUCTS.get(name)) is not None]
    _, generated = msgspec.json.schema_components(structs, ref_template=_REF)
    for name, schema in generated.items():
        if name in schemas or _STRUCTS.get(name) is not None:
            schema.pop("title", None)
            schemas[name] = schema


def _shared_types(schemas: dict[str, Any]) -> None:
    """One ``RoleId`` enum and one ``SkillLevels`` map, referenced wherever they appear."""
    catalog = load_catalog()
    role_ids = list(catalog.role_ids)
    skill_ids = list(catalog.skill_ids)
    level = {"type": "integer", "minimum": 0, "maximum": 4, "description": _LEVEL_TEXT, "examples": [3]}
    schemas["RoleId"] = {
        "description": "A role of the catalogue (GET /api/v1/roles lists them with their names).",
        "type": "string",
        "enum": role_ids,
        "examples": ["backend-engineer" if "backend-engineer" in role_ids else role_ids[0]],
    }
    schemas["SkillLevels"] = {
        "description": "Skill levels by skill id (GET /api/v1/skills lists the ids): 0 none, 1 aware, "
        "2 working, 3 proficient, 4 expert. A skill left out counts as 0.",
        "type": "object",
        "properties": {sid: level for sid in skill_ids},
        "additionalProperties": False,
        "maxProperties": 200,
        "examples": [dict(list(zip(skill_ids, (4, 3, 2), strict=False)))],
    }
    for name, schema in schemas.items():
        if name not in ("RoleId", "SkillLevels"):
            _share(schema, set(role_ids))


def _share(node: Any, role_ids: set[str]) -> Any:
    """Walk a schema, replacing role-id enums and skill-level maps by references (in place)."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            node[index] = _share(item, role_ids)
        return node
    if not isinstance(node, dict):
        return node
    if node.get("type", "string") == "string" and set(node.get("enum", ())) == role_ids:
        return _ref("RoleId", node)
    if node.get("type") == "object" and _is_level_map(node):
        return _ref("SkillLevels", node)
    for key in ("properties", "patternProperties"):
        for name, value in node.get(key, {}).items():
            node[key][name] = _share(value, role_ids)
    for key, value in list(node.items()):
        if key not in ("properties", "patternProperties", "enum", "examples", "default"):
            node[key] = _share(value, role_ids)
    return node


def _is_level_map(node: dict[str, Any]) -> bool:
    values = node.get("additionalProperties")
    keyed = "propertyNames" in node or not node.get("properties")
    return isinstance(values, dict) and values.get("type") == "integer" and keyed


def _ref(name: str, replaced: dict[str, Any]) -> dict[str, Any]:
    ref: dict[str, Any] = {"$ref": _REF.format(name=name)}
    for key in ("description", "examples"):  # OpenAPI 3.1 keeps keywords beside a $ref
        if key in replaced:
            ref[key] = replaced[key]
    return ref


def _request_schemas(document: dict[str, Any], schemas: dict[str, Any]) -> set[str]:
    """The component names a request body uses, directly or through other components."""
    todo: list[Any] = []
    for item in document.get("paths", {}).values():
        for method in _METHODS:
            body = (item.get(method) or {}).get("requestBody")
            if body is not None:
                todo.append(body)
    found: set[str] = set()
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in found:
                    found.add(name)
                    todo.append(schemas.get(name))
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return found


def _not_null(parameter: dict[str, Any]) -> None:
    """An optional header or query parameter is absent, never ``null``: document it as the plain type."""
    schema = parameter.get("schema")
    if parameter.get("in") not in ("header", "query") or not isinstance(schema, dict):
        return
    options = schema.get("oneOf") or schema.get("anyOf")
    if not options:
        return
    kept = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
    if len(kept) == 1:
        plain = dict(kept[0])
        for key, value in schema.items():
            if key not in ("oneOf", "anyOf"):
                plain.setdefault(key, value)
        parameter["schema"] = plain


def _under(prefix: str | None, path: str) -> bool:
    return prefix is not None and path.startswith(prefix)


def _header_names(
    paths: HeaderPaths, path: str, status: str, response: dict[str, Any], etag_schemas: set[str]
) -> list[str]:
    """The header components an answer of ``path`` with ``status`` refers to."""
    names = ["X-Request-ID"]
    if _under(paths.rate_limited, path):
        names.extend(_RATE_LIMIT)
    if status in ("429", "503"):
        names.append("Retry-After")
    body = response.get("content", {}).get("application/json", {}).get("schema", {})
    if status.startswith("2") and body.get("$ref", "").rsplit("/", 1)[-1] in etag_schemas:
        names.append("ETag")
    if status == "401" and _under(paths.challenged, path):
        names.append("WWW-Authenticate")
    if _under(paths.versioned, path) and status != "431":  # a 431 is refused before the app sees it
        names.append(API_VERSION_HEADER)
    return names


def _declare_headers(response: dict[str, Any], names: list[str]) -> None:
    headers = response.setdefault("headers", {})
    for header in headers.values():  # a header Litestar wrote without a schema (OpenAPI requires one)
        if "$ref" not in header and "schema" not in header and "content" not in header:
            header["schema"] = {"type": "string"}
    for name in names:
        headers.setdefault(name, {"$ref": f"#/components/headers/{name}"})
