"""What the benchmark sends: callers (an admin, a partner key, one user per connection), bodies and specs.

Skill vectors are drawn with a seeded generator from the catalogue (a role's skills at random levels plus
a few others), many per connection, so no cache can answer them all from one entry.
"""

from __future__ import annotations

import os
import random
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec

from shared.catalog import load_catalog
from tools.bench.load import Connection, LoadSpec, Request

__all__ = [
    "Callers",
    "Options",
    "eight_skills",
    "floor_spec",
    "hello_spec",
    "prepare",
    "recommend_body",
    "refresh_once",
    "specs",
]

PASSWORD = "bench-" + secrets.token_hex(8)
BODIES_PER_CONNECTION = 64


class Options(msgspec.Struct, kw_only=True, frozen=True):
    connections: int = 32
    duration: float = 10.0
    warmup: float = 1.0
    batch_size: int = 1000
    batch_connections: int = 4
    seed: int = 7


@dataclass
class User:
    cookie: str
    csrf: str
    profile_id: str
    etag: str


@dataclass
class Callers:
    """Credentials for each kind of caller; ``admin`` is None when the benchmark cannot make one."""

    admin: httpx.Client | None
    key: str | None
    users: list[User] = field(default_factory=list)


def skill_vector(rng: random.Random) -> dict[str, int]:
    catalog = load_catalog()
    role = rng.choice(list(catalog.roles.values()))
    skills = {
        s: rng.randint(max(0, need - 2), 4) for s, need in role.requirements.items() if rng.random() < 0.7
    }
    for s in rng.sample(catalog.skill_ids, k=rng.randint(0, 4)):
        skills.setdefault(s, rng.randint(1, 4))
    return skills


def eight_skills(rng: random.Random) -> dict[str, int]:
    """Eight skills at levels 1-4: a role's requirements first, then others (the issue's request size)."""
    catalog = load_catalog()
    role = rng.choice(list(catalog.roles.values()))
    chosen = [s for s in role.requirements if rng.random() < 0.7][:8]
    others = [s for s in catalog.skill_ids if s not in chosen]
    chosen += rng.sample(others, k=8 - len(chosen))
    return {s: rng.randint(1, 4) for s in chosen}


def _create_admin(database_url: str, email: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tools.cli", "create-admin", "--email", email],
        env={**os.environ, "DATABASE_URL": database_url, "CAREERPATH_ADMIN_PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"careerpath create-admin failed: {done.stderr.strip()}")


def _signed_in(url: str, path: str, email: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30.0)
    answer = client.post(path, json={"email": email, "password": password})
    if answer.status_code not in (200, 201):
        raise RuntimeError(f"{path} answered {answer.status_code}: {answer.text}")
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


def _user(url: str, rng: random.Random) -> User:
    client = _signed_in(url, "/api/v1/auth/signup", f"bench-{secrets.token_hex(6)}@example.com", PASSWORD)
    try:
        saved = client.put("/api/v1/me/profile", json={"display_name": "Bench", "skills": skill_vector(rng)})
        if saved.status_code not in (200, 201):
            raise RuntimeError(f"saving a profile answered {saved.status_code}: {saved.text}")
        return User(
            cookie=f"cp_session={client.cookies['cp_session']}",
            csrf=client.headers["X-CSRF-Token"],
            profile_id=saved.json()["id"],
            etag=saved.headers["etag"],
        )
    finally:
        client.close()


def prepare(url: str, options: Options, database_url: str | None, admin: tuple[str, str] | None) -> Callers:
    """An admin (made with ``careerpath create-admin`` when the database is ours), a partner key, users."""
    rng = random.Random(options.seed)
    client = None
    if admin is None and database_url:
        email = f"bench-admin-{secrets.token_hex(4)}@example.com"
        _create_admin(database_url, email)
        admin = (email, PASSWORD)
    key = None
    if admin is not None:
        client = _signed_in(url, "/api/v1/auth/login", *admin)
        issued = client.post(
            "/api/v1/admin/keys",
            json={"name": "benchmark", "scopes": ["recommendations:write", "market:read"]},
        )
        if issued.status_code != 201:
            raise RuntimeError(f"issuing a partner key answered {issued.status_code}: {issued.text}")
        key = issued.json()["key"]
    users = [_user(url, rng) for _ in range(max(options.connections, options.batch_connections))]
    return Callers(admin=client, key=key, users=users)


def _json(value: object) -> str:
    return msgspec.json.encode(value).decode()


def _auth(callers: Callers, user: User, as_user: bool = False) -> dict[str, str]:
    """A partner key when there is one (and not ``as_user``), else the user's session (sessions may call
    the partner routes too)."""
    if callers.key and not as_user:
        return {"authorization": f"Bearer {callers.key}", "content-type": "application/json"}
    return {"cookie": user.cookie, "x-csrf-token": user.csrf, "content-type": "application/json"}


def hello_spec(options: Options, host: str, port: int) -> LoadSpec:
    """The hello world's scenario: ``GET /hello`` on every connection."""
    from tools.bench.hello import PATH

    return LoadSpec(
        host=host,
        port=port,
        connections=[Connection(requests=[Request(method="GET", path=PATH)])] * options.connections,
        duration=options.duration,
        warmup=options.warmup,
    )


def recommend_body(rng: random.Random, **extra: object) -> dict[str, object]:
    """A recommend scenario's body: eight skills, three years, top 3 (and ``extra`` options)."""
    return {"skills": eight_skills(rng), "years_experience": 3, "top": 3, **extra}


def floor_spec(options: Options, host: str, port: int) -> LoadSpec:
    """The two-hop floor's scenario (tools.bench.relay): bodies made as the recommend scenario's
    (:func:`recommend_body`, a generator of their own: alike, not the same ones), no credentials, to
    ``POST /relay``."""
    from tools.bench.relay import FRONT_PATH

    rng = random.Random(options.seed + 1)
    headers = {"content-type": "application/json"}
    connections = [
        Connection(
            requests=[
                Request(method="POST", path=FRONT_PATH, headers=headers, body=_json(recommend_body(rng)))
                for _ in range(BODIES_PER_CONNECTION)
            ]
        )
        for _ in range(options.connections)
    ]
    return LoadSpec(
        host=host, port=port, connections=connections, duration=options.duration, warmup=options.warmup
    )


def specs(callers: Callers, options: Options, host: str, port: int) -> dict[str, tuple[str, LoadSpec]]:
    """Scenario name -> (endpoint, what each connection sends)."""
    rng = random.Random(options.seed + 1)
    conns, users = options.connections, callers.users

    def spec(connections: list[Connection], count: int | None = None) -> LoadSpec:
        return LoadSpec(
            host=host,
            port=port,
            connections=connections[: count or conns],
            duration=options.duration,
            warmup=options.warmup,
        )

    def bodies(make: object) -> list[str]:
        return [_json(make()) for _ in range(BODIES_PER_CONNECTION)]  # type: ignore[operator]

    healthz = [Connection(requests=[Request(method="GET", path="/healthz")]) for _ in range(conns)]

    def recommend(as_user: bool, **extra: object) -> list[Connection]:
        return [
            Connection(
                requests=[
                    Request(
                        method="POST",
                        path="/api/v1/recommendations",
                        headers=_auth(callers, u, as_user),
                        body=b,
                    )
                    for b in bodies(lambda: recommend_body(rng, **extra))
                ]
            )
            for u in users[:conns]
        ]

    read = [
        Connection(
            requests=[
                Request(method="GET", path=f"/api/v1/profiles/{u.profile_id}", headers={"cookie": u.cookie})
            ]
        )
        for u in users[:conns]
    ]
    update = [
        Connection(
            etag=u.etag,
            requests=[
                Request(
                    method="PUT",
                    path=f"/api/v1/profiles/{u.profile_id}",
                    body=b,
                    headers={
                        "cookie": u.cookie,
                        "x-csrf-token": u.csrf,
                        "if-match": "{etag}",
                        "content-type": "application/json",
                    },
                )
                for b in bodies(lambda: {"display_name": "Bench", "skills": skill_vector(rng)})
            ],
        )
        for u in users[:conns]
    ]
    candidates = [
        {"id": f"c{i}", "skills": skill_vector(rng), "years_experience": i % 15}
        for i in range(options.batch_size)
    ]

    def batch(explain: bool) -> list[Connection]:
        body = _json({"candidates": candidates, "top": 3, **({} if explain else {"explain": False})})
        return [
            Connection(
                requests=[
                    Request(
                        method="POST",
                        path="/api/v1/recommendations/batch",
                        headers=_auth(callers, u),
                        body=body,
                    )
                ]
            )
            for u in users[: options.batch_connections]
        ]

    return {
        "healthz": ("GET /healthz (the gateway's)", spec(healthz)),
        "recommend": (
            f"POST /api/v1/recommendations ({'partner key' if callers.key else 'session'}, 8 skills, top 3)",
            spec(recommend(as_user=False)),
        ),
        "recommend (no plan)": (
            'POST /api/v1/recommendations (8 skills, top 3, "learning_plan": false)',
            spec(recommend(as_user=False, learning_plan=False)),
        ),
        "recommend (user)": (
            "POST /api/v1/recommendations (session, 8 skills, top 3)",
            spec(recommend(as_user=True)),
        ),
        "profile read": ("GET /api/v1/profiles/{id}", spec(read)),
        "profile update": ("PUT /api/v1/profiles/{id} (If-Match)", spec(update)),
        "batch": (
            f"POST /api/v1/recommendations/batch ({options.batch_size:,}, top 3)",
            spec(batch(explain=True), options.batch_connections),
        ),
        "batch (figures only)": (
            f'POST /api/v1/recommendations/batch ({options.batch_size:,}, top 3, "explain": false)',
            spec(batch(explain=False), options.batch_connections),
        ),
    }


def refresh_once(admin: httpx.Client, source: str, timeout: float = 300.0) -> tuple[float, dict[str, Any]]:
    """Trigger a refresh from ``source`` and wait until it ends: (seconds from request to the end, the run).

    A refresh already running (the scheduler's) is waited out first, since only one runs at a time.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = time.perf_counter()
        answer = admin.post("/api/v1/admin/market/refresh", json={"source": source})
        if answer.status_code != 202:
            raise RuntimeError(f"starting a refresh answered {answer.status_code}: {answer.text}")
        run = answer.json()
        while run["status"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.05)
            run = admin.get(f"/api/v1/admin/market/runs/{run['id']}").json()
        elapsed = time.perf_counter() - started
        if run["source"] == source:
            return elapsed, run
    raise TimeoutError(f"the refresh from {source} did not finish within {timeout:.0f}s")
