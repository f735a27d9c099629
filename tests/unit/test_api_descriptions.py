"""Issue 14: every operation and every field a partner uses is described in the gateway's public document.

The document is the one the gateway serves (``/schema/openapi.json``: ``finish_document`` makes the app's
``openapi_schema`` the served one), built in-process. Every ``/api/v1`` operation needs a summary and a
description; every property of every component schema reachable from one (through ``$ref``, however
deep) needs a description. A new field without ``msgspec.Meta(description=...)`` fails here.
"""

from __future__ import annotations

from typing import Any

import pytest

from services.gateway.app import create_app

METHODS = ("get", "put", "post", "delete", "patch")
REF = "#/components/schemas/"
# Properties allowed to go without a description, each with the reason. Keep it empty.
EXCEPTIONS: dict[tuple[str, str], str] = {}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return dict(create_app().openapi_schema.to_schema())


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, item[method])
        for path, item in document["paths"].items()
        if path.startswith("/api/v1")
        for method in METHODS
        if method in item
    ]


def _reachable(document: dict[str, Any]) -> set[str]:
    """The component schemas an /api/v1 operation uses, directly or through other components."""
    schemas = document["components"]["schemas"]
    todo: list[Any] = [operation for _, _, operation in _operations(document)]
    found: set[str] = set()
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(REF) and ref[len(REF) :] not in found:
                found.add(ref[len(REF) :])
                todo.append(schemas[ref[len(REF) :]])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return found


def _properties(name: str, schema: Any, at: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every property of a schema, with its path, inline sub-schemas included (a $ref is checked as its own
    component)."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(schema, dict):
        for prop, sub in schema.get("properties", {}).items():
            found.append((f"{at}{prop}", sub))
            found.extend(_properties(name, sub, f"{at}{prop}."))
        for key in ("items", "additionalProperties", "anyOf", "oneOf", "allOf"):
            value = schema.get(key)
            for sub in value if isinstance(value, list) else [value]:
                found.extend(_properties(name, sub, at))
    return found


def test_every_api_operation_has_a_summary_and_a_description(document: dict[str, Any]) -> None:
    operations = _operations(document)
    assert len(operations) > 20
    bare = [
        (method.upper(), path)
        for method, path, operation in operations
        if not operation.get("summary", "").strip() or not operation.get("description", "").strip()
    ]
    assert not bare, f"operations without a summary or a description: {bare}"


def test_every_field_a_caller_sees_is_described(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    reachable = _reachable(document)
    assert {"RecommendationResponse", "BatchResponse", "ErrorBody", "PartnerUsage"} <= reachable
    undescribed = [
        f"{name}.{prop}"
        for name in sorted(reachable)
        for prop, sub in _properties(name, schemas[name])
        if not str(sub.get("description", "")).strip() and (name, prop) not in EXCEPTIONS
    ]
    assert not undescribed, f"{len(undescribed)} fields without a description: {undescribed}"
    bare = [name for name in sorted(reachable) if not str(schemas[name].get("description", "")).strip()]
    assert not bare, f"schemas without a description (a Struct docstring): {bare}"


def test_the_check_catches_an_undescribed_field(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    copy = {**schemas["MarketInfo"], "properties": {**schemas["MarketInfo"]["properties"], "new": {}}}
    assert [p for p, sub in _properties("MarketInfo", copy) if not sub.get("description")] == ["new"]


def test_exceptions_name_real_fields(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for name, prop in EXCEPTIONS:
        assert prop in dict(_properties(name, schemas.get(name, {}))), (name, prop)
