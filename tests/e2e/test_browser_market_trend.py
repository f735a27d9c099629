"""The results page shows demand month by month for the plan's skills (issue 17.4), in Debian's Chromium:
the market data is refreshed from dated postings through the worker; a user with a target role opens the
results; the chart has one line per plan skill (at most four, each named in its legend) and a table with
the same figures; a market without dates (the bundled snapshot) shows no such chart."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.e2e.axe import AXE, BLOCKING, RUN_AXE, TAGS
from tests.e2e.conftest import worker_stack
from tests.e2e.helpers import create_admin, log_in
from tests.refresh_support import fresh_database, jsonl, wait_run
from tools.chromium import ARGS, CHROMIUM
from tools.measure_page import PASSWORD
from tools.supervisor.stack import Stack

pytestmark = pytest.mark.e2e
CLOUD = "Kubernetes, Terraform, AWS, Docker and Linux"


def _dated() -> list[dict]:
    """Three months of 30 cloud postings; the cloud skills in 6, 15 and 24 of them."""
    out = []
    for month, share in ((4, 6), (5, 15), (6, 24)):
        for i in range(30):
            out.append(
                {
                    "id": f"{month}-{i}",
                    "title": "Cloud Engineer",
                    "description": CLOUD if i < share else "Python and SQL",
                    "posted_date": f"2025-{month:02d}-{1 + i % 28:02d}",
                }
            )
    return out


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def db(database_server: str) -> Iterator[str]:
    url, drop = fresh_database(database_server, "trend")
    yield url
    drop()


@pytest.fixture(scope="module")
def stack(infra, db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    sources = {"dated.jsonl": jsonl(_dated())}
    with worker_stack(infra, db, tmp_path_factory.mktemp("trend-logs"), "trend:", sources) as running:
        yield running


def _refresh(stack: Stack, db: str, source: str) -> None:
    email = f"trend-admin-{secrets.token_hex(4)}@example.com"
    with ThreadPoolExecutor(1) as thread:  # sync Playwright runs an event loop in this thread
        thread.submit(create_admin, db, email).result()
    admin = log_in(stack.url, email)
    try:
        answer = admin.post("/api/v1/admin/market/refresh", json={"source": source})
        assert answer.status_code == 202, answer.text
        run = wait_run(admin, answer.json()["id"], path="/api/v1/admin/market/runs", timeout=60)
        assert run["status"] == "succeeded", run
    finally:
        admin.close()


def _user(stack: Stack) -> httpx.Client:
    client = httpx.Client(base_url=stack.url, timeout=30.0)
    answer = client.post(
        "/api/v1/auth/signup",
        json={"email": f"trend-{secrets.token_hex(5)}@example.com", "password": PASSWORD},
    )
    answer.raise_for_status()
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    body = {
        "display_name": "Trend",
        "skills": {"python": 3, "sql": 2, "git": 2},
        "years_experience": 2,
        "target_role": "cloud-engineer",
    }
    client.put("/api/v1/me/profile", json=body).raise_for_status()
    return client


def _open_results(chromium: Browser, stack: Stack, client: httpx.Client):  # type: ignore[no-untyped-def]
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": c.name, "value": c.value or "", "url": stack.url} for c in client.cookies.jar]
    )
    page = context.new_page()
    page.goto(stack.url + "/#/results")
    page.wait_for_selector("#r-body:not([hidden])", timeout=30_000)
    return context, page


def test_the_plan_skills_demand_month_by_month_as_a_chart_and_a_table(
    stack: Stack, db: str, chromium: Browser
) -> None:
    _refresh(stack, db, "file:dated.jsonl")
    client = _user(stack)
    recommended = client.get("/api/v1/me/recommendations").json()
    plan = {s["skill"] for s in recommended["learning_steps"]}
    series = client.get("/api/v1/market/series").json()
    context, page = _open_results(chromium, stack, client)
    try:
        assert page.locator("#r-trend").is_visible()
        lines = page.locator("#r-trend-chart polyline.chart-series")
        skills = lines.evaluate_all("(ls) => ls.map((l) => l.dataset.skill)")
        assert 1 <= len(skills) <= 4 and set(skills) <= plan, (skills, plan)
        cloud = {"kubernetes", "terraform", "aws", "docker", "linux"}
        assert skills[0] in cloud  # the cloud skills are the plan's most asked for here
        first = skills[0]
        legend = page.locator("#r-trend-chart text.chart-label").all_text_contents()
        names = {s["skill"]: s["name"] for s in recommended["learning_steps"]}
        assert legend == [names[s] for s in skills]
        assert page.locator("#r-trend-chart svg").get_attribute("role") == "img"
        assert "Demand month by month" in (
            page.locator("#r-trend-chart svg").get_attribute("aria-label") or ""
        )
        # the table: a row per month, a column per line, the same shares as the API's
        page.locator("#r-trend summary").click()  # the table is behind a disclosure
        rows = page.locator("#r-trend-table tbody tr")
        assert rows.count() == len(series["months"]) == 3
        shown = [rows.nth(i).locator("td").nth(0).inner_text() for i in range(3)]
        expected = [f"{round(v * 100)}%" for v in series["skills"][first]["demand"]]
        assert shown == expected == ["20%", "50%", "80%"]
        assert page.locator("#r-trend-table th[scope=col]").count() == len(skills) + 2
        summary = page.locator("#r-trend-summary").inner_text()
        assert "April 2025" in summary and "June 2025" in summary
        # each line is drawn rising, left to right (y falls as the share grows)
        points = page.locator(f"#r-trend-chart polyline[data-skill={first}]").get_attribute("points") or ""
        ys = [float(p.split(",")[1]) for p in points.split()]
        assert len(ys) == 3 and ys[0] > ys[1] > ys[2]
        # axe-core (the rules of tests/e2e/axe.py) on the results with the chart and its open table
        page.evaluate(AXE.read_text())
        found = page.evaluate(RUN_AXE, TAGS)
        print("axe results with the monthly chart:", found)
        assert [v["id"] for v in found if v["impact"] in BLOCKING] == []
    finally:
        context.close()
        client.close()


def test_no_chart_when_the_market_data_has_no_months(stack: Stack, db: str, chromium: Browser) -> None:
    _refresh(stack, db, "snapshot")
    client = _user(stack)
    assert client.get("/api/v1/market/series").json()["months"] == []
    context, page = _open_results(chromium, stack, client)
    try:
        assert page.locator("#r-demand svg").count() == 1
        assert page.locator("#r-trend").is_hidden()
    finally:
        context.close()
        client.close()
