"""Keyboard-only journeys in a real Chromium: Tab, Shift+Tab, Enter, Space and arrow keys, never a click.

At every step the focused element must be on screen and not hidden under anything (the questionnaire's
sticky Save bar above all: WCAG 2.2 SC 2.4.11), and the focus ring of the controls reached must stand out
at least 3:1 against the colours next to it (WCAG 1.4.11), computed from the page's computed styles.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.e2e import browser as web
from tests.e2e.browser import Ui
from tests.e2e.helpers import PASSWORD, sign_up
from tools.supervisor.stack import Stack

browser, ui = web.browser, web.ui  # the fixtures

pytestmark = pytest.mark.e2e

# a profile with roles within reach besides its best one (test_browser's)
SKILLS = {"python": 3, "sql": 3, "postgresql": 2, "http": 3, "rest": 2, "git": 3, "docker": 2, "linux": 2}
MAX_TABS = 250  # more than every control of the longest view (59 chips, 8 "none of these", the levels open)

# Where the focused element is and what covers it: its centre must be inside the viewport and the topmost
# element there must be itself (or inside it, or its label): nothing sticky drawn over it.
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {what: 'body', shown: false, why: 'nothing has focus'};
  const r = el.getClientRects()[0] || el.getBoundingClientRect(); // a wrapped link: its first line
  const tag = el.tagName.toLowerCase();
  const what = el.id ? `${tag}#${el.id}` : `${tag} ${el.textContent.trim().slice(0, 40)}`;
  if (!r.width || !r.height) return {what, shown: false, why: 'no size'};
  const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
  const y = r.top + Math.min(r.height, 24) / 2;
  if (r.bottom <= 0 || y >= innerHeight || r.right <= 0 || r.left >= innerWidth)
    return {what, shown: false, why: `outside the viewport (${Math.round(r.top)}..${Math.round(r.bottom)})`};
  const top = document.elementFromPoint(x, y);
  const labelled = Array.from(el.labels || []).some((label) => label.contains(top));
  const shown = Boolean(top) && (el.contains(top) || top.contains(el) || labelled);
  return {what, shown, why: shown ? '' : `covered by ${top && (top.id || top.className || top.tagName)}`};
}"""

# The focus ring actually drawn for the focused element: its outline (or, for a chip's or a level's input,
# the outline its label draws) and the first opaque background behind it.
RING = """() => {
  const ring = (e) => {
    const s = getComputedStyle(e);
    return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 ? s : null;
  };
  let owner = document.activeElement;
  let style = ring(owner);
  const label = owner.closest('.chip, .level');
  if (label && ring(label)) { owner = label; style = ring(label); }
  if (!style) return null;
  let back = 'rgb(255, 255, 255)';
  for (let e = owner.parentElement; e; e = e.parentElement) {
    const c = getComputedStyle(e).backgroundColor;
    if (c && c !== 'transparent' && !/rgba\\(.*,\\s*0\\)$/.test(c)) { back = c; break; }
  }
  return {color: style.outlineColor, width: parseFloat(style.outlineWidth),
          offset: parseFloat(style.outlineOffset), background: back,
          owner: owner.id || owner.className || owner.tagName};
}"""


def _luminance(css: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+(?:\.\d+)?", css)[:3])

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


class Keys:
    """Keyboard-only driving of a page; checks after every key that the focused element can be seen."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.rings: dict[str, float] = {}

    async def focused(self) -> dict[str, Any]:
        where: dict[str, Any] = await self.page.evaluate(FOCUS)
        return where

    async def visible(self) -> dict[str, Any]:
        where = await self.focused()
        assert where["shown"], f"the focused element cannot be seen: {where}"
        return where

    async def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            await self.page.keyboard.press(key)
            await self.visible()

    async def submit(self) -> None:
        """Enter on a button that asks the server: it is disabled meanwhile (and so loses focus); the caller
        waits for where focus lands, then checks it can be seen with ``visible``."""
        await self.page.keyboard.press("Enter")

    async def tab_to(self, selector: str, back: bool = False) -> None:
        """Tab (Shift+Tab when ``back``) until the focused element matches ``selector``."""
        for _ in range(MAX_TABS):
            if await self.page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
            await self.press("Shift+Tab" if back else "Tab")
        raise AssertionError(f"{MAX_TABS} Tabs never reached {selector}; at {await self.focused()}")

    async def type(self, text: str) -> None:
        await self.page.keyboard.press("Control+A")
        await self.page.keyboard.type(text)

    async def ring(self, name: str) -> None:
        """The focused control's ring: at least 2 px wide and 3:1 against what is around it."""
        ring = await self.page.evaluate(RING)
        assert ring, f"{name}: no focus ring drawn"
        ratio = contrast(ring["color"], ring["background"])
        print(f"focus ring {name}: {ring['color']} on {ring['background']}, {ring['width']}px: {ratio:.2f}:1")
        assert ring["width"] >= 2 and ratio >= 3, f"{name}: {ring}, {ratio:.2f}:1"
        self.rings[name] = ratio


async def _sign_in(keys: Keys, base_url: str, email: str) -> None:
    """Sign in by keyboard: the e-mail field, Tab to the password, Enter submits."""
    await keys.page.goto(base_url + "/")
    await expect(keys.page.locator("#view-auth")).to_be_visible()
    await keys.tab_to("input[type=email]")
    await keys.ring("email field")
    await keys.type(email)
    await keys.press("Tab")
    await keys.type(PASSWORD)
    await keys.press("Tab")
    await keys.tab_to("button[type=submit]")
    await keys.ring("primary button")
    await keys.submit()
    await expect(keys.page.locator("#nav")).to_be_visible()


async def _pick_level(keys: Keys, level: int, lowest: int = 0) -> None:
    """Focus is on a radio group's first option, ``lowest`` (none picked): Space picks it, each arrow key
    the next one (the quick start's levels start at 0 none, a ticked skill's at 1)."""
    if level == lowest:
        await keys.press("Space")
    else:
        await keys.press("ArrowDown", level - lowest)


async def test_quick_start_by_keyboard(ui: Ui, stack: Stack) -> None:
    """A visitor: the quick start from the sign-in page, ten answers, the results, refine, five more."""
    page, keys = ui.page, Keys(ui.page)
    await page.goto(stack.url + "/")
    await expect(page.locator("#view-auth")).to_be_visible()
    await keys.tab_to("a[href='#/quick']")
    await keys.ring("link")
    await keys.press("Enter")
    await expect(page.locator("#k-title")).to_be_focused()
    await expect(page.locator("#k-question input").first).to_be_attached()
    await keys.tab_to("#k-years")
    await keys.type("4")
    await keys.press("Tab")  # into the question's levels

    async def answer(limit: int) -> int:
        count = 0
        while not await page.locator("#k-done").is_visible():
            question = page.locator("#k-question")
            key = await question.get_attribute("data-question")
            await expect(question.locator("input").first).to_be_focused()  # each new question's first input
            await keys.visible()
            if await question.get_attribute("data-kind") == "category":
                await keys.press("Space")  # ticks the first skill of the category
                await expect(question.locator("input[data-tick]").first).to_be_checked()
                if count == 0:
                    await keys.ring("tick box")
                await keys.tab_to("#k-next")  # past the other skills and "None of these"
            else:
                level = [1, 2][count % 2]  # answers that leave more to ask after ten (refine is offered)
                await _pick_level(keys, level)
                await expect(question.locator(f"input[value='{level}']")).to_be_checked()
                await keys.ring("level radio")
                await keys.press("Tab")
            await expect(page.get_by_role("button", name="Next question")).to_be_focused()
            await keys.submit()
            count += 1
            after = f"#k-done:not([hidden]), #k-form:not([hidden]) #k-question:not([data-question='{key}'])"
            await expect(page.locator(after)).to_have_count(1)
            assert count <= limit
        return count

    first = await answer(10)
    await expect(page.locator("#k-done-title")).to_be_focused()
    await keys.visible()  # the results, read from their heading
    await expect(page.locator("#k-roles > li")).to_have_count(5)
    refine = page.get_by_role("button", name="Refine: five more questions")
    if await refine.is_visible():
        await keys.tab_to("#k-refine")
        await keys.ring("secondary button")
        await keys.press("Enter")
        await expect(page.locator("#k-count")).to_have_text(f"Question {first + 1} of about {first + 5}")
        assert await answer(5) <= 5
        await expect(page.locator("#k-done-title")).to_be_focused()
    else:  # the model found nothing left to ask: it says so instead of offering more questions
        await expect(page.locator("#k-done-text")).to_contain_text("No question left would change")
    # Tab goes on from "Save my results" to what follows it, Shift+Tab comes back
    await keys.tab_to("#k-save")
    await keys.press("Tab")
    await expect(page.locator("#k-save")).not_to_be_focused()
    await keys.press("Shift+Tab")
    await expect(page.locator("#k-save")).to_be_focused()
    await keys.ring("primary button")
    assert ui.problems == []


# a short desktop window and a phone: the sticky Save bar covers a good part of either
@pytest.mark.parametrize("size", [(1000, 600), (390, 844)], ids=["short-desktop", "phone"])
async def test_triage_cv_and_save_by_keyboard(ui: Ui, stack: Stack, size: tuple[int, int]) -> None:
    """Signed in: jump links, chips, levels, "none of these", a pasted CV confirmed, saved; Shift+Tab too."""
    page, keys = ui.page, Keys(ui.page)
    await page.set_viewport_size({"width": size[0], "height": size[1]})
    email = f"keys-{secrets.token_hex(5)}@example.com"
    sign_up(stack.url, email).close()
    await _sign_in(keys, stack.url, email)
    await expect(page.locator("#q-title")).to_be_focused()  # signed in: the new view's heading
    await expect(page.locator("#q-progress-list li")).to_have_count(8)

    # paste a CV, find its skills, follow a found skill to its suggested level and change it
    await keys.tab_to("#cv-text")
    await keys.type("Four years of Python and PostgreSQL; I run our services with Docker.")
    await keys.tab_to("#cv-find")
    await keys.submit()
    await expect(page.locator("#cv-found li").first).to_be_visible()
    await keys.tab_to("#cv-found a[data-skill=docker]")
    await keys.ring("link in text")
    await keys.press("Enter")
    docker = page.locator("#skill-docker input:checked")
    await expect(docker).to_be_focused()
    suggested = int(await docker.get_attribute("value") or 0)
    await keys.press("ArrowUp" if suggested > 1 else "ArrowDown")  # the user's own level, not the guess
    confirmed = suggested - 1 if suggested > 1 else suggested + 1
    await expect(page.locator(f"#skill-docker input[value='{confirmed}']")).to_be_checked()

    # a jump link moves focus to its category's first chip; Space ticks, the levels appear, arrows pick
    await keys.tab_to("#q-progress a[data-jump=servers-hosting]", back=True)  # above: Shift+Tab goes back
    await keys.press("Enter")
    await expect(page.locator("#category-servers-hosting input").first).to_be_focused()
    await keys.tab_to("#used-linux")
    await keys.press("Space")
    await expect(page.locator("#used-linux")).to_be_checked()
    await keys.ring("chip")
    await keys.tab_to("#skill-linux input")
    await _pick_level(keys, 3, lowest=1)
    await expect(page.locator("#skill-linux input[value='3']")).to_be_checked()

    # "none of these" for Security, from its jump link
    await keys.tab_to("#q-progress a[data-jump=security]", back=True)
    await keys.press("Enter")
    await keys.tab_to("#none-security")
    await keys.press("Space")
    await expect(page.locator("[data-progress=security]")).to_have_class(re.compile(r"\bdone\b"))

    # save: the results, focus on their heading; the profile holds what was confirmed
    await keys.tab_to("#q-save")
    await keys.submit()
    await expect(page.locator("#r-title")).to_be_focused()
    await keys.visible()
    saved = await (await page.request.get(stack.url + "/api/v1/me/profile")).json()
    assert saved["skills"]["docker"] == confirmed and saved["skills"]["linux"] == 3
    assert {"python", "postgresql"} <= set(saved["skills"])
    assert ui.problems == []


async def test_target_role_changes_only_when_asked_by_keyboard(ui: Ui, stack: Stack) -> None:
    """Arrow keys move through the target roles without asking for a plan (WCAG 3.2.2); the button asks."""
    page, keys = ui.page, Keys(ui.page)
    email = f"keys-{secrets.token_hex(5)}@example.com"
    client = sign_up(stack.url, email)
    try:
        body = {"display_name": "Ada", "skills": SKILLS, "years_experience": 3}
        assert client.put("/api/v1/me/profile", json=body).status_code in (200, 201)
    finally:
        client.close()
    await _sign_in(keys, stack.url, email)
    await expect(page.locator("#r-title")).to_be_focused()  # signed in with a profile: the results
    await expect(page.locator("#r-roles > li")).to_have_count(12)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/me/recommendations" in r.url else None)

    await keys.tab_to("#r-target")
    await keys.ring("select")
    before = await page.locator("#r-target").input_value()
    await keys.press("ArrowDown", 3)
    picked = await page.locator("#r-target").input_value()
    assert picked != before
    await expect(page.locator("#r-target-status")).to_be_hidden()
    assert asked == []  # moving through the list asks for nothing

    await keys.press("Tab")
    await expect(page.get_by_role("button", name="Show the plan")).to_be_focused()
    async with page.expect_response(re.compile(rf"/api/v1/me/recommendations\?target_role={picked}$")):
        await keys.press("Enter")
    name = await page.locator("#r-target option:checked").inner_text()
    await expect(page.locator("#r-target-status")).to_have_text(f"Showing the plan for {name}.")
    await expect(page.locator("#r-roles li.target")).to_have_attribute("data-role", picked)
    await expect(page.get_by_role("button", name="Show the plan")).to_be_focused()  # focus stays put
    await keys.visible()
    assert len([url for url in asked if "target_role=" in url]) == 1

    # a role within reach, by keyboard: its button goes with the old plan, so focus goes to the list
    await keys.tab_to("#r-stretch-buttons button", back=True)
    other = await page.evaluate("() => document.activeElement.dataset.role")
    await keys.submit()
    await expect(page.locator("#r-roles li.target")).to_have_attribute("data-role", other)
    await expect(page.locator("#r-target")).to_be_focused()
    await expect(page.locator("#r-target")).to_have_value(other)
    await keys.visible()

    # navigation by keyboard: the questionnaire link, focus on that view's heading
    await keys.tab_to("#nav a[href='#/questionnaire']", back=True)
    await keys.press("Enter")
    await expect(page.locator("#q-title")).to_be_focused()
    assert ui.problems == []
