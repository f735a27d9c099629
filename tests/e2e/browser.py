"""Browser-test support: Debian's Chromium driven by Playwright (never a downloaded browser).

Fixtures (import them into a test module): ``browser`` (one Chromium per module) and ``ui`` (a fresh
browser context and page per test, which saves the screens it captured plus the last one to
``test-artifacts/`` when the test fails, and collects page errors and console errors such as CSP
violations).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright, expect

from tests.e2e.helpers import PASSWORD
from tools.chromium import ARGS, CHROMIUM

__all__ = ["ARTIFACTS", "CHROMIUM", "LEVELS", "Ui", "browser", "ui"]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 10_000
LEVELS = ("none", "aware", "working", "proficient", "expert")


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):  # fail, never skip: CI and `make test` install it
        pytest.fail(
            f"{CHROMIUM} is missing: run tools/ensure_chromium.sh (apt-get install chromium)", pytrace=False
        )
    expect.set_options(timeout=TIMEOUT_MS)
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


class Ui:
    """One test's page, the screens it captured on the way, and what the page complained about."""

    def __init__(self, page: Page, name: str) -> None:
        self.page = page
        self.name = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
        self.screens: dict[str, bytes] = {}
        self.problems: list[str] = []
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        # failed API calls are logged as "Failed to load resource"; anything else (CSP too) is a problem
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console: {message.text}")

    async def capture(self, screen: str) -> None:
        """Keep a picture of a main screen, written out only if the test fails."""
        self.screens[screen] = await self.page.screenshot(full_page=True)

    async def save(self) -> list[Path]:
        ARTIFACTS.mkdir(exist_ok=True)
        written = []
        for screen, png in [*self.screens.items(), ("last", await self.page.screenshot(full_page=True))]:
            path = ARTIFACTS / f"{self.name}-{screen}.png"
            path.write_bytes(png)
            written.append(path)
        return written

    async def sign_up(self, base_url: str, email: str | None = None) -> str:
        """Create an account through the page's Create account form; returns its email."""
        email = email or f"web-{secrets.token_hex(5)}@example.com"
        await self.page.goto(base_url + "/#/signup")
        await self.fill_credentials("#signup-form", email)
        await self.page.get_by_role("button", name="Create account").click()
        await expect(self.page.locator("#view-questionnaire")).to_be_visible()
        return email

    async def log_in(self, base_url: str, email: str, password: str = PASSWORD) -> None:
        """Sign in through the page's Sign in form."""
        await self.page.goto(base_url + "/#/signin")
        await self.fill_credentials("#signin-form", email, password)
        await self.page.get_by_role("button", name="Sign in", exact=True).click()
        await expect(self.page.locator("#nav")).to_be_visible()

    async def fill_credentials(self, form: str, email: str, password: str = PASSWORD) -> None:
        """Type an email and password into one of the sign-in view's forms (``#signin-form``, ...)."""
        box = self.page.locator(form)
        await box.get_by_label("Email").fill(email)
        await box.get_by_label("password", exact=False).fill(password)

    async def page_width(self) -> int:
        """How wide the document is (more than the viewport means sideways scrolling)."""
        return int(await self.page.evaluate("() => document.documentElement.scrollWidth"))

    async def rate(self, levels: dict[str, int]) -> None:
        """Tick each skill as used in its category, then pick its level by the label ("3 proficient");
        level 0 unticks it."""
        for skill, level in levels.items():
            used = self.page.locator(f"#used-{skill}")
            if level == 0:
                await used.uncheck()
                continue
            await used.check()
            group = self.page.locator(f"#skill-{skill}")
            await group.get_by_role("radio", name=f"{level} {LEVELS[level]}", exact=True).check()

    async def answer_quick(self, ticks: int, level: int) -> dict[str, int | None]:
        """Answer the quick start's question on screen and wait for the next one (or the results): a "which
        of these have you used?" question by ticking its first ``ticks`` skills ("None of these" for 0), a
        level question with ``level``. What was answered: skill -> level, None for a tick (level assumed)."""
        question = self.page.locator("#k-question")
        await expect(self.page.locator("#k-question[data-question]")).to_have_count(1)  # one is on screen
        key = await question.get_attribute("data-question")
        answered: dict[str, int | None] = {}
        if await question.get_attribute("data-kind") == "category":
            await expect(question.locator("legend")).to_have_text(
                re.compile(r"^Which of these .+ have you used\?$")
            )
            boxes = question.locator("input[data-tick]")
            for i, box in enumerate(await boxes.all()):
                skill = await box.get_attribute("data-tick")
                assert skill
                if i < ticks:
                    await box.check()
                answered[skill] = None if i < ticks else 0
            if ticks == 0:
                await question.get_by_label("None of these").check()
        else:
            await expect(question.locator("legend")).to_have_text(re.compile(r"^How well do you know .+\?$"))
            skill = await question.get_attribute("data-skill")
            assert skill
            await question.get_by_role("radio", name=re.compile(rf"^{level} ")).check()
            answered[skill] = level
        await self.page.get_by_role("button", name="Next question").click()
        after = f"#k-done:not([hidden]), #k-form:not([hidden]) #k-question:not([data-question='{key}'])"
        await expect(self.page.locator(after)).to_have_count(1)  # the results, or the next question
        return answered


@pytest.fixture
async def ui(browser: Browser, request: pytest.FixtureRequest) -> AsyncIterator[Ui]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    failed_before = request.session.testsfailed
    wrapper = Ui(await context.new_page(), request.node.name)
    try:
        yield wrapper
    finally:
        if request.session.testsfailed > failed_before:
            try:
                for path in await wrapper.save():
                    print(f"screenshot: {path}")
            except Exception as exc:  # noqa: BLE001 - a failed screenshot must not hide the real failure
                print(f"could not save screenshots: {exc}")
        await context.close()
