"""The gateway's and the profile service's own cost per request, in one process, without a server.

``python -m tools.bench.edge_requests system FILE`` starts the system (embedded PostgreSQL and Redis,
the services), makes a partner key and a signed-in user with a profile, writes what the other command
needs to ``FILE`` (JSON) and waits until interrupted.

``python -m tools.bench.edge_requests run FILE --scenario partner|user|read|profile-read|batch --requests N``
builds the gateway's app (or the profile service's, for ``profile-read``) in this process from the
started system's settings, runs its lifespan and sends it ``N`` requests one after another through its
ASGI interface (no socket, no uvicorn on this side; the upstream services and Redis are the started
system's, over loopback as in production), checks every answer's status, and prints the CPU time of this
process per request (``batch``: the benchmark's figures-only batch, 1,000 candidates, top 3, ``"explain":
false``, with the partner key). Under ``valgrind --tool=callgrind`` two runs with different ``N`` give the
instructions per request of the app's own work (their difference over the difference of ``N``), which
does not depend on the machine's load.

``python -m tools.bench.edge_requests callgrind FILE`` serves a gateway and a profile service of this
working tree under ``valgrind --tool=callgrind`` (uvicorn included, the gateway calling that profile
service, the started system's recommender and Redis), sends each 50 requests of every scenario to warm
up, zeroes the counters, sends 200 more one after another and prints the instructions per request
(``callgrind_control``). The figures of issue 18's rounds were taken this way.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["main"]

_SCENARIOS = ("partner", "user", "read", "profile-read", "batch")


def _batch_body() -> bytes:
    """The benchmark's figures-only batch (``tools.bench.scenarios``): 1,000 candidates, top 3."""
    import msgspec

    from tools.bench.scenarios import skill_vector

    rng = random.Random(5)
    candidates = [
        {"id": f"c{i}", "skills": skill_vector(rng), "years_experience": i % 15} for i in range(1000)
    ]
    return msgspec.json.encode({"candidates": candidates, "top": 3, "explain": False})


def _system(out: Path) -> int:
    from tools.bench.scenarios import Options, eight_skills, prepare
    from tools.bench.system import started_system

    with started_system() as system:
        assert system.stack is not None
        callers = prepare(system.url, Options(connections=1, batch_connections=1), system.database_url, None)
        user = callers.users[0]
        import httpx

        me = httpx.get(system.url + "/api/v1/auth/me", headers={"cookie": user.cookie}).json()
        rng = random.Random(3)
        out.write_text(
            json.dumps(
                {
                    "gateway": system.stack.services["gateway"].env,
                    "profile": system.stack.services["profile"].env,
                    "key": callers.key,
                    "cookie": user.cookie,
                    "csrf": user.csrf,
                    "profile_id": user.profile_id,
                    "owner": me["user"]["id"],
                    "bodies": [
                        json.dumps({"skills": eight_skills(rng), "years_experience": 3, "top": 3})
                        for _ in range(20)
                    ],
                }
            )
        )
        print(f"system up; wrote {out}", flush=True)
        stop = asyncio.Event()

        async def wait() -> None:
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGINT, stop.set)
            loop.add_signal_handler(signal.SIGTERM, stop.set)
            await stop.wait()

        asyncio.run(wait())
    return 0


def _requests(info: dict[str, Any], scenario: str) -> list[tuple[str, str, list[tuple[bytes, bytes]], bytes]]:
    host = [(b"host", b"127.0.0.1:8000")]
    if scenario in ("partner", "user"):
        auth = (
            [(b"authorization", f"Bearer {info['key']}".encode())]
            if scenario == "partner"
            else [(b"cookie", info["cookie"].encode()), (b"x-csrf-token", info["csrf"].encode())]
        )
        out = []
        for body in info["bodies"]:
            raw = body.encode()
            headers = [
                *host,
                *auth,
                (b"content-type", b"application/json"),
                (b"content-length", str(len(raw)).encode()),
            ]
            out.append(("POST", "/api/v1/recommendations", headers, raw))
        return out
    if scenario == "batch":
        raw = _batch_body()
        headers = [
            *host,
            (b"authorization", f"Bearer {info['key']}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(raw)).encode()),
        ]
        return [("POST", "/api/v1/recommendations/batch", headers, raw)]
    if scenario == "read":
        headers = [*host, (b"cookie", info["cookie"].encode())]
        return [("GET", f"/api/v1/profiles/{info['profile_id']}", headers, b"")]
    token = info["profile"]["CAREERPATH_SERVICE_TOKEN"].encode()
    headers = [*host, (b"x-service-token", token), (b"x-owner-id", info["owner"].encode())]
    return [("GET", f"/profiles/{info['profile_id']}", headers, b"")]


async def _lifespan(app: Any) -> tuple[asyncio.Queue[Any], asyncio.Task[None]]:
    inbox: asyncio.Queue[Any] = asyncio.Queue()
    started: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def send(message: Any) -> None:
        if message["type"] == "lifespan.startup.complete":
            started.set_result(None)
        elif message["type"] == "lifespan.startup.failed":
            started.set_exception(RuntimeError(message.get("message")))

    task = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, send)
    )
    await inbox.put({"type": "lifespan.startup"})
    await started
    return inbox, task


async def _run(info: dict[str, Any], scenario: str, count: int, warmup: int, profile: Path | None) -> None:
    os.environ.update(info["profile" if scenario == "profile-read" else "gateway"])
    from shared.settings import load_settings

    if scenario == "profile-read":
        from services.profile.app import create_app
        from services.profile.settings import ProfileSettings

        app = create_app(load_settings(ProfileSettings))
    else:
        from services.gateway.app import create_app as create_gateway
        from services.gateway.settings import GatewaySettings

        app = create_gateway(load_settings(GatewaySettings))
    inbox, lifespan = await _lifespan(app)
    requests = _requests(info, scenario)
    statuses: dict[int, int] = {}

    async def one(i: int) -> None:
        method, path, headers, body = requests[i % len(requests)]
        scope: Any = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "server": ("127.0.0.1", 8000),
            "client": ("127.0.0.1", 50000),
            "scheme": "http",
            "method": method,
            "root_path": "",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "headers": headers,
            "state": {},
        }
        sent = False

        async def receive() -> Any:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Any) -> None:
            if message["type"] == "http.response.start":
                statuses[message["status"]] = statuses.get(message["status"], 0) + 1

        await app(scope, receive, send)

    for i in range(warmup):
        await one(i)
    statuses.clear()
    profiler = cProfile.Profile(time.process_time) if profile else None
    started = time.process_time()
    if profiler is not None:
        profiler.enable()
    for i in range(count):
        await one(i)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(profile))
    spent = time.process_time() - started
    await inbox.put({"type": "lifespan.shutdown"})
    await lifespan
    if count:
        print(
            f"{scenario}: {count} requests, {spent / count * 1e6:.1f} us CPU a request, statuses {statuses}"
        )
    if set(statuses) - {200}:
        raise SystemExit(f"unexpected statuses {statuses}")


def _served(name: str, env: dict[str, str], out: Path) -> tuple[subprocess.Popen[bytes], int]:
    from tools.embedded import free_port, wait_for_port

    port = free_port()
    full = {**os.environ, **env, "CAREERPATH_PORT": str(port), "PYTHONHASHSEED": "0"}
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
    command += [sys.executable, "-m", "tools.cli", "serve", name]
    log = (out.parent / f"{name}.log").open("wb")
    proc = subprocess.Popen(command, env=full, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    wait_for_port(port, 600, proc)
    return proc, port


_SKIPPED = (b"host", b"content-length")  # the client's own


def _send(client: Any, scenario: str, request: tuple[str, str, list[tuple[bytes, bytes]], bytes]) -> None:
    method, path, headers, body = request
    sent = {k.decode(): v.decode() for k, v in headers if k not in _SKIPPED}
    answer = client.request(method, path, headers=sent, content=body)
    if answer.status_code != 200:
        raise SystemExit(f"{scenario}: {answer.status_code} {answer.text[:200]}")


def _instructions(folder: Path, pid: int, send: Any, count: int) -> float:
    """Instructions per call of ``send(i)`` in process ``pid`` (callgrind's counters zeroed, then dumped)."""
    subprocess.run(["callgrind_control", "-z", str(pid)], check=True, capture_output=True)
    for i in range(count):
        send(i)
    dumps = set(folder.glob("*.out.*"))
    subprocess.run(["callgrind_control", "-d", str(pid)], check=True, capture_output=True)
    (dump,) = set(folder.glob("*.out.*")) - dumps
    with dump.open() as lines:
        total = next(int(line.split()[1]) for line in lines if line.startswith(("summary:", "totals:")))
    return total / count


def _callgrind(info: dict[str, Any], count: int, scenarios: list[str] | None = None) -> int:
    import httpx

    folder = Path(tempfile.mkdtemp(prefix="careerpath-callgrind-"))
    profile, profile_port = _served("profile", info["profile"], folder / "profile.out")
    env = {**info["gateway"], "CAREERPATH_PROFILE_URL": f"http://127.0.0.1:{profile_port}"}
    gateway, gateway_port = _served("gateway", env, folder / "gateway.out")
    try:
        for scenario in scenarios or _SCENARIOS:
            proc, port = (profile, profile_port) if scenario == "profile-read" else (gateway, gateway_port)
            requests = _requests(info, scenario)
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
                del client.headers["accept-encoding"]  # as the benchmark's clients: no compression

                def send(
                    i: int, client: Any = client, scenario: str = scenario, requests: Any = requests
                ) -> None:
                    _send(client, scenario, requests[i % len(requests)])

                for i in range(50):
                    send(i)
                each = _instructions(folder, proc.pid, send, count)
            print(f"{scenario}: {each / 1e6:.3f} M instructions a request", flush=True)
    finally:
        for proc in (gateway, profile):
            proc.terminate()
            proc.wait(60)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.edge_requests", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("system", help="start the system and write what `run` needs to FILE")
    up.add_argument("file", type=Path)
    run = sub.add_parser("run", help="send requests to an app built in this process")
    run.add_argument("file", type=Path)
    run.add_argument("--scenario", choices=_SCENARIOS, default="partner")
    run.add_argument("--requests", type=int, default=2000)
    run.add_argument("--warmup", type=int, default=200)
    run.add_argument(
        "--profile", type=Path, help="write cProfile statistics (CPU time) of the measured requests"
    )
    grind = sub.add_parser("callgrind", help="instructions per request of served processes of this tree")
    grind.add_argument("file", type=Path)
    grind.add_argument("--requests", type=int, default=200)
    grind.add_argument("--scenario", action="append", choices=_SCENARIOS, help="only these (repeatable)")
    args = parser.parse_args(argv)
    if args.command == "system":
        return _system(args.file)
    if args.command == "callgrind":
        return _callgrind(json.loads(args.file.read_text()), args.requests, args.scenario)
    from tools.bench.child import run_loop

    run_loop(_run(json.loads(args.file.read_text()), args.scenario, args.requests, args.warmup, args.profile))
    return 0


if __name__ == "__main__":
    sys.exit(main())
