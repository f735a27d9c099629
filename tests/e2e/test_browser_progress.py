"""The results page stays light however long the history (issue 16, item 4), in Debian's Chromium.

The page is measured with tools/measure_page.py's own code (the tool the README's figures come from):
a user with N saved assessments, signed in through the API, the results page opened in a fresh context.
The number of requests must not grow with N, the progress chart has one point per assessment placed along
x by its date, and nothing painted moves while the page fills in (CLS, a layout property, under 0.1 on
a desktop and a phone screen, with the network throttled so the answers arrive between frames).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

from tools.chromium import ARGS, CHROMIUM
from tools.measure_page import DOT, VIEWPORTS, measure, seed_user
from tools.supervisor.stack import Stack

PLACED = "(d) => [d.dataset.at, Number(d.getAttribute('cx'))]"  # a dot's date and x
MONTH = r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"
DAYS = [0, 1, 2, 5, 9, 16, 30, 31, 45, 70, 71, 100]  # uneven gaps: an index axis would space them evenly


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


async def _backdate(database_url: str, client: httpx.Client, days: list[int]) -> None:
    """Move the user's assessments (oldest first) to `days` after a start 100+ days ago."""
    profile_id = client.get("/api/v1/me/profile").json()["id"]
    start = datetime.now(UTC) - timedelta(days=max(days) + 1)
    conn = await asyncpg.connect(database_url)
    try:
        versions = await conn.fetch(
            "SELECT version FROM assessments WHERE profile_id = $1::uuid ORDER BY version", profile_id
        )
        for row, day in zip(versions, days, strict=True):
            await conn.execute(
                "UPDATE assessments SET created_at = $3 WHERE profile_id = $1::uuid AND version = $2",
                profile_id,
                row["version"],
                start + timedelta(days=day, hours=10),
            )
    finally:
        await conn.close()


def _user(stack: Stack, infra, days: list[int]) -> httpx.Client:  # type: ignore[no-untyped-def]
    client = seed_user(stack.url, len(days))
    with ThreadPoolExecutor(1) as thread:  # sync Playwright runs an event loop in this thread
        thread.submit(asyncio.run, _backdate(infra.database_url, client, days)).result()
    return client


def test_requests_do_not_grow_with_the_history(chromium: Browser, stack: Stack, infra) -> None:  # type: ignore[no-untyped-def]
    counts = {}
    for n in (3, 12):
        client = _user(stack, infra, DAYS[:n])
        run = measure(chromium, stack.url, client.cookies, "desktop 1280x900", False, n)
        assert run.points == n
        paths = [u.split(" ", 1)[0] + " " + httpx.URL(u.split(" ", 1)[1]).path for u in run.urls]
        assert paths.count("GET /api/v1/me/progress") == 1, run.urls
        assert paths.count("GET /api/v1/me/profile") == 1, run.urls  # read once per page load
        assert "POST /api/v1/recommendations" not in paths, run.urls  # no scoring per assessment
        counts[n] = run.requests
        client.close()
    assert counts[3] == counts[12], counts


def test_the_chart_places_each_assessment_by_its_date(chromium: Browser, stack: Stack, infra) -> None:  # type: ignore[no-untyped-def]
    client = _user(stack, infra, DAYS)
    saved = sorted(a["created_at"] for a in client.get("/api/v1/me/assessments").json()["assessments"])
    context = chromium.new_context(**VIEWPORTS["desktop 1280x900"])
    context.add_cookies(
        [{"name": c.name, "value": c.value or "", "url": stack.url} for c in client.cookies.jar]
    )
    page = context.new_page()
    page.goto(stack.url + "/#/results")
    page.locator(DOT).nth(len(DAYS) - 1).wait_for()
    dots = page.evaluate(f"() => [...document.querySelectorAll({DOT!r})].map({PLACED})")
    assert len(dots) == len(DAYS)
    times = [datetime.fromisoformat(at).timestamp() for at, _ in dots]
    saved_times = sorted(datetime.fromisoformat(at).timestamp() for at in saved)
    assert times == pytest.approx(saved_times, abs=0.001)  # one per assessment (JS dates keep ms)
    xs = [x for _, x in dots]
    for t, x in zip(times, xs, strict=True):  # x is proportional to the time since the first
        assert (x - xs[0]) / (xs[-1] - xs[0]) == pytest.approx(
            (t - times[0]) / (times[-1] - times[0]), abs=0.005
        )
    labels = page.locator("#r-history-chart text.chart-axis").all_text_contents()
    assert any(re.search(MONTH, text) for text in labels), labels  # dates on the x axis, not indexes
    assert page.locator("#r-history tbody tr").count() == len(DAYS)
    context.close()
    client.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_nothing_moves_while_the_results_page_fills_in(
    chromium: Browser,
    stack: Stack,
    infra,
    viewport: str,  # type: ignore[no-untyped-def]
) -> None:
    client = _user(stack, infra, DAYS)
    run = measure(chromium, stack.url, client.cookies, viewport, True, len(DAYS))
    print(f"{viewport}: CLS {run.cls:.3f} (sum {run.cls_sum:.3f}), {run.requests} requests")
    assert run.points == len(DAYS)
    assert run.cls < 0.1, run
    client.close()
