"""The gateway's public API document as served: valid OpenAPI 3.1, lint-clean, and rendered by Swagger UI.

The document is read from the running gateway (``/schema/openapi.json``); Swagger UI is the one the
gateway serves from its own files (``/docs-assets``), opened in Debian's Chromium. The linter is Redocly
CLI pinned in ``tools/openapi-lint`` (``tools/ensure_node.sh`` installs it); the test fails, never skips,
when it is missing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate
from playwright.async_api import expect

from tests.e2e.browser import Ui, browser, ui
from tools.supervisor.stack import Stack

__all__ = ["browser", "ui"]

LINT = Path(__file__).resolve().parents[2] / "tools" / "openapi-lint"
REDOCLY = LINT / "node_modules" / ".bin" / "redocly"
METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture(scope="module")
def document(stack: Stack) -> dict[str, Any]:
    answer = httpx.get(stack.url + "/schema/openapi.json", timeout=15.0)
    assert answer.status_code == 200
    return dict(answer.json())


def _operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [(m, p) for p, item in document["paths"].items() for m in METHODS if m in item]


def test_document_is_valid_openapi_31(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on the first violation of the OpenAPI 3.1 schema


def test_redocly_finds_no_errors(document: dict[str, Any], tmp_path: Path) -> None:
    if not os.access(REDOCLY, os.X_OK):
        pytest.fail(f"{REDOCLY} is missing: run tools/ensure_node.sh (npm ci in {LINT})", pytrace=False)
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document))
    quiet = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_COLOR": "1"}
    env = {**os.environ, **quiet}
    command = [str(REDOCLY), "lint", str(path), "--config", str(LINT / "redocly.yaml")]
    shown = subprocess.run([*command, "--format", "stylish"], capture_output=True, text=True, env=env)
    print(shown.stdout[-20000:], shown.stderr[-4000:])
    report = subprocess.run([*command, "--format", "json"], capture_output=True, text=True, env=env)
    problems = json.loads(report.stdout)["problems"]
    errors = [p for p in problems if p["severity"] == "error"]
    warnings = [p for p in problems if p["severity"] == "warn"]
    print(f"redocly: {len(errors)} errors, {len(warnings)} warnings")
    assert not errors, [f"{p['ruleId']}: {p['message']}" for p in errors]
    assert shown.returncode == 0


def test_x_api_key_is_refused_naming_bearer(stack: Stack, partner_api: httpx.Client) -> None:
    key = partner_api.headers["authorization"].removeprefix("Bearer ")
    with httpx.Client(base_url=stack.url, timeout=15.0) as client:
        answer = client.get("/api/v1/market", headers={"X-API-Key": key})
        with_bearer = client.get("/api/v1/market", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 401
    body = answer.json()
    assert "Authorization: Bearer" in body["detail"]
    assert [e["field"] for e in body["errors"]] == ["X-API-Key"]
    assert with_bearer.status_code == 200


async def test_swagger_ui_renders_every_operation(stack: Stack, ui: Ui, document: dict[str, Any]) -> None:
    page = ui.page
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    await page.goto(stack.url + "/schema/swagger")
    blocks = page.locator(".opblock")
    operations = _operations(document)
    await expect(blocks).to_have_count(len(operations))
    await ui.capture("swagger")
    assert await page.locator(".errors-wrapper").count() == 0
    assert "Unable to render" not in await page.locator("body").inner_text()
    shown = {
        (m.lower(), p.replace("\u200b", ""))
        for m, p in zip(
            await page.locator(".opblock .opblock-summary-method").all_inner_texts(),
            await page.locator(".opblock .opblock-summary-path").all_inner_texts(),
            strict=True,
        )
    }
    assert shown == set(operations)
    foreign = [url for url in fetched if not url.startswith(stack.url)]
    assert not foreign, foreign  # nothing from a CDN
    versions = await page.evaluate("() => JSON.stringify(window.versions || {})")
    assert re.search(r'"version":"5\.', versions), versions  # Swagger UI 5, which reads OpenAPI 3.1
    assert not ui.problems, ui.problems
