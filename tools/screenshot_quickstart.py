"""Take docs/screenshot-quickstart.png: a visitor's quick start, mid-way, from a running careerpath.

    .venv/bin/python tools/screenshot_quickstart.py http://127.0.0.1:8000 [docs/screenshot-quickstart.png]

Opens the page without an account, follows "Quick start", answers three adaptive questions as a Python
back-end developer would (ticks the skills they use when asked "which of these have you used?", their
level when asked a level, 0 otherwise) and captures the next question with the roles so far, in Debian's
Chromium.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from tools.chromium import ARGS, CHROMIUM

#: What the demo visitor answers when asked; any other skill is answered 0 ("none").
KNOWS = {"python": 3, "sql": 3, "postgresql": 2, "http": 3, "rest": 3, "git": 3, "docker": 2, "linux": 2}
QUESTIONS = 3


def main(base_url: str, out: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(base_url.rstrip("/") + "/")
        page.get_by_role("link", name=re.compile("^Quick start")).click()
        page.get_by_label("How many years have you worked professionally?").fill("3")
        for answered in range(1, QUESTIONS + 1):
            question = page.locator("#k-question")
            key = question.get_attribute("data-question")
            if question.get_attribute("data-kind") == "category":
                ticks = question.locator("input[data-tick]")
                known = [box for box in ticks.all() if box.get_attribute("data-tick") in KNOWS]
                for box in known:
                    box.check()
                if not known:
                    question.get_by_label("None of these").check()
            else:
                level = KNOWS.get(question.get_attribute("data-skill") or "", 0)
                question.get_by_role("radio", name=re.compile(rf"^{level} ")).check()
            page.get_by_role("button", name="Next question").click()
            expect(page.locator("#k-confidence")).to_contain_text(f"{answered} answered")
            expect(page.locator(f"#k-question:not([data-question='{key}'])")).to_have_count(1)
        expect(page.locator("#k-roles > li")).to_have_count(5)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out), full_page=True)
        browser.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshot-quickstart.png"))
