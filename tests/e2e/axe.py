"""axe-core for the browser tests: the pinned engine (``tools/axe``, installed by ``tools/ensure_node.sh``
with ``npm ci``), the rules run, and one call that runs them on a page as it is now.

The rules are those tagged WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe has no "wcag22a" tag: 2.2's new
level A criteria cannot be checked automatically) and axe's best practices (landmarks, heading order,
regions, scrollable regions, ...). A test fails, never skips, when the engine is missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page

__all__ = ["AXE", "BLOCKING", "RUN_AXE", "TAGS", "violations"]

AXE = Path(__file__).resolve().parents[2] / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = ("critical", "serious", "moderate")  # the impacts the page must have none of

# each violation: the rule, its impact, how many elements, the first one's selector, what the rule asks
RUN_AXE = """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then((result) => result.violations.map((v) => ({
    id: v.id, impact: v.impact, count: v.nodes.length, target: v.nodes[0].target.join(' '),
    help: v.help})))"""


async def violations(page: Page) -> list[dict[str, Any]]:
    """axe on the page as it is now (an open dialog included). The engine goes in through the debugger
    protocol (``evaluate``), which the page's CSP (script-src 'self') does not apply to, so the page runs
    under its real policy."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run tools/ensure_node.sh (npm ci in tools/axe)", pytrace=False)
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.evaluate(AXE.read_text())
    found: list[dict[str, Any]] = await page.evaluate(RUN_AXE, TAGS)
    return found
