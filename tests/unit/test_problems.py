"""Errors as RFC 9457 problem details: the catalogue covers every code the code base can answer with,
bodies name every invalid field, and the router's own answers (404, 405) have a request id too."""

from __future__ import annotations

import ast
import pathlib
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from shared.contracts.common import ErrorBody
from shared.contracts.problems import PROBLEMS, code_for_status
from shared.contracts.profiles import ProfileWrite
from shared.contracts.recommendations import BatchRequest, RecommendationRequest
from shared.web.errors import error_response
from shared.web.fields import MAX_ERRORS, invalid_fields

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCES = [p for d in ("services", "shared", "tools") for p in (ROOT / d).rglob("*.py")]


def _calls(name: str) -> list[tuple[pathlib.Path, ast.Call]]:
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if called == name:
                    found.append((path, node))
    return found


def test_every_code_given_by_name_is_in_the_catalogue() -> None:
    named = []
    for function in ("error_response", "problem_body"):
        for path, call in _calls(function):
            if len(call.args) >= 2 and isinstance(call.args[1], ast.Constant):
                named.append((path.name, call.args[1].value))
    for path in SOURCES:  # HTTPException(..., extra={"code": ...})
        for node in ast.walk(ast.parse(path.read_text())):
            extras = [k.value for k in getattr(node, "keywords", ()) if k.arg == "extra"]
            for extra in (e for e in extras if isinstance(e, ast.Dict)):
                for key, value in zip(extra.keys, extra.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "code":
                        assert isinstance(value, ast.Constant), (path, "name codes literally")
                        named.append((path.name, value.value))
    assert len(named) >= 8, named  # the scan found the call sites
    assert [(where, code) for where, code in named if code not in PROBLEMS] == []


def test_every_status_raised_has_its_own_code() -> None:
    """A status raised anywhere (HTTPException(status_code=...), AuthError(...)) has a catalogue entry
    of that status, so its answer says more than a generic code."""
    statuses = set()
    for name in ("HTTPException", "AuthError"):
        for _, call in _calls(name):
            given = [k.value for k in call.keywords if k.arg == "status_code"] or call.args[:1]
            statuses |= {v.value for v in given if isinstance(v, ast.Constant) and isinstance(v.value, int)}
    assert {401, 409, 412, 422, 428, 503} <= statuses, statuses
    for status in statuses:
        assert PROBLEMS[code_for_status(status)].status == status, status


def test_a_status_without_a_specific_code_gets_its_general_one() -> None:
    """A refusal that names no code is answered with its status's general code, never with a specific one
    that happens to share the status (a batch's repeated id once came back as reset_token_refused)."""
    general = {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        409: "conflict",
        422: "unprocessable",
        429: "rate_limited",
        503: "unavailable",
    }
    for status, code in general.items():
        assert code_for_status(status) == code, status


def test_an_unknown_code_is_refused() -> None:
    with pytest.raises(KeyError):
        error_response(400, "no_such_code", "x")


def test_the_catalogue_is_the_error_bodys_code_enum() -> None:
    (_, components) = msgspec.json.schema_components([ErrorBody])
    schema = components["ErrorBody"]["properties"]
    assert sorted(schema["code"]["enum"]) == sorted(PROBLEMS)
    assert {"type", "title", "status", "detail", "instance", "code", "errors", "request_id"} <= set(schema)


def test_every_invalid_field_of_a_body_is_named() -> None:
    body = {"skills": {"python": 9, "no_such_skill": 2, "go": "x"}, "years_experience": -1, "extra": 1}
    found = {(f.field, f.pointer) for f in invalid_fields(body, RecommendationRequest)}
    assert found == {
        ("skills.python", "/skills/python"),
        ("skills.no_such_skill", "/skills/no_such_skill"),
        ("skills.go", "/skills/go"),
        ("years_experience", "/years_experience"),
        ("extra", "/extra"),
    }


def test_nested_fields_are_named_with_their_index_and_pointer() -> None:
    body: dict[str, Any] = {
        "candidates": [
            {"id": "a", "skills": {"python": 2}},
            {"id": 3, "skills": {"python": 7}},
            {"skills": {}},
        ]
    }
    found = [(f.field, f.pointer, f.message) for f in invalid_fields(body, BatchRequest)]
    assert [f[:2] for f in found] == [
        ("candidates[1].id", "/candidates/1/id"),
        ("candidates[1].skills.python", "/candidates/1/skills/python"),
        ("candidates[2].id", "/candidates/2/id"),
    ]
    assert found[2][2] == "Object missing required field `id`"


def test_a_valid_body_has_no_invalid_fields_and_the_wrong_shape_is_named_once() -> None:
    assert invalid_fields({"skills": {"python": 3}}, RecommendationRequest) == []
    assert [(f.field, f.pointer) for f in invalid_fields([], BatchRequest)] == [("body", "")]
    assert [f.field for f in invalid_fields({"candidates": "x"}, BatchRequest)] == ["candidates"]


def test_the_number_of_named_fields_is_capped() -> None:
    many = {"candidates": [{"id": i, "skills": {}} for i in range(MAX_ERRORS * 2)]}
    assert len(invalid_fields(many, BatchRequest)) == MAX_ERRORS


@pytest.fixture(scope="module")
def gateway() -> Any:
    with TestClient(create_app(GatewaySettings()), base_url="http://localhost") as client:
        yield client


def test_router_answers_are_problems_with_a_request_id(gateway: TestClient[Any]) -> None:
    for answer, status, code in (
        (gateway.get("/no/such/page"), 404, "not_found"),
        (gateway.delete("/problems"), 405, "method_not_allowed"),
    ):
        assert answer.status_code == status
        assert answer.headers["content-type"] == "application/problem+json"
        body = answer.json()
        assert body["request_id"] and body["request_id"] == answer.headers["x-request-id"]
        assert (body["code"], body["status"], body["type"]) == (code, status, f"/problems/{code}")
        assert (body["error"], body["status_code"]) == (code, status)  # deprecated aliases
        assert body["title"] == PROBLEMS[code].title and body["instance"] == answer.request.url.path


def test_a_given_request_id_is_the_problems(gateway: TestClient[Any]) -> None:
    answer = gateway.get("/nowhere", headers={"X-Request-ID": "partner-42"})
    assert answer.headers["x-request-id"] == "partner-42" == answer.json()["request_id"]


def test_each_problem_type_describes_its_code(gateway: TestClient[Any]) -> None:
    listed = gateway.get("/problems").json()
    assert [p["code"] for p in listed] == list(PROBLEMS)
    for code, problem in PROBLEMS.items():
        answer = gateway.get(f"/problems/{code}")
        assert answer.status_code == 200
        assert answer.json() == msgspec.to_builtins(problem)
    page = gateway.get("/problems/rate_limited", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html") and "Retry-After" in page.text
    unknown = gateway.get("/problems/<b>no</b>")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"


def test_a_check_across_a_struct_names_the_field_it_names() -> None:
    """A contract's ``__post_init__`` check (an invisible display name) is named by its own field."""
    found = invalid_fields({"display_name": "\u200b", "skills": {"python": 7}}, ProfileWrite)
    assert [(f.field, f.pointer) for f in found] == [("skills.python", "/skills/python")]
    found = invalid_fields({"display_name": "\u200b", "skills": {}}, ProfileWrite)
    assert [(f.field, f.pointer) for f in found] == [("display_name", "/display_name")]
    assert "invisible" in found[0].message and " - at " not in found[0].message
