"""Clients for the three kinds of caller, for end-to-end tests."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import httpx

PASSWORD = "correct horse battery staple"


def sign_up(base_url: str, email: str | None = None) -> httpx.Client:
    """A browser-like client signed in as a new user (cookies kept, CSRF header set)."""
    client = httpx.Client(base_url=base_url, timeout=15.0)
    email = email or f"user-{secrets.token_hex(6)}@example.com"
    answer = client.post("/api/v1/auth/signup", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 201, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


def log_in(base_url: str, email: str, password: str = PASSWORD) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=15.0)
    answer = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


def create_admin(database_url: str, email: str) -> None:
    """Run the real ``careerpath create-admin`` command."""
    done = subprocess.run(
        [sys.executable, "-m", "tools.cli", "create-admin", "--email", email],
        env={**os.environ, "DATABASE_URL": database_url, "CAREERPATH_ADMIN_PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def partner(base_url: str, admin: httpx.Client, scopes: list[str]) -> tuple[httpx.Client, dict]:
    """A client holding a new partner API key with ``scopes``; also the issued key record."""
    issued = admin.post("/api/v1/admin/keys", json={"name": "test partner", "scopes": scopes})
    assert issued.status_code == 201, issued.text
    body = issued.json()
    client = httpx.Client(base_url=base_url, timeout=15.0, headers={"Authorization": f"Bearer {body['key']}"})
    return client, body
