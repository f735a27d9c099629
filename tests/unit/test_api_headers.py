"""Issue 14: the response headers the gateway sends are declared in its document, once, as components.

Every answer of every ``/api/v1`` operation names ``Careerpath-Api-Version`` (but a 431: a head too large
is refused before the app sees it); every 401 of an ``/api/`` operation names the ``WWW-Authenticate``
challenge.
"""

from __future__ import annotations

from typing import Any

import pytest

from services.gateway.app import create_app
from shared.contracts.versions import API_VERSION, API_VERSION_HEADER
from shared.web.errors import WWW_AUTHENTICATE

METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return dict(create_app().openapi_schema.to_schema())


def _responses(document: dict[str, Any], prefix: str) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [
        (method, path, status, response)
        for path, item in document["paths"].items()
        if path.startswith(prefix)
        for method in METHODS
        if method in item
        for status, response in item[method]["responses"].items()
    ]


def test_components_describe_both_headers(document: dict[str, Any]) -> None:
    headers = document["components"]["headers"]
    assert API_VERSION in headers[API_VERSION_HEADER]["schema"]["examples"]
    challenge = headers["WWW-Authenticate"]
    assert (
        WWW_AUTHENTICATE in challenge["description"] and 'error="invalid_token"' in challenge["description"]
    )


def test_every_api_v1_answer_names_the_api_version(document: dict[str, Any]) -> None:
    answers = _responses(document, "/api/v1/")
    assert len(answers) > 100
    missing = [
        f"{method.upper()} {path} {status}"
        for method, path, status, response in answers
        if status != "431"
        and response.get("headers", {}).get(API_VERSION_HEADER)
        != {"$ref": f"#/components/headers/{API_VERSION_HEADER}"}
    ]
    assert not missing, missing


def test_every_401_names_the_challenge(document: dict[str, Any]) -> None:
    refusals = [answer for answer in _responses(document, "/api/") if answer[2] == "401"]
    assert refusals
    missing = [
        f"{method.upper()} {path}"
        for method, path, _, response in refusals
        if response.get("headers", {}).get("WWW-Authenticate")
        != {"$ref": "#/components/headers/WWW-Authenticate"}
    ]
    assert not missing, missing
    others = [
        a
        for a in _responses(document, "/api/")
        if a[2] != "401" and "WWW-Authenticate" in a[3].get("headers", {})
    ]
    assert not others
