"""The benchmark's floor: a Litestar + msgspec hello world served exactly as the services are.

``python -m tools.bench.hello PORT`` serves ``GET /hello`` (a msgspec Struct, encoded by Litestar) with
:func:`shared.serving.serve`: uvicorn in one process, uvloop and httptools when installed, the same
header cap, no access log, no proxies trusted. Every scenario is compared with it, measured in the same
run: what a request costs above it is the services' own work.
"""

from __future__ import annotations

import sys

import msgspec
from litestar import Litestar, get

__all__ = ["PATH", "Hello", "HelloSettings", "create_app"]

PATH = "/hello"


class Hello(msgspec.Struct, frozen=True):
    message: str


class HelloSettings(msgspec.Struct, kw_only=True, frozen=True):
    """What :func:`shared.serving.serve` reads from a service's settings, with the services' defaults."""

    host: str = "127.0.0.1"
    port: int = 0
    max_header_bytes: int = 32_768
    trusted_proxies: tuple[str, ...] = ()


@get(PATH, sync_to_thread=False)
def hello() -> Hello:
    return Hello(message="Hello, world!")


def create_app() -> Litestar:
    return Litestar([hello], openapi_config=None, logging_config=None)


def main(argv: list[str]) -> int:
    from shared.serving import serve

    serve(create_app(), HelloSettings(port=int(argv[0])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
