"""The web page in a real headless Chromium: questionnaire, results, admin, bad input and an outage."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import msgspec
import pytest
from playwright.async_api import Route, expect

from services.worker.sources.synthetic import generate_postings
from shared.contracts.recommendations import (
    MEANINGS,
    LearningStep,
    MarketInfo,
    RecommendationResponse,
    RoleFit,
    RoleMarketSummary,
    SkillGap,
)
from tests.e2e import browser as web
from tests.e2e.browser import Ui
from tests.e2e.conftest import E2E_ENV
from tests.e2e.helpers import create_admin
from tests.refresh_support import fresh_database
from tools.supervisor.stack import Stack

browser, ui = web.browser, web.ui  # the fixtures

pytestmark = pytest.mark.e2e

SKILLS = {"python": 3, "sql": 3, "postgresql": 2, "http": 3, "rest": 2, "git": 3, "docker": 2, "linux": 2}


@pytest.fixture(scope="module")
def web_db(database_server: str) -> Iterator[str]:
    """Its own database, so runs queued by other tests (with no worker to run them) cannot block these."""
    url, drop = fresh_database(database_server, "web")
    yield url
    drop()


@pytest.fixture(scope="module")
def web_admin_email(web_db: str) -> str:
    email = f"web-admin-{secrets.token_hex(4)}@example.com"
    create_admin(web_db, email)
    return email


@pytest.fixture(scope="module")
def market_stack(infra, web_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    """A small stack of its own: a worker reading a synthetic postings file, a short upstream timeout."""
    logs = tmp_path_factory.mktemp("browser-stack")
    sources = logs / "sources"
    sources.mkdir()
    generate_postings(sources / "postings.jsonl", count=3000, seed=11, bad_ratio=0.01)
    env = infra.env(
        **E2E_ENV,
        DATABASE_URL=web_db,
        # a prefix of its own: test_accessibility starts this fixture too (another database, same run), and
        # its refresh must not add a market version to the one this module's admin test counts
        CAREERPATH_REDIS_PREFIX=infra.redis_prefix + f"web-{secrets.token_hex(3)}:",
        CAREERPATH_SOURCE_FILE_ROOTS=str(sources),
        CAREERPATH_UPSTREAM_TIMEOUT="1.5",
        # the scheduled refresh republishes the bundled snapshot (the same version), so the admin page
        # starts with exactly one version whenever that refresh ends (the default source, the bundled real
        # postings, would add a second one at a moment the test cannot know)
        CAREERPATH_REFRESH_SOURCE="snapshot",
    )
    running = Stack(env=env, log_dir=logs, with_worker=True).start()
    try:
        yield running
    finally:
        running.stop()


MARKET_LINE = re.compile(r"^\$[\d,]+ median pay · [\d,]+ openings/yr · [+-]?[\d.]+% growth to 2033$")


async def _percents(ui: Ui, selector: str) -> list[int]:
    return [int(text.rstrip("%")) for text in await ui.page.locator(selector).all_inner_texts()]


async def _history(ui: Ui, stack: Stack) -> list[int]:
    """The versions of the signed-in user's saved assessments, newest first (read with the page's cookies)."""
    answer = await ui.page.request.get(stack.url + "/api/v1/me/assessments")
    return [a["version"] for a in (await answer.json())["assessments"]]


async def test_questionnaire_save_results_target_role_and_resume(ui: Ui, stack: Stack) -> None:
    page = ui.page
    await ui.sign_up(stack.url)
    await expect(page.locator("#nav-admin")).to_be_hidden()  # not an admin
    # the 0-4 scale is explained in words, skills are grouped by category in labelled groups
    words = ["0 none", "1 aware", "2 working", "3 proficient", "4 expert"]
    await expect(page.locator("#scale-list dt")).to_have_text(words)
    await expect(page.get_by_role("group", name="Databases")).to_be_visible()
    # a skill's levels show once it is ticked as used
    python = page.get_by_role("group", name="Python", exact=True)
    await expect(python).to_be_hidden()
    languages = page.get_by_role("group", name="Languages")
    await languages.get_by_role("checkbox", name="Python", exact=True).check()
    await expect(python.get_by_role("radio")).to_have_count(4)  # 1 aware .. 4 expert
    await python.get_by_role("radio", name="1 aware").check()  # keyboard: arrows move within a radio group
    await page.keyboard.press("ArrowRight")
    await expect(python.get_by_role("radio", name="2 working")).to_be_checked()
    await ui.rate(SKILLS)
    await page.get_by_label("Years of professional experience").fill("3")
    await page.get_by_label("Display name").fill("Ada")
    await ui.capture("questionnaire")
    await page.get_by_role("button", name="Save and see my results").click()

    # results: every role ranked by match, with readiness as a bar, each number explained in words
    await expect(page.locator("#view-results")).to_be_visible()
    roles = page.locator("#r-roles > li")
    await expect(roles).to_have_count(12)
    matches = await _percents(ui, "#r-roles .match-value")
    assert matches == sorted(matches, reverse=True)
    first = roles.first
    readiness = await _percents(ui, "#r-roles .readiness-value")
    assert all(0 <= r <= 100 for r in readiness + matches)
    await expect(first.get_by_role("meter")).to_have_attribute("aria-valuenow", str(readiness[0]))
    await expect(page.locator("#r-legend dt")).to_contain_text(["Readiness", "Match"])
    for key in ("readiness", "match"):
        await expect(page.locator(f"#r-legend [data-meaning={key}]")).to_have_text(re.compile(r"\w{3,}"))
    await expect(page.locator("#r-hint")).to_be_hidden()  # eight skills rated: a confident answer
    # pay, openings and growth of the role's occupation
    await expect(first.locator(".market")).to_have_text(MARKET_LINE)
    await first.locator("summary").click()
    await expect(first.locator(".reasons.matched")).to_contain_text("you 3 proficient")
    # the bundled market figures are more than 12 months old, and the page says so
    outdated = re.compile(r"^Market figures are from 2024-05-31 \(\d{2,} months old\)")
    await expect(page.locator("#r-outdated")).to_have_text(outdated)

    # a learning plan on the first view, for a named role: ordered steps with gain, why, effort, a resource
    steps = page.locator("#r-plan > li")
    await expect(steps.first).to_be_visible()
    target = await page.locator("#r-target").input_value()
    target_name = await page.locator("#r-target option:checked").inner_text()
    await expect(page.locator("#plan-title")).to_have_text(f"Learning plan for {target_name}")
    await expect(page.locator("#r-roles li.target")).to_have_attribute("data-role", target)
    await expect(steps.first.locator(".why")).not_to_be_empty()
    await expect(steps.first.locator(".meta")).to_contain_text(re.compile(r"About \d+ hours"))
    gain = re.compile(r"\+\d+(\.\d)? points? of readiness")
    for meta in await steps.locator(".meta").all():
        await expect(meta).to_contain_text(gain)
    await expect(page.locator("#r-gain-meaning")).to_have_text(re.compile(r"^\+N points of readiness: \w+"))
    await expect(steps.first.get_by_role("link")).to_have_attribute("href", re.compile(r"^https://"))
    # market demand chart for the missing skills, with the data's date and source credited
    await expect(page.locator("#r-demand svg .chart-bar")).to_have_count(await steps.count())
    await expect(page.locator("#r-credits")).to_contain_text(re.compile(r"as of \d{4}-\d{2}-\d{2} from "))
    await expect(page.locator("#r-credits .attribution li").first).to_be_visible()
    await expect(page.locator("#r-history tbody tr")).to_have_count(1)
    await ui.capture("results")

    # the roles within reach besides the target switch the plan; nothing is saved, so no history entry
    stretch = page.locator("#r-stretch-buttons button")
    await expect(stretch.first).to_be_visible()
    assert 2 <= await stretch.count() <= 3
    other = await stretch.first.get_attribute("data-role")
    other_name = await stretch.first.inner_text()
    assert other and other != target
    async with page.expect_response(re.compile(rf"/api/v1/me/recommendations\?target_role={other}$")):
        await stretch.first.click()
    await expect(page.locator("#r-target-status")).to_have_text(f"Showing the plan for {other_name}.")
    await expect(page.locator("#plan-title")).to_have_text(f"Learning plan for {other_name}")
    await expect(page.locator("#r-roles li.target")).to_have_attribute("data-role", other)
    await expect(page.get_by_label("Target role", exact=True)).to_have_value(other)
    await expect(page.locator("#r-history tbody tr")).to_have_count(1)

    # any role from the list: the plan follows, the profile and its history stay as they were
    await page.get_by_label("Target role", exact=True).select_option(label="Database administrator")
    await page.get_by_role("button", name="Show the plan").click()  # picking alone asks for nothing
    await expect(page.locator("#r-target-status")).to_have_text(
        "Showing the plan for Database administrator."
    )
    await expect(page.locator("#r-roles li.target")).to_have_attribute("data-role", "database-administrator")
    await expect(page.locator("#r-plan-summary")).to_contain_text("Database administrator")
    await expect(page.locator("#r-history-chart svg .chart-dot")).to_have_count(1)
    await expect(page.locator("#r-history tbody tr")).to_have_count(1)
    await ui.capture("target-changed")
    assert await _history(ui, stack) == [1]
    mine = await (await page.request.get(stack.url + "/api/v1/me/profile")).json()
    assert (mine["version"], mine["target_role"]) == (1, None)

    # come back later: the answers are kept, and the plan picked in this tab too
    await page.reload()
    await expect(page.locator("#r-roles > li")).to_have_count(12)
    await expect(page.get_by_label("Target role", exact=True)).to_have_value("database-administrator")
    await page.get_by_role("link", name="Questionnaire").click()
    await expect(page.locator("#q-resume")).to_contain_text("version 1")
    for skill, level in SKILLS.items():
        await expect(page.locator(f"#skill-{skill} input[value='{level}']")).to_be_checked()
    await expect(page.get_by_label("Years of professional experience")).to_have_value("3")
    await expect(page.get_by_label("Display name")).to_have_value("Ada")

    # saving the same answers again is not a new assessment
    await page.get_by_role("button", name="Save and see my results").click()
    await expect(page.locator("#q-status")).to_have_text("Saved (version 2).")
    await expect(page.locator("#r-roles > li")).to_have_count(12)
    assert await _history(ui, stack) == [1]
    await expect(page.locator("#r-history tbody tr")).to_have_count(1)

    # unsaved answers survive a reload too (a draft), until they are saved; a changed skill is assessed
    await page.get_by_role("link", name="Questionnaire").click()
    await ui.rate({"go": 2})
    await page.reload()
    await expect(page.locator("#q-resume")).to_contain_text("not saved yet")
    await expect(page.locator("#skill-go input[value='2']")).to_be_checked()
    await page.get_by_role("button", name="Save and see my results").click()
    await expect(page.locator("#r-history tbody tr")).to_have_count(2)
    assert await _history(ui, stack) == [3, 1]

    # a phone: nothing needs sideways scrolling
    await page.set_viewport_size({"width": 390, "height": 844})
    assert await ui.page_width() <= 390
    await page.get_by_role("link", name="Results").click()
    await expect(page.locator("#r-history-chart svg")).to_be_visible()
    assert await ui.page_width() <= 390
    await ui.capture("results-phone")
    assert ui.problems == []


async def test_too_few_skills_give_a_hint_not_a_confident_answer(ui: Ui, stack: Stack) -> None:
    page = ui.page
    await ui.sign_up(stack.url)
    await ui.rate({"python": 1})
    await page.get_by_role("button", name="Save and see my results").click()
    await expect(page.locator("#r-roles > li")).to_have_count(12)
    await expect(page.locator("#r-hint")).to_be_visible()
    await expect(page.locator("#r-hint-text")).to_have_text(re.compile(r"\w{3,}"))
    await expect(page.locator("#roles-title")).to_contain_text("tentative")
    await expect(page.locator("#r-plan > li").first).to_be_visible()  # still a plan to start from
    await ui.capture("not-confident")
    assert ui.problems == []


STRETCH = ("devops-engineer", "data-engineer", "backend-developer")


def _step(skill: str, name: str, start: int, end: int, gain: float, hours: int) -> LearningStep:
    """A step whose share of the match falls (``fit_gain`` < 0, never shown) while readiness rises."""
    return LearningStep(
        skill=skill,
        name=name,
        from_level=start,
        to_level=end,
        fit_gain=gain - 0.1,
        readiness_gain=gain,
        demand=0.4,
        priority=1.0,
        effort_hours=hours,
        resource=f"https://example.com/learn/{skill}",
        why=f"{name} is asked for often.",
    )


def _canned_answer(target: str) -> bytes:
    """A recommendation answer with every field of the contract set, planning for ``target``."""
    language = SkillGap(
        skill="python",
        name="Python",
        level=3,
        required_level=3,
        weight=0.1,
        alternatives=["java", "python", "go", "csharp"],
        label="a server-side language",
    )
    redis = SkillGap(skill="redis", name="Redis", level=0, required_level=2, weight=0.05)
    roles = [
        RoleFit(
            role="backend-developer",
            name="Backend developer",
            score=0.41,
            match=0.41,
            readiness=0.62,
            matched=[language],
            missing=[redis],
            market=RoleMarketSummary(salary_median=132270, openings=140100, growth_pct=17.0),
        ),
        RoleFit(
            role="devops-engineer", name="DevOps engineer", score=0.3, match=0.3, readiness=1.0, meets=True
        ),
        RoleFit(role="data-engineer", name="Data engineer", score=0.0, match=0.0, readiness=-0.001),
    ]
    steps = [
        _step("redis", "Redis", 0, 2, gain=0.12, hours=20),
        _step("git", "Git", 3, 4, gain=0.004, hours=10),
    ]
    market = MarketInfo(version="v1", source="test", as_of="2024-05-31", age_days=400, outdated=True)
    answer = RecommendationResponse(
        roles=roles,
        target_role=target,
        learning_steps=steps,
        model_version="m1",
        market=market,
        confident=False,
        hint="Rate at least five skills you use.",
        meanings=MEANINGS,
        stretch_roles=[r for r in STRETCH if r != target][:2],
    )
    return msgspec.json.encode(answer)


async def test_results_page_shows_every_field_of_the_answer(ui: Ui, stack: Stack) -> None:
    """The page against the answer contract, with a fixed answer (so every number and case is known)."""
    page = ui.page
    asked: list[str] = []
    saves: list[str] = []

    async def answer(route: Route) -> None:
        target = parse_qs(urlsplit(route.request.url).query).get("target_role", ["backend-developer"])[0]
        asked.append(target)
        await route.fulfill(status=200, content_type="application/json", body=_canned_answer(target))

    await page.route(re.compile(r"/api/v1/me/recommendations"), answer)
    page.on("request", lambda r: saves.append(r.url) if r.method == "PUT" else None)
    await ui.sign_up(stack.url)
    await ui.rate({"python": 3, "git": 3})
    await page.get_by_role("button", name="Save and see my results").click()

    rows = page.locator("#r-roles > li")
    await expect(rows).to_have_count(3)
    await expect(rows.nth(0).locator(".match-value")).to_have_text("41%")
    await expect(rows.nth(0).locator(".readiness-value")).to_have_text("62%")
    await expect(rows.nth(0).get_by_role("meter")).to_have_attribute("aria-valuenow", "62")
    await expect(rows.nth(0).locator(".market")).to_have_text(
        "$132,270 median pay · 140,100 openings/yr · +17% growth to 2033"
    )
    await expect(rows.nth(1).locator(".market")).to_have_text(
        "— median pay · — openings/yr · — growth to 2033"
    )
    await expect(rows.nth(1).locator(".badge.ok")).to_have_text("you meet it")
    await expect(rows.nth(2).locator(".readiness-value")).to_have_text("0%")  # never below 0
    await rows.nth(0).locator("summary").click()
    await expect(rows.nth(0).locator(".reasons.matched li")).to_have_text(
        "a server-side language (Python, Java, Go…): you 3 proficient in Python, role needs 3 proficient"
    )
    for key, name in (("readiness", "Readiness"), ("match", "Match"), ("growth_pct", "Growth to 2033")):
        await expect(page.locator(f"#r-legend [data-meaning={key}]")).to_have_text(MEANINGS[key])
        await expect(page.locator("#r-legend dt", has_text=name)).to_be_visible()
    await expect(page.locator("#r-hint")).to_be_visible()
    await expect(page.locator("#r-hint-text")).to_have_text("Rate at least five skills you use.")
    await expect(page.locator("#r-outdated")).to_contain_text(
        "Market figures are from 2024-05-31 (13 months old)"
    )
    await expect(page.locator("#plan-title")).to_have_text("Learning plan for Backend developer")
    metas = page.locator("#r-plan .meta")
    await expect(metas.nth(0)).to_contain_text("About 20 hours · +12 points of readiness")
    await expect(metas.nth(1)).to_contain_text("+0.4 points of readiness")
    await expect(page.locator("#r-gain-meaning")).to_have_text(
        f"+N points of readiness: {MEANINGS['readiness_gain']}"
    )
    await ui.capture("contract")

    stretch = page.locator("#r-stretch-buttons button")
    await expect(stretch).to_have_text(["DevOps engineer", "Data engineer"])
    await stretch.nth(1).click()
    await expect(page.locator("#plan-title")).to_have_text("Learning plan for Data engineer")
    await expect(page.locator("#r-roles li.target")).to_have_attribute("data-role", "data-engineer")
    await expect(stretch).to_have_text(["DevOps engineer", "Backend developer"])
    assert asked[-1] == "data-engineer"
    assert len(saves) == 1  # the questionnaire's save; switching the plan saved nothing
    assert ui.problems == []


async def test_bad_input_is_shown_next_to_its_field(ui: Ui, stack: Stack) -> None:
    page = ui.page
    calls: list[str] = []
    page.on("request", lambda r: calls.append(r.url) if r.method == "POST" and "/auth/" in r.url else None)
    await page.goto(stack.url + "/#/signup")
    signup = page.locator("#signup-form")
    await ui.fill_credentials("#signup-form", "not-an-email")
    await page.get_by_role("button", name="Create account").click()
    await expect(signup.locator("[data-error-for=email]")).to_have_text(
        "Enter an e-mail address like name@example.com"
    )
    await expect(signup.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    await expect(signup.get_by_label("Email")).to_be_focused()
    await ui.fill_credentials("#signup-form", "bad-input@example.com", "short")
    await page.get_by_role("button", name="Create account").click()
    await expect(signup.locator("[data-error-for=password]")).to_have_text("Use at least 10 characters")
    await expect(signup.locator("[data-error-for=email]")).to_be_hidden()
    await ui.capture("sign-up-error")
    assert calls == []  # caught in the page, before any request
    await page.get_by_role("link", name="Sign in").click()
    await ui.fill_credentials("#signin-form", "bad-input@example.com")
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page.locator("#signin-form [data-error-for=_form]")).to_have_text("Wrong email or password.")
    assert len(calls) == 1

    await ui.sign_up(stack.url)
    await page.get_by_label("Years of professional experience").fill("99")
    await page.get_by_role("button", name="Save and see my results").click()
    await expect(page.locator("#q-form [data-error-for=years_experience]")).to_have_text("Enter 60 or less")
    await expect(page.get_by_label("Years of professional experience")).to_be_focused()
    await page.get_by_label("Years of professional experience").fill("2")
    await page.get_by_label("Display name").fill("")
    await page.get_by_role("button", name="Save and see my results").click()
    await expect(page.locator("[data-error-for=display_name]")).to_have_text("Enter a display name")
    await expect(page.locator("#q-form [data-error-for=years_experience]")).to_be_hidden()
    await ui.capture("questionnaire-error")
    assert (await page.request.get(stack.url + "/api/v1/me/profile")).status == 404  # nothing was stored
    assert ui.problems == []


async def test_admin_refreshes_market_data_rolls_back_and_manages_partner_keys(
    ui: Ui, market_stack: Stack, web_admin_email: str
) -> None:
    page = ui.page
    await ui.log_in(market_stack.url, web_admin_email)
    await page.get_by_role("link", name="Admin").click()
    await expect(page.locator("#view-admin")).to_be_visible()
    versions = page.locator("#versions tbody tr[data-version]")
    await expect(versions).to_have_count(1)
    bundled = await versions.first.get_attribute("data-version")

    await page.get_by_label("Source").fill("ftp://example.com/postings")
    await page.get_by_role("button", name="Refresh market data").click()
    expected = re.compile(r"snapshot'?, '?file:NAME'? or an http\(s\) URL")
    await expect(page.locator("[data-error-for=source]")).to_contain_text(expected)

    await page.get_by_label("Source").fill("file:postings.jsonl")
    await page.get_by_role("button", name="Refresh market data").click()
    await expect(page.locator("#refresh-live")).to_be_visible()
    await expect(page.locator("#refresh-status")).to_have_text("succeeded", timeout=30_000)
    counts = re.compile(r"\d+ records accepted, [1-9]\d* rejected")
    await expect(page.locator("#refresh-live")).to_contain_text(counts)
    await expect(page.locator("#refresh-live .samples li").first).to_be_visible()  # why records were rejected
    await expect(page.locator("#runs tbody tr").first).to_have_attribute("data-status", "succeeded")
    await expect(versions).to_have_count(2)
    await ui.capture("refreshed")

    # the new version is synthetic: marked, kept but not live until an admin confirms it with the tick
    newer = page.locator("#versions tbody tr[data-version]").first
    synthetic = await newer.get_attribute("data-version")
    await expect(newer.locator(".badge.warn")).to_have_text("SYNTHETIC: test data")
    await expect(page.locator("#refresh-outcome")).to_contain_text("kept but not made live")
    older = page.locator(f"#versions tr[data-version='{bundled}']")
    await expect(older.locator(".badge")).to_have_text("in use")
    await newer.get_by_role("button", name="Use this version").click()
    dialog = page.get_by_role("dialog", name=f"Use market data version {synthetic}?")
    await expect(dialog).to_contain_text(f"from the live version {bundled}")
    await dialog.get_by_role("checkbox").check()
    await dialog.get_by_role("button", name="Use this version").click()
    status = page.locator("#versions-status")
    await expect(status).to_have_text(f"Now serving market data version {synthetic}.")
    # and back to the bundled one, after confirming
    await older.get_by_role("button", name="Use this version").click()
    dialog = page.get_by_role("dialog", name=f"Use market data version {bundled}?")
    await expect(dialog).to_contain_text(f"from the live version {synthetic}")
    await dialog.get_by_role("button", name="Use this version").click()
    await expect(page.locator("#versions-status")).to_have_text(f"Now serving market data version {bundled}.")
    await expect(older.locator(".badge")).to_have_text("in use")

    # partner keys: a bad one is refused next to its field; a good one is shown once, works, is revoked
    await page.get_by_role("button", name="Issue key").click()
    await expect(page.locator("#key-form [data-error-for=name]")).to_have_text("is required")
    await page.get_by_label("Partner name").fill("Acme HR")
    await page.get_by_role("button", name="Issue key").click()
    secret = page.locator("#key-secret-value")
    await expect(secret).to_have_text(re.compile(r"^cpk_"))
    await expect(page.locator("#key-secret")).to_contain_text("only time it is shown")
    key = await secret.inner_text()
    row = page.locator("#keys tbody tr", has_text="Acme HR")
    await expect(row).to_contain_text("active")
    await ui.capture("key-issued")
    bearer = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=market_stack.url, headers=bearer) as partner:
        body = {"skills": {"python": 2}}
        assert (await partner.post("/api/v1/recommendations", json=body)).status_code == 200
        await row.get_by_role("button", name="Revoke the key for Acme HR").click()
        await page.get_by_role("dialog").get_by_role("button", name="Revoke Acme HR's key").click()
        await expect(row).to_contain_text("revoked")
        assert (await partner.post("/api/v1/recommendations", json=body)).status_code == 401
    assert ui.problems == []


async def test_an_outage_is_explained_and_the_page_recovers(ui: Ui, market_stack: Stack) -> None:
    page = ui.page
    await ui.sign_up(market_stack.url)
    await ui.rate({"python": 3, "sql": 2})
    await page.get_by_role("button", name="Save and see my results").click()
    await expect(page.locator("#r-roles > li")).to_have_count(12)

    market_stack.services["recommender"].kill()
    try:
        await page.reload()
        await expect(page.locator("#banner")).to_contain_text("recommender service unavailable")
        await expect(page.locator("#r-error")).to_contain_text("Your saved answers are safe")
        await expect(page.locator("#r-body")).to_be_hidden()
        await ui.capture("outage")
        # what does not need the recommender still works
        await page.get_by_role("link", name="Questionnaire").click()
        await expect(page.locator("#skill-python input[value='3']")).to_be_checked()
        await page.get_by_role("link", name="Results").click()
        await expect(page.locator("#r-error")).to_contain_text("recommender")
    finally:
        market_stack.services["recommender"].start().wait_healthy()
    await page.get_by_role("button", name="Try again").click()
    await expect(page.locator("#banner")).to_be_hidden()
    await expect(page.locator("#r-roles > li")).to_have_count(12)
    assert ui.problems == []
