"""API9 inventory: every route a service answers is in its OpenAPI document (and documents its errors)."""

from __future__ import annotations

import re

import pytest

from services.gateway.app import create_app as gateway_app
from services.profile.app import create_app as profile_app

UNDOCUMENTED_BY_DESIGN = re.compile(r"^(/|/static.*|/schema.*|/docs-assets.*)$")  # page, assets, docs


def _routes(app) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    found = set()
    for route in app.routes:
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        for method in getattr(route, "methods", ()):
            if method not in ("OPTIONS", "HEAD") and not UNDOCUMENTED_BY_DESIGN.match(path):
                found.add((method, path))
    return found


def _documented(app) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    schema = app.openapi_schema.to_schema()
    return {
        (m.upper(), p)
        for p, item in schema["paths"].items()
        for m in item
        if m in ("get", "post", "put", "delete")
    }


@pytest.mark.parametrize("factory", [gateway_app, profile_app], ids=["gateway", "profile"])
def test_every_route_is_documented(factory) -> None:  # type: ignore[no-untyped-def]
    app = factory()
    routes = _routes(app)
    assert routes, "no routes found"
    assert routes == _documented(app)


def test_gateway_operations_document_their_errors() -> None:
    schema = gateway_app().openapi_schema.to_schema()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "delete") or not path.startswith("/api/"):
                continue
            codes = set(operation["responses"])
            assert {"400", "429"} <= codes, (method, path)
            if path == "/api/v1/versions":  # public, but answered by the recommender
                assert "503" in codes and "401" not in codes, (method, path)
            elif path not in ("/api/v1/skills", "/api/v1/roles"):
                assert {"401", "503"} <= codes, (method, path)
            public = path in (
                "/api/v1/skills",
                "/api/v1/roles",
                "/api/v1/versions",
                "/api/v1/auth/signup",
                "/api/v1/auth/login",
                "/api/v1/auth/password-reset",
                "/api/v1/auth/password-reset/confirm",
            )
            assert bool(operation.get("security")) != public, (method, path)
            error = operation["responses"]["400"]["content"]["application/problem+json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorBody"}
            if "401" in codes:
                challenge = operation["responses"]["401"]["content"]["application/problem+json"]
                assert challenge["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
