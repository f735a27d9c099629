"""Measuring clients in processes of their own: a spec (JSON) in on standard input, a result (JSON) out.

A client that shares a process with the benchmark, or with the other client it is compared with, would
share its event loop and its CPU time; in a child of its own, both are its alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import msgspec

__all__ = ["child_main", "in_child", "run_loop"]

T = TypeVar("T")
S = TypeVar("S")


def run_loop(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` on uvloop when it is installed (as the services run), else on asyncio's loop."""
    with contextlib.suppress(ImportError):
        import uvloop

        return uvloop.run(main)
    return asyncio.run(main)


def in_child(module: str, spec: msgspec.Struct, answer: type[T], timeout: float, what: str) -> T:
    """Run ``python -m module ANSWER_FILE`` with ``spec`` on its standard input; its answer (the file),
    decoded as ``answer``. A file, not standard output: on the busy machine the pipe twice gave back only
    its first 128 KiB, with exit status 0."""
    with tempfile.TemporaryDirectory(prefix="careerpath-bench-") as folder:
        path = Path(folder) / "answer.json"
        done = subprocess.run(
            [sys.executable, "-m", module, str(path)],
            input=msgspec.json.encode(spec),
            capture_output=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{what} failed: {done.stderr.decode(errors='replace')[-2000:]}")
        raw = path.read_bytes() if path.exists() else b""
    try:
        return msgspec.json.decode(raw, type=answer)
    except msgspec.DecodeError as exc:
        raise RuntimeError(
            f"{what} answered {len(raw):,} bytes that do not decode ({exc}); its standard error: "
            f"{done.stderr.decode(errors='replace')[-2000:]}"
        ) from None


def child_main(spec_type: type[S], run: Callable[[S], msgspec.Struct]) -> int:
    """The child's side of :func:`in_child`: the answer goes to the file named by the first argument
    (standard output without one)."""
    spec = msgspec.json.decode(sys.stdin.buffer.read(), type=spec_type)
    encoded = msgspec.json.encode(run(spec))
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_bytes(encoded)
    else:
        sys.stdout.buffer.write(encoded)
        sys.stdout.buffer.flush()
    return 0
