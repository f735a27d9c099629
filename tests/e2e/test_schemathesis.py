"""Schemathesis against the gateway's OpenAPI document, with valid credentials: zero failures.

Four runs, one per kind of caller: anonymous (every route, no credential), a partner key (scoring and
market), a user session (profile, me, auth) and an admin session (admin routes). Logging out and
deleting the account are left out of the user run because they end the very session the run uses;
tests/e2e/test_security.py covers them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx

from tests.e2e.helpers import partner, sign_up
from tools.supervisor.stack import Stack

CONFIG = Path(__file__).with_name("schemathesis.toml")


def _run(
    stack: Stack, include: str, env: dict[str, str], csrf: str | None = None, exclude: str | None = None
) -> str:
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(CONFIG),
        "--no-color",
        "run",
        stack.url + "/schema/openapi.json",
        "--include-path-regex",
        include,
        "--seed",
        "7",
    ]
    if exclude:
        command += ["--exclude-path-regex", exclude]
    if csrf:
        command += ["-H", f"X-CSRF-Token: {csrf}"]
    done = subprocess.run(
        command,
        env={**os.environ, "CP_API_KEY": "none", "CP_SESSION": "none", **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = done.stdout[-3000:]
    print(done.stdout)  # every failure with its curl line; the assertion message keeps the summary
    assert done.returncode == 0, summary
    assert re.search(r"\b\d+ passed\b", done.stdout) and not re.search(
        r"\b\d+ (failures?|errors?)\b", done.stdout
    )
    return done.stdout


def test_anonymous_routes(stack: Stack) -> None:
    _run(stack, r"^/api/v1/", {}, exclude=r"^/api/v1/auth/logout")


def test_partner_routes(stack: Stack, admin_api: httpx.Client) -> None:
    client, issued = partner(stack.url, admin_api, ["recommendations:write", "market:read"])
    _run(stack, r"^/api/v1/(recommendations|market|skills|roles)", {"CP_API_KEY": issued["key"]})


def test_user_routes(stack: Stack) -> None:
    user = sign_up(stack.url)
    _run(
        stack,
        r"^/api/v1/(me|profiles|auth)",
        {"CP_SESSION": user.cookies.get("cp_session") or ""},
        csrf=user.headers["X-CSRF-Token"],
        exclude=r"^/api/v1/auth/logout|^/api/v1/me/?$",
    )


def test_admin_routes(stack: Stack, admin_api: httpx.Client) -> None:
    _run(
        stack,
        r"^/api/v1/admin",
        {"CP_SESSION": admin_api.cookies.get("cp_session") or ""},
        csrf=admin_api.headers["X-CSRF-Token"],
    )
