"""axe-core in a real Chromium on every view of the page, at a desktop and a phone width.

axe-core and the rules run (WCAG 2.0, 2.1 and 2.2 level A and AA, and axe's best practices) are in
``tests/e2e/axe.py``; each view's violations are printed (rule, impact, how many elements, the first one)
and none may be critical, serious or moderate.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e import browser as web
from tests.e2e.axe import BLOCKING, violations
from tests.e2e.browser import Ui
from tests.e2e.helpers import PASSWORD, log_in, sign_up
from tests.e2e.test_browser import market_stack, web_admin_email, web_db
from tests.refresh_support import wait_run
from tools.supervisor.stack import Stack

browser = web.browser  # the fixtures
__all__ = ["market_stack", "web_admin_email", "web_db"]  # a stack of its own with a worker, as test_browser's

pytestmark = pytest.mark.e2e

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
RUNS = "/api/v1/admin/market/runs"
EARLY = {"python": 2, "sql": 2, "git": 2}
LATER = {"python": 3, "sql": 3, "postgresql": 2, "http": 3, "rest": 2, "git": 3, "docker": 2, "linux": 2}


@pytest.fixture(scope="module")
def admin_data(market_stack: Stack, web_admin_email: str) -> Iterator[None]:
    """What the admin view lists: a finished refresh (a run and a second data version) and a partner key."""
    admin = log_in(market_stack.url, web_admin_email)
    try:
        run = admin.post("/api/v1/admin/market/refresh", json={"source": "file:postings.jsonl"})
        assert run.status_code == 202, run.text
        assert wait_run(admin, run.json()["id"], path=RUNS)["status"] == "succeeded"
        key = admin.post("/api/v1/admin/keys", json={"name": "Acme HR", "scopes": ["recommendations:write"]})
        assert key.status_code == 201, key.text
    finally:
        admin.close()
    yield


def _saved_twice(base_url: str) -> str:
    """A user with two saved assessments (the progress chart has two points); returns the email."""
    email = f"a11y-{secrets.token_hex(5)}@example.com"
    client: httpx.Client = sign_up(base_url, email)
    try:
        etag = ""
        for skills in (EARLY, LATER):
            body = {"display_name": "Ada", "skills": skills, "years_experience": 3, "target_role": None}
            saved = client.put("/api/v1/me/profile", json=body, headers={"If-Match": etag} if etag else {})
            assert saved.status_code in (200, 201), saved.text
            etag = saved.headers["ETag"]
    finally:
        client.close()
    return email


class Audit(Ui):
    """Runs axe on a page's current view and keeps what it found, per view (and, as any browser test's
    page, what the page complained about)."""

    def __init__(self, page: Page, viewport: str) -> None:
        super().__init__(page, f"axe-{viewport}")
        self.viewport = viewport
        self.found: dict[str, list[dict[str, Any]]] = {}

    async def __call__(self, view: str) -> None:
        found = self.found[view] = await violations(self.page)
        print(f"axe {self.viewport} {view}: {len(found)} violation(s)")
        for v in found:
            print(f"  {v['id']} ({v['impact']}) x{v['count']}: {v['target']} -- {v['help']}")

    def blocking(self) -> list[str]:
        return [
            f"{view}: {v['id']} ({v['impact']}) x{v['count']} at {v['target']}"
            for view, violations in self.found.items()
            for v in violations
            if v["impact"] in BLOCKING
        ]


async def _sign_in(page: Page, base_url: str, email: str) -> None:
    await page.goto(base_url + "/")
    form = page.get_by_role("form", name="Sign in")
    await form.get_by_label("Email").fill(email)
    await form.get_by_label("Password").fill(PASSWORD)
    await form.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#nav")).to_be_visible()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
async def test_axe_finds_nothing_serious_on_any_view(
    browser: Browser,
    stack: Stack,
    market_stack: Stack,
    web_admin_email: str,
    admin_data: None,
    viewport: str,
) -> None:
    base = stack.url  # the admin's views are on market_stack, which has a worker and so finished runs
    context = await browser.new_context(viewport=VIEWPORTS[viewport])
    context.set_default_timeout(web.TIMEOUT_MS)
    page = await context.new_page()
    audit = Audit(page, viewport)
    try:
        # sign-in, then answering a wrong password; create account with its errors next to the fields
        await page.goto(base + "/")
        signin = page.get_by_role("form", name="Sign in")
        await expect(signin).to_be_visible()
        await audit("sign-in")
        # the harness finds what it should: a field without a label, put in for one run and taken out
        await page.evaluate(
            "() => document.querySelector('main').append(Object.assign("
            "document.createElement('input'), {id: 'unlabelled'}))"
        )
        assert ("label", "critical") in {(v["id"], v["impact"]) for v in await violations(page)}
        await page.evaluate("() => document.getElementById('unlabelled').remove()")
        await signin.get_by_label("Email").fill("nobody@example.com")
        await signin.get_by_label("Password").fill("not the password")
        await signin.get_by_role("button", name="Sign in").click()
        await expect(signin.locator("[data-error-for=_form]")).to_be_visible()
        await audit("sign-in, wrong password")
        await page.get_by_role("link", name="Create an account").click()
        signup = page.get_by_role("form", name="Create an account")
        await signup.get_by_label("Email").fill("not an address")
        await signup.get_by_label("Choose a password").fill("aaaaaaaaaa")
        await signup.get_by_role("button", name="Create account").click()
        await expect(signup.locator("[data-error-for=email]")).to_be_visible()
        await audit("create account, bad input")
        await page.goto(base + "/#/forgot")
        forgot = page.get_by_role("form", name="Forgot your password?")
        await forgot.get_by_label("Email").fill("not an address")
        await forgot.get_by_role("button", name="Send me a link").click()
        await expect(forgot.locator("[data-error-for=email]")).to_be_visible()
        await audit("forgot password, bad input")
        await page.goto(base + "/#/reset?token=forged")
        await expect(page.locator("#reset-title")).to_be_visible()
        await audit("new password")
        await page.goto(base + "/#/")

        # the quick start as a visitor, three answers in
        await page.get_by_role("link", name=re.compile("^Quick start")).first.click()
        await expect(page.locator("#k-question legend")).to_be_visible()
        await audit("quick start, a category's ticks")
        for _ in range(3):
            await audit.answer_quick(2, 2)
        await expect(page.locator("#k-roles > li")).to_have_count(5)
        await audit("quick start")
        while not await page.locator("#k-done").is_visible():  # on to the first results
            await audit.answer_quick(1, 1)
        await audit("quick start, first results")

        # results with two saved assessments and the progress chart
        await _sign_in(page, base, _saved_twice(base))
        await expect(page.locator("#r-roles > li")).to_have_count(12)
        await expect(page.locator("#r-history-chart svg")).to_be_visible()
        await page.locator("#r-roles > li").first.locator("summary").click()
        await audit("results")
        await page.get_by_role("link", name="Your account").click()
        await expect(page.locator("#account-title")).to_be_focused()
        await audit("account")

        # the full list: triage with skills ticked and their levels open, a pasted CV read
        await page.get_by_role("link", name="Questionnaire").click()
        await expect(page.locator("#q-title")).to_be_focused()
        await page.locator("#used-message-queues").check()
        await page.locator("#skill-message-queues input[value='2']").check()
        await page.locator("#used-redis").check()
        cv = page.get_by_label(re.compile("^Or paste your CV"))
        await cv.fill("Five years of Go and Kubernetes; no Java.")
        await page.get_by_role("button", name="Find my skills").click()
        await expect(page.locator("#cv-found li").first).to_be_visible()
        await audit("questionnaire")

        # admin: runs, two data versions (one synthetic), a partner key
        await page.get_by_role("button", name="Sign out").click()
        await _sign_in(page, market_stack.url, web_admin_email)
        await page.get_by_role("link", name="Admin").click()
        await expect(page.locator("#versions tbody tr[data-version]")).to_have_count(2)
        await expect(page.locator("#runs tbody tr[data-status=succeeded]").first).to_be_visible()
        await expect(page.locator("#keys tbody tr", has_text="Acme HR")).to_be_visible()
        await audit("admin")
        row = page.locator("#keys tbody tr", has_text="Acme HR")
        await row.get_by_role("button", name="Revoke the key for Acme HR").click()
        dialog = page.get_by_role("dialog", name="Revoke the key for Acme HR?")
        await expect(dialog).to_be_visible()
        await audit("admin, confirmation open")
        await page.keyboard.press("Escape")
        await expect(dialog).to_be_hidden()
    finally:
        await context.close()
    assert audit.problems == []
    assert set(audit.found) == {
        "sign-in",
        "sign-in, wrong password",
        "create account, bad input",
        "forgot password, bad input",
        "new password",
        "account",
        "quick start, a category's ticks",
        "quick start",
        "results",
        "questionnaire",
        "admin",
        "admin, confirmation open",
        "quick start, first results",
    }
    assert audit.blocking() == []
