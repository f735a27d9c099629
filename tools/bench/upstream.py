"""The HTTP client benchmark's upstream: one Litestar route under uvicorn, answering as a service would.

``POST /score`` reads the JSON body and answers a fixed 2 KB JSON document with ``Content-Length``, as the
recommender answers the gateway; the answer is encoded once, so the server does as little as it can and
the clients' own costs show. Started by :func:`tools.bench.clients.compare` with
``uvicorn --factory tools.bench.upstream:create_app``.
"""

from __future__ import annotations

import msgspec
from litestar import Litestar, Request, Response, post

__all__ = ["ANSWER", "PATH", "create_app"]

PATH = "/score"
ANSWER = msgspec.json.encode(
    {
        "matches": [
            {
                "role": f"role-{i:02d}",
                "fit": round(0.95 - i / 40, 3),
                "readiness": round(0.5 + i / 80, 3),
                "missing": [f"skill-{i}-a", f"skill-{i}-b", f"skill-{i}-c"],
            }
            for i in range(20)
        ],
        "model_version": "bench",
    }
)


@post(PATH, status_code=200)
async def score(request: Request) -> Response[bytes]:  # type: ignore[type-arg]
    await request.body()
    return Response(ANSWER, media_type="application/json")


def create_app() -> Litestar:
    return Litestar([score], openapi_config=None)
