"""End-to-end fixtures: the real service processes, talking HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from services.processes import Stack


@pytest.fixture(scope="session")
def stack(infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    logs = tmp_path_factory.mktemp("logs")
    running = Stack(env=infra.env(), log_dir=logs).start()
    try:
        yield running
    finally:
        running.stop()
        for log in logs.glob("*.log"):
            text = log.read_text(errors="replace")
            if "Traceback" in text:
                print(f"--- {log.name} ---\n{text[-4000:]}")


@pytest.fixture
def api(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=10.0) as client:
        yield client
