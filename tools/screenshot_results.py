"""Take docs/screenshot-results.png: a demo user's results page, from a running careerpath.

    .venv/bin/python tools/screenshot_results.py http://127.0.0.1:8000 [docs/screenshot-results.png]

Signs up a new demo user through the page, saves an early and a later assessment (so the progress chart
has two points; picking a target role adds none), picks a target role
and captures the results page in Debian's Chromium.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from tools.chromium import ARGS, CHROMIUM

EARLY = {"python": 2, "sql": 2, "git": 2, "http": 1, "linux": 1}
LATER = {
    "python": 3,
    "sql": 3,
    "postgresql": 2,
    "http": 3,
    "rest": 3,
    "git": 3,
    "docker": 2,
    "linux": 2,
    "web-frameworks": 2,
    "testing": 2,
}


def save(page: Page, levels: dict[str, int]) -> None:
    page.goto(page.url.split("#")[0] + "#/questionnaire")
    for skill, level in levels.items():
        page.locator(f"#used-{skill}").check()  # "which of these have you used?", then the level
        page.locator(f"#skill-{skill} input[value='{level}']").check()
    page.get_by_role("button", name="Save and see my results").click()
    expect(page.locator("#r-roles > li").first).to_be_visible()


def main(base_url: str, out: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(base_url.rstrip("/") + "/#/signup")
        signup = page.locator("#signup-form")
        signup.get_by_label("Email").fill(f"demo-{secrets.token_hex(4)}@example.com")
        signup.get_by_label("Choose a password").fill(secrets.token_urlsafe(16))
        signup.get_by_role("button", name="Create account").click()
        page.get_by_label("Display name").fill("Demo")
        page.get_by_label("Years of professional experience").fill("2")
        save(page, EARLY)
        save(page, LATER)
        page.get_by_label("Target role", exact=True).select_option("backend-developer")
        page.get_by_role("button", name="Show the plan").click()
        expect(page.locator("#r-target-status")).to_have_text("Showing the plan for Backend developer.")
        expect(page.locator("#r-history-chart .chart-dot")).to_have_count(2)  # a target change adds none
        page.locator("#r-roles > li").first.locator("summary").click()
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out), full_page=True)
        browser.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshot-results.png"))
