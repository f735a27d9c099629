"""The two-hop floor: what a recommendation would cost with no work at all, served as the services are.

``python -m tools.bench.relay upstream PORT`` serves ``POST /answer``: the request body decoded into a
msgspec Struct shaped like a recommendation request (as the recommender must), answered with a fixed,
pre-encoded JSON body of a top-3 recommendation's size (:data:`ANSWER_BYTES`).
``python -m tools.bench.relay front PORT UPSTREAM_PORT REDIS_URL`` serves ``POST /relay``: one Redis
round trip (``INCR``, with the gateway's client library; the gateway makes one exchange per request for
key, rate limit and usage), then the body passed to the upstream with the gateway's keep-alive client
(:class:`shared.http.ConnectionPool`) and its answer passed back as bytes.

Both are Litestar apps under :func:`shared.serving.serve` (uvicorn, uvloop, httptools, one process each),
like the hello world (:mod:`tools.bench.hello`) and the services. What the floor serves in the same run
as the hello world bounds what the gateway and the recommender could reach on this stack and these two
cores, however little work they did: the ``x hello world`` a recommendation needs (issue 18: 0.20) must
fit between the floor's ratio and what the two processes' own work adds.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from typing import Any

import msgspec
from litestar import Litestar, Request, Response, post

__all__ = ["ANSWER_BYTES", "FRONT_PATH", "answer_body", "relay_floor"]

FRONT_PATH = "/relay"
UPSTREAM_PATH = "/answer"
ANSWER_BYTES = 17_600  # a top-3 recommendation with its learning plan: 14.8-20.5 KB, mean 17.6 KB (50 asked)


class Asked(msgspec.Struct, forbid_unknown_fields=True):
    """A recommendation request's shape, read strictly (the recommender reads its own this way)."""

    skills: dict[str, int]
    years_experience: int = 0
    top: int = 3


def answer_body(size: int = ANSWER_BYTES) -> bytes:
    """A JSON object of ``size`` bytes: roles with a few numbers and texts, padded with a note."""
    roles = [{"role": f"role-{k}", "fit": 0.5, "readiness": 0.25, "missing": ["a", "b"]} for k in range(3)]
    head = msgspec.json.encode({"roles": roles, "note": ""})
    return head[:-2] + b"x" * max(0, size - len(head)) + b'"}'


def upstream_app() -> Litestar:
    answer = answer_body()

    @post(UPSTREAM_PATH, sync_to_thread=False, status_code=200)
    def respond(data: Asked) -> Response[bytes]:
        return Response(answer, media_type="application/json")

    return Litestar([respond], openapi_config=None, logging_config=None)


def front_app(upstream_port: int, redis_url: str) -> Litestar:
    import redis.asyncio as aioredis

    from shared.http import ConnectionPool

    held: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        held["redis"] = aioredis.Redis.from_url(redis_url)
        held["pool"] = ConnectionPool("127.0.0.1", upstream_port)
        try:
            yield
        finally:
            await held["pool"].aclose()
            await held["redis"].aclose()

    @post(FRONT_PATH, status_code=200)
    async def relay(request: Request[Any, Any, Any]) -> Response[bytes]:
        body = await request.body()
        await held["redis"].incr("relay:count")
        answer = await held["pool"].request(
            "POST", UPSTREAM_PATH, headers=[("content-type", "application/json")], body=body, timeout=10.0
        )
        return Response(answer.content, status_code=answer.status_code, media_type="application/json")

    return Litestar([relay], lifespan=[lifespan], openapi_config=None, logging_config=None)


@contextmanager
def relay_floor() -> Iterator[tuple[int, dict[str, int]]]:
    """The floor's front and upstream, and a Redis of their own, each in its own process: (the front's
    port, {name: pid}) while they run."""
    from tools.bench.system import served_module
    from tools.embedded import EmbeddedRedis, free_port

    redis_server = EmbeddedRedis(persist=False).start()
    try:
        with ExitStack() as running:
            upstream, front = free_port(), free_port()
            pids = {
                "floor upstream": running.enter_context(
                    served_module("tools.bench.relay", upstream, "upstream", str(upstream))
                ),
                "floor front": running.enter_context(
                    served_module(
                        "tools.bench.relay", front, "front", str(front), str(upstream), redis_server.url
                    )
                ),
            }
            if redis_server.proc is not None:
                pids["floor redis"] = redis_server.proc.pid
            yield front, pids
    finally:
        redis_server.stop()


def main(argv: list[str]) -> int:
    from shared.serving import serve
    from tools.bench.hello import HelloSettings

    role, port = argv[0], int(argv[1])
    app = upstream_app() if role == "upstream" else front_app(int(argv[2]), argv[3])
    serve(app, HelloSettings(port=port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
