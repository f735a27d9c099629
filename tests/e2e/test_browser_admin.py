"""The admin area in real Chromium: revoking a key and switching the live market data ask first, naming
the partner or both versions; synthetic data is marked and needs a tick; on a phone the tables are cards."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Locator, expect

from tests.e2e import browser as web
from tests.e2e.axe import BLOCKING, violations
from tests.e2e.browser import Ui
from tests.e2e.market_versions import kept_versions
from tools.supervisor.stack import Stack

browser, ui, kept = web.browser, web.ui, kept_versions  # the fixtures

pytestmark = pytest.mark.e2e
SKILLS = {"skills": {"python": 2}}
PHONE = {"width": 390, "height": 844}
TABLES = ("#keys", "#runs", "#versions")


async def _admin_view(ui: Ui, stack: Stack, email: str) -> None:
    await ui.log_in(stack.url, email)
    await ui.page.get_by_role("link", name="Admin").click()
    await expect(ui.page.locator("#view-admin")).to_be_visible()


async def _axe(ui: Ui, what: str) -> None:
    """axe-core on the page as it is now (an open dialog included): nothing critical, serious or moderate."""
    found = await violations(ui.page)
    print(f"axe {what}: {len(found)} violation(s) {found}")
    assert [v for v in found if v["impact"] in BLOCKING] == [], what


def _live(admin_api: httpx.Client) -> str:
    return str(admin_api.get("/api/v1/admin/market/versions").json()["current"])


async def test_revoke_asks_naming_the_partner_and_only_confirming_revokes(
    ui: Ui, stack: Stack, admin_api: httpx.Client, admin_email: str
) -> None:
    page = ui.page
    issued = admin_api.post(
        "/api/v1/admin/keys", json={"name": "Globex Talent", "scopes": ["recommendations:write"]}
    )
    assert issued.status_code == 201, issued.text
    bearer = {"Authorization": f"Bearer {issued.json()['key']}"}
    key_id = issued.json()["api_key"]["id"]
    await _admin_view(ui, stack, admin_email)
    row = page.locator(f"#keys tr[data-key='{key_id}']")
    revoke = row.get_by_role("button", name="Revoke the key for Globex Talent")
    dialog = page.get_by_role("dialog", name="Revoke the key for Globex Talent?")

    with httpx.Client(base_url=stack.url, headers=bearer) as client:
        for how in ("Cancel", "Escape", "Enter"):  # Enter as well: Cancel has focus, so Enter cancels
            await revoke.click()
            await expect(dialog).to_be_visible()
            await expect(dialog).to_contain_text("stops working at once")
            await expect(dialog).to_contain_text("cannot be undone")
            await expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
            if how == "Cancel":
                await ui.capture("revoke-dialog")
                await dialog.get_by_role("button", name="Cancel").click()
            else:
                await page.keyboard.press(how)
            await expect(dialog).to_be_hidden()
            await expect(revoke).to_be_focused()  # back where the admin was
            await expect(row).to_contain_text("active")
            assert client.post("/api/v1/recommendations", json=SKILLS).status_code == 200, how

        await revoke.click()
        await dialog.get_by_role("button", name="Revoke Globex Talent's key").click()
        await expect(row).to_contain_text("revoked")
        await expect(page.locator("#keys-status")).to_have_text(
            "Revoked the key for Globex Talent: it stops working at once."
        )
        await expect(page.locator("#keys-status")).to_be_focused()
        assert client.post("/api/v1/recommendations", json=SKILLS).status_code == 401
    assert ui.problems == []


async def test_switching_names_both_versions_and_synthetic_data_needs_the_tick(
    ui: Ui, stack: Stack, admin_api: httpx.Client, admin_email: str, kept: tuple[str, str, str]
) -> None:
    live, real, synthetic = kept
    page = ui.page
    await _admin_view(ui, stack, admin_email)
    rows = {v: page.locator(f"#versions tr[data-version='{v}']") for v in kept}
    badge = "SYNTHETIC: test data"
    await expect(rows[synthetic].locator(".badge.warn")).to_have_text(badge)
    await expect(rows[synthetic].locator(".badge.warn")).to_be_visible()
    await expect(rows[real]).not_to_contain_text(badge)
    await expect(rows[live].locator(".badge")).to_have_text("in use")
    await expect(rows[live].get_by_role("button")).to_have_count(0)

    # a real version: the dialog says what changes, from which version to which; Cancel changes nothing
    use_real = rows[real].get_by_role("button", name=f"Use this version {real}")
    await use_real.click()
    dialog = page.get_by_role("dialog", name=f"Use market data version {real}?")
    await expect(dialog).to_contain_text(f"from the live version {live} (figures as of ")
    await expect(dialog).to_contain_text(f"to {real} (figures as of 2031-03-31")
    await expect(dialog.get_by_role("checkbox")).to_be_hidden()
    await expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    await dialog.get_by_role("button", name="Cancel").click()
    await expect(use_real).to_be_focused()
    assert _live(admin_api) == live
    await use_real.click()
    await dialog.get_by_role("button", name="Use this version").click()
    await expect(page.locator("#versions-status")).to_have_text(f"Now serving market data version {real}.")
    await expect(rows[real].locator(".badge")).to_have_text("in use")
    assert _live(admin_api) == real

    # synthetic data: the warning in the dialog, and it is not made live until the box is ticked
    await rows[synthetic].get_by_role("button", name=f"Use this version {synthetic}").click()
    dialog = page.get_by_role("dialog", name=f"Use market data version {synthetic}?")
    await expect(dialog).to_contain_text(f"from the live version {real}")
    await expect(dialog).to_contain_text("Generated test data, not market truth")
    await expect(dialog.locator(".badge.warn")).to_have_text(badge)
    tick = dialog.get_by_role("checkbox", name=f"I understand {synthetic} is synthetic test data")
    await expect(tick).not_to_be_checked()
    await _axe(ui, "switch dialog, desktop")
    await ui.capture("synthetic-dialog")
    await dialog.get_by_role("button", name="Use this version").click()
    await expect(dialog.locator("#confirm-tick-error")).to_have_text(
        "Tick the box to make synthetic test data live, or cancel."
    )
    await expect(tick).to_be_focused()
    await expect(dialog).to_be_visible()
    assert _live(admin_api) == real  # nothing was sent
    await tick.check()
    await dialog.get_by_role("button", name="Use this version").click()
    await expect(page.locator("#versions-status")).to_have_text(
        f"Now serving market data version {synthetic}."
    )
    assert _live(admin_api) == synthetic

    # opened again for another version, the box is unticked and the old error gone
    await rows[live].get_by_role("button", name=f"Use this version {live}").click()
    dialog = page.get_by_role("dialog", name=f"Use market data version {live}?")
    await expect(dialog.locator("#confirm-tick-error")).to_be_hidden()
    await page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    assert _live(admin_api) == synthetic
    assert ui.problems == []


async def test_a_switch_confirmed_on_a_stale_list_is_refused_and_the_list_shows_what_is_live(
    ui: Ui, stack: Stack, admin_api: httpx.Client, admin_email: str, kept: tuple[str, str, str]
) -> None:
    live, real, synthetic = kept
    page = ui.page
    await _admin_view(ui, stack, admin_email)
    await expect(page.locator(f"#versions tr[data-version='{live}'] .badge")).to_have_text("in use")
    switched = admin_api.post("/api/v1/admin/market/rollback", json={"version": real, "confirm": real})
    assert switched.status_code == 200  # by someone else, behind this page's back

    await page.get_by_role("button", name=f"Use this version {synthetic}").click()
    dialog = page.get_by_role("dialog", name=f"Use market data version {synthetic}?")
    await expect(dialog).to_contain_text(f"from the live version {live}")  # what this page last saw
    await dialog.get_by_role("checkbox").check()
    await dialog.get_by_role("button", name="Use this version").click()
    status = page.locator("#versions-status")
    await expect(status).to_contain_text(f"changed since this list was shown: {real} is live now")
    await expect(status).to_be_focused()
    await expect(page.locator(f"#versions tr[data-version='{real}'] .badge")).to_have_text("in use")
    assert _live(admin_api) == real
    assert ui.problems == []


async def _overflow(table: Locator) -> list[str]:
    """Elements of a table whose box reaches past the viewport's right edge (or starts left of 0); the
    column headings are left out when they are only there for screen readers (clipped to 1 px)."""
    found: list[str] = await table.evaluate(
        """(t) => [t, ...t.querySelectorAll('*')].filter((el) => {
             const head = el.closest('thead');
             if (head && head.getBoundingClientRect().width <= 1) return false;
             const box = el.getBoundingClientRect();
             return box.width > 0 && (box.left < 0 || box.right > innerWidth + 0.5);
           }).map((el) => el.outerHTML.slice(0, 80))"""
    )
    return found


async def test_on_a_phone_the_admin_tables_are_cards_with_their_buttons_in_view(
    ui: Ui, stack: Stack, admin_api: httpx.Client, admin_email: str, kept: tuple[str, str, str]
) -> None:
    page = ui.page
    issued = admin_api.post(
        "/api/v1/admin/keys", json={"name": "Initech People Operations", "scopes": ["market:read"]}
    )
    assert issued.status_code == 201, issued.text
    assert admin_api.post("/api/v1/admin/market/refresh", json={}).status_code == 202  # a row in runs
    await _admin_view(ui, stack, admin_email)
    await expect(page.locator("#runs tbody tr[data-run]").first).to_be_visible()
    for table in TABLES:  # desktop: plain tables, and none scrolls sideways
        await expect(page.locator(f"{table} thead")).to_be_visible()
        assert await page.locator(f"{table} tbody td").first.evaluate(
            "(td) => getComputedStyle(td).display"
        ) == ("table-cell")
        assert not await page.locator(table).evaluate(
            "(t) => t.parentElement.scrollWidth > t.parentElement.clientWidth"
        )

    await page.set_viewport_size(PHONE)
    assert await ui.page_width() <= PHONE["width"]
    for table in TABLES:
        box = page.locator(table)
        assert await _overflow(box) == [], table
        assert not await box.evaluate("(t) => t.parentElement.scrollWidth > t.parentElement.clientWidth"), (
            table
        )
        first = box.locator("tbody tr").first
        assert await first.evaluate("(tr) => getComputedStyle(tr).display") == "block", table
        cell = first.locator("td[data-label]").first
        label = await cell.evaluate("(td) => getComputedStyle(td, '::before').content")
        assert label == f'"{await cell.get_attribute("data-label")}"' and label != '""', table
    row = page.locator(f"#keys tr[data-key='{issued.json()['api_key']['id']}']")
    for button in await page.locator("#view-admin table button").all():
        await button.scroll_into_view_if_needed()
        assert await button.evaluate(
            "(b) => { const r = b.getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth; }"
        )
    await ui.capture("phone-cards")
    await _axe(ui, "admin cards, phone")

    # the dialog fits the phone too, its buttons in view
    await row.get_by_role("button", name="Revoke the key for Initech People Operations").click()
    dialog = page.get_by_role("dialog", name="Revoke the key for Initech People Operations?")
    await expect(dialog).to_be_visible()
    assert await _overflow(dialog) == []
    await _axe(ui, "revoke dialog, phone")
    for name in ("Cancel", "Revoke Initech People Operations's key"):
        await expect(dialog.get_by_role("button", name=name)).to_be_in_viewport()
    await dialog.get_by_role("button", name="Cancel").click()
    await expect(row).to_contain_text("active")
    assert ui.problems == []
