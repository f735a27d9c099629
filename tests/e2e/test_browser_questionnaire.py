"""The questionnaire in a real Chromium: triage by category, level examples, progress, filter, focus."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.async_api import expect

from tests.e2e import browser as web
from tests.e2e.browser import Ui
from tools.supervisor.stack import Stack

browser, ui = web.browser, web.ui  # the fixtures

pytestmark = pytest.mark.e2e

# What the bar covers of the focused element, in CSS pixels (0 when it is not covered).
COVERED = """() => {
  const bar = document.querySelector('#q-bar').getBoundingClientRect();
  const el = document.activeElement;
  if (!el || el === document.body || el.closest('#q-bar')) return {id: el && el.id, covered: 0};
  const r = el.getBoundingClientRect();
  const overlap = Math.max(0, Math.min(r.bottom, bar.bottom) - Math.max(r.top, bar.top));
  return {id: el.id || el.name || el.tagName, covered: r.height ? overlap : 0, scrollY: window.scrollY};
}"""


async def test_triage_examples_progress_filter_and_none_of_these(ui: Ui, stack: Stack) -> None:
    page = ui.page
    await ui.sign_up(stack.url)
    progress = page.locator("#q-progress-list li")
    await expect(progress).to_have_count(8)
    await expect(progress.first).to_have_text("Languages 0/13")
    await expect(page.locator("#q-total")).to_have_text("0 rated")

    # a skill's levels appear once ticked; each level has a concrete example for that skill, on screen
    servers = page.get_by_role("group", name="Servers and hosting")
    docker = page.get_by_role("group", name="Docker and containers")
    await expect(docker).to_be_hidden()
    await servers.get_by_role("checkbox", name="Docker and containers").check()
    working = docker.get_by_role("radio", name="2 working")
    await expect(working).to_have_accessible_description(
        "wrote Dockerfiles and compose files for your own services"
    )
    await expect(docker.locator("#example-docker-2")).to_be_visible()  # no hover needed (touch screens)
    await working.check()
    await ui.rate({"python": 3, "sql": 2})
    await expect(progress.first).to_have_text("Languages 1/13")
    await expect(page.locator("[data-progress=databases]")).to_have_text("Databases 1/10")
    await expect(page.locator("#q-total")).to_have_text("3 rated")
    await expect(page.locator("#q-count")).to_have_text("3 skills rated")
    await expect(page.locator("[data-progress=languages]")).to_have_class(re.compile(r"\bdone\b"))
    await expect(page.locator("[data-progress=security]")).not_to_have_class(re.compile(r"\bdone\b"))

    # "none of these" answers a category; ticking a skill there takes it back, and the other way round
    security = page.get_by_role("group", name="Security", exact=True)
    await security.get_by_role("checkbox", name="None of these").check()
    await expect(page.locator("[data-progress=security]")).to_have_class(re.compile(r"\bdone\b"))
    await expect(page.locator("[data-progress=security]")).to_have_text("Security 0/6")
    await (
        page.get_by_role("group", name="Data", exact=True)
        .get_by_role("checkbox", name="None of these")
        .check()
    )
    await ui.rate({"etl": 2})
    await expect(
        page.get_by_role("group", name="Data", exact=True).get_by_role("checkbox", name="None of these")
    ).not_to_be_checked()
    languages = page.get_by_role("group", name="Languages")
    await languages.get_by_role("checkbox", name="None of these").check()
    await expect(languages.get_by_role("checkbox", name="Python", exact=True)).not_to_be_checked()
    await expect(page.get_by_role("group", name="Python", exact=True)).to_be_hidden()
    await expect(page.locator("#q-total")).to_have_text("3 rated")  # docker, sql, etl

    # the filter narrows the chips (Enter does not save); a word nothing matches says so
    saves: list[str] = []
    page.on("request", lambda r: saves.append(r.url) if r.method == "PUT" else None)
    await page.get_by_label("Find a skill").fill("kafka")
    await page.get_by_label("Find a skill").press("Enter")
    await expect(page.locator("[data-chip]:visible")).to_have_count(1)
    await expect(page.get_by_role("group", name="Architecture")).to_be_visible()
    await expect(languages).to_be_hidden()
    await page.get_by_label("Find a skill").fill("zzz")
    await expect(page.locator("#q-filter-none")).to_have_text("No skill matches “zzz”.")
    await page.get_by_label("Find a skill").fill("")
    await expect(page.locator("[data-chip]:visible")).to_have_count(59)
    assert saves == []

    # a jump link moves focus to its category (the address stays the page's route)
    await page.get_by_role("link", name="Practice 0/4").click()
    await expect(page.locator("#used-git")).to_be_focused()
    assert page.url.endswith("#/questionnaire")

    # the draft keeps "none of these" too
    await page.reload()
    await expect(security.get_by_role("checkbox", name="None of these")).to_be_checked()
    await expect(docker.get_by_role("radio", name="2 working")).to_be_checked()
    await expect(page.locator("#q-total")).to_have_text("3 rated")

    # a ticked skill without a level is named, next to it, before anything is sent
    await page.get_by_role("group", name="APIs").get_by_role("checkbox", name="HTTP", exact=True).check()
    await page.get_by_role("button", name="Save and see my results").click()
    await expect(page.locator("[data-error-for='skills.http']")).to_have_text(
        "pick a level, or untick it if you have not used it"
    )
    await expect(page.locator("[data-error-for='skills.http']")).to_be_focused()
    assert saves == []
    await ui.capture("triage")

    # a phone: levels stack with their examples, nothing scrolls sideways
    await page.set_viewport_size({"width": 390, "height": 844})
    await expect(docker.locator("#example-docker-4")).to_be_visible()
    assert await ui.page_width() <= 390
    await ui.rate({"http": 3})
    await page.get_by_role("button", name="Save and see my results").click()
    await expect(page.locator("#r-roles > li")).to_have_count(12)
    saved = await (await page.request.get(stack.url + "/api/v1/me/profile")).json()
    assert saved["skills"] == {"docker": 2, "sql": 2, "etl": 2, "http": 3}
    assert ui.problems == []


async def test_the_save_bar_never_hides_focus_and_views_start_at_their_heading(ui: Ui, stack: Stack) -> None:
    page = ui.page
    await page.set_viewport_size({"width": 1000, "height": 560})
    email = await ui.sign_up(stack.url)
    await expect(page.locator("#q-title")).to_be_focused()  # signed up: the new view's heading
    await ui.rate({skill: 2 for skill in ("python", "java", "go", "sql", "redis", "docker", "linux", "git")})
    await page.get_by_label("Years of professional experience").focus()
    bar = await page.locator("#q-bar").bounding_box()
    assert bar and bar["height"] > 30
    seen, moved = set(), False
    for _ in range(90):  # past the chips and the rated skills' levels
        await page.keyboard.press("Tab")
        where = await page.evaluate(COVERED)
        assert where["covered"] == 0, f"the Save bar covers {where}"
        seen.add(where["id"])
        moved = moved or where.get("scrollY", 0) > 0
    assert moved and len(seen) > 60  # the page scrolled under the bar, over many controls

    await page.get_by_role("button", name="Save and see my results").click()
    await expect(page.locator("#r-roles > li")).to_have_count(12)
    await expect(page.locator("#r-title")).to_be_focused()  # saved: the results' heading
    await page.get_by_role("link", name="Questionnaire").click()
    await expect(page.locator("#q-title")).to_be_focused()
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.locator("#auth-title")).to_be_focused()
    await ui.log_in(stack.url, email)
    await expect(page.locator("#r-title")).to_be_focused()  # signed in: straight to the results
    assert ui.problems == []


async def _answer_until_done(ui: Ui, answers: list[tuple[int, int]], answered: dict[str, int | None]) -> int:
    """Answer the quick questions until the results show (the i-th with answers[i % len]: ticks for a
    category question, the level for a level question); how many."""
    page = ui.page
    count = 0
    while not await page.locator("#k-done").is_visible():
        ticks, level = answers[count % len(answers)]
        took = await ui.answer_quick(ticks, level)
        assert not any(answered.get(skill) is not None for skill in took)  # a level is asked once
        answered.update(took)
        count += 1
        await expect(page.locator("#k-roles > li")).to_have_count(5)
        await expect(page.locator("#k-confidence")).to_contain_text(f"{count} answered")
        assert count <= 15
    return count


def _levels(answered: dict[str, int | None], assumed: int) -> dict[str, int]:
    """The profile the answers make: a tick at the assumed level, a level as answered, 0 left out."""
    return {skill: assumed if level is None else level for skill, level in answered.items() if level != 0}


async def test_quick_start_answers_refine_full_list_and_save(ui: Ui, stack: Stack) -> None:
    page = ui.page
    await page.goto(stack.url + "/")
    await expect(page.locator("#auth-time")).to_contain_text("about two minutes")  # said up front
    await ui.sign_up(stack.url)
    offer = page.get_by_role("link", name=re.compile("^Quick start"))
    await expect(offer).to_contain_text("about ten questions, about two minutes")
    await offer.click()
    await expect(page.locator("#k-title")).to_be_focused()
    await expect(page.locator("#k-count")).to_have_text("Question 1 of about 10")
    await expect(page.locator("#k-question .why")).to_have_text(re.compile(r"\w{3,}"))
    # the first question covers a whole category: ticks, or "None of these" (each unticks the other)
    question = page.locator("#k-question")
    await expect(question.locator("legend")).to_have_text(re.compile(r"^Which of these .+ have you used\?$"))
    await page.get_by_role("button", name="Next question").click()  # nothing picked
    await expect(page.locator("#k-form [data-error-for=answers]")).to_have_text(
        "tick the ones you have used, or “None of these”"
    )
    first_box = question.locator("input[data-tick]").first
    await first_box.check()
    await question.get_by_label("None of these").check()
    await expect(first_box).not_to_be_checked()
    await first_box.check()
    await expect(question.get_by_label("None of these")).not_to_be_checked()
    await first_box.uncheck()
    await page.get_by_label("How many years have you worked professionally?").fill("4")

    answered: dict[str, int | None] = {}
    first = await _answer_until_done(ui, [(2, 3), (0, 0), (1, 2)], answered)
    assert first <= 10
    assert None in answered.values() and 0 in answered.values()  # ticks, and skills left unticked
    await expect(page.locator("#k-done-title")).to_be_focused()
    await ui.capture("quick-results")
    await page.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing scrolls sideways
    assert await ui.page_width() <= 390
    await page.set_viewport_size({"width": 1280, "height": 900})
    assumed = 3  # a tick counts at the level of the model's survey people with 4 years (3 from 3 years on)
    rated = _levels(answered, assumed)

    # the full list opens with these answers ticked (a draft); the quick start carries on after
    await page.get_by_role("link", name="Open the full list").click()
    await expect(page.locator("#q-resume")).to_contain_text("not saved yet")
    for skill in answered:
        await expect(page.locator(f"#used-{skill}")).to_be_checked(checked=skill in rated)
        if skill in rated:
            await expect(page.locator(f"#skill-{skill} input[value='{rated[skill]}']")).to_be_checked()
    await expect(page.get_by_label("Years of professional experience")).to_have_value("4")
    await page.get_by_role("link", name=re.compile("^Quick start")).click()
    await expect(page.locator("#k-done")).to_be_visible()

    if await page.get_by_role("button", name="Refine: five more questions").is_visible():
        await page.get_by_role("button", name="Refine: five more questions").click()
        await expect(page.locator("#k-count")).to_have_text(f"Question {first + 1} of about {first + 5}")
        assert await _answer_until_done(ui, [(1, 2), (0, 0)], answered) <= 5
        rated = _levels(answered, assumed)

    await page.get_by_role("button", name="Save my results").click()
    await expect(page.locator("#r-roles > li")).to_have_count(12)
    await expect(page.locator("#r-title")).to_be_focused()
    saved = await (await page.request.get(stack.url + "/api/v1/me/profile")).json()
    assert saved["skills"] == rated and saved["years_experience"] == 4
    assert ui.problems == []


async def test_two_tabs_a_stale_save_is_refused_and_kept_as_a_draft(ui: Ui, stack: Stack) -> None:
    first = ui.page
    await ui.sign_up(stack.url)
    await ui.rate({"python": 2})
    await first.get_by_role("button", name="Save and see my results").click()
    await expect(first.locator("#r-roles > li")).to_have_count(12)
    second = await first.context.new_page()  # the same session in another tab
    await second.goto(stack.url + "/#/questionnaire")
    await expect(second.locator("#skill-python input[value='2']")).to_be_checked()

    await first.get_by_role("link", name="Questionnaire").click()
    await ui.rate({"sql": 3})
    await first.get_by_role("button", name="Save and see my results").click()
    await expect(first.locator("#r-title")).to_be_focused()

    await second.locator("#used-go").check()
    await second.locator("#skill-go input[value='3']").check()
    await second.get_by_role("button", name="Save and see my results").click()
    await expect(second.locator("#q-form [data-error-for=_form]")).to_contain_text(
        "changed elsewhere (another tab?)"
    )
    saved = await (await second.request.get(stack.url + "/api/v1/me/profile")).json()
    assert saved["skills"] == {"python": 2, "sql": 3}  # the other tab's save stands
    await second.reload()
    await expect(second.locator("#q-resume")).to_contain_text("Your saved profile changed since then")
    await expect(second.locator("#skill-go input[value='3']")).to_be_checked()  # the draft
    await second.close()
    assert ui.problems == []


CV = "Backend developer, 5 years of Python and PostgreSQL; basic Go. Docker daily. No Kubernetes experience."


async def test_pasted_cv_ticks_the_skills_it_mentions_for_the_user_to_confirm(ui: Ui, stack: Stack) -> None:
    page = ui.page
    await ui.sign_up(stack.url)
    paste = page.get_by_label(re.compile("^Or paste your CV"))
    await page.get_by_role("button", name="Find my skills").click()  # nothing pasted
    await expect(page.locator("#cv-form [data-error-for=text]")).to_contain_text("empty")
    await expect(paste).to_have_attribute("aria-invalid", "true")

    await ui.rate({"python": 2})  # rated already: kept
    await paste.fill(CV)
    await page.get_by_role("button", name="Find my skills").click()
    await expect(page.locator("#cv-status")).to_have_text(
        "Found 4 skills, ticked below with a suggested level: check each, then save."
    )
    for skill, level in {"python": 2, "postgresql": 3, "go": 1, "docker": 2}.items():
        await expect(page.locator(f"#used-{skill}")).to_be_checked()
        await expect(page.locator(f"#skill-{skill} input[value='{level}']")).to_be_checked()
    await expect(page.locator("#used-kubernetes")).not_to_be_checked()
    found = page.locator("#cv-found li")
    await expect(found).to_have_count(4)
    await expect(page.locator("[data-found=go]")).to_contain_text("1 aware (from “basic”)")
    await expect(page.locator("[data-found=python]")).to_contain_text("kept your 2 working")
    await expect(page.locator("[data-found=docker]")).to_contain_text("a guess")
    await expect(page.locator("#cv-ignored li")).to_have_text(
        ["Kubernetes: not counted (the text says you have not used it, “No”)"]
    )
    await expect(page.locator("#q-total")).to_have_text("4 rated")
    await page.locator("[data-found=go] a").click()  # to the suggestion, to check it
    await expect(page.locator("#skill-go input[value='1']")).to_be_focused()
    await page.keyboard.press("ArrowRight")  # the user corrects it: 2 working
    await ui.capture("cv")
    await page.set_viewport_size({"width": 390, "height": 844})
    assert await ui.page_width() <= 390

    await page.reload()  # suggestions not saved yet are a draft like any answer
    await expect(page.locator("#skill-postgresql input[value='3']")).to_be_checked()
    await page.get_by_role("button", name="Save and see my results").click()
    await expect(page.locator("#r-roles > li")).to_have_count(12)
    saved = await (await page.request.get(stack.url + "/api/v1/me/profile")).json()
    assert saved["skills"] == {"python": 2, "postgresql": 3, "go": 2, "docker": 2}
    assert ui.problems == []


async def test_a_visitor_gets_results_then_saves_them_by_creating_an_account(ui: Ui, stack: Stack) -> None:
    page = ui.page
    await page.goto(stack.url + "/")  # a fresh browser: no session
    offer = page.get_by_role("link", name=re.compile("^Quick start"))
    await expect(offer).to_contain_text("about ten questions, about two minutes")  # said up front
    # calls that need a session, made before the account exists (after loading the page, which asks
    # who is signed in and for the profile at once: both 401 for a visitor)
    session_calls: list[str] = []
    page.on("request", lambda r: session_calls.append(r.url) if "/api/v1/me" in r.url else None)
    await expect(page.locator("#auth-quick")).to_contain_text("No account needed")
    await offer.click()
    await expect(page.locator("#k-title")).to_be_focused()
    await expect(page.locator("#k-visitor")).to_be_visible()
    await expect(page.locator("#nav")).to_be_hidden()
    await page.get_by_label("How many years have you worked professionally?").fill("3")

    answered: dict[str, int | None] = {}
    assert await _answer_until_done(ui, [(1, 2), (0, 0), (3, 3)], answered) <= 10  # roles after every answer
    await expect(page.locator("#k-done-title")).to_be_focused()
    await expect(page.locator("#k-done-text")).to_contain_text("you create an account")
    await expect(page.get_by_role("link", name="Open the full list")).to_be_hidden()
    await ui.capture("visitor-results")
    assert session_calls == []

    # Save my results: the create-account form, saying the answers are kept
    await page.get_by_role("button", name="Save my results").click()
    await expect(page.locator("#auth-title")).to_be_focused()
    await expect(page.locator("#auth-keep")).to_contain_text(f"your {len(answered)} answers")
    await page.get_by_role("link", name="Back to your answers").click()  # nothing lost on the way back
    await expect(page.locator("#k-done")).to_be_visible()
    await expect(page.locator("#k-roles > li")).to_have_count(5)
    await page.get_by_role("button", name="Save my results").click()
    await expect(page.locator("#auth-keep")).to_be_visible()
    assert session_calls == []
    email = f"visitor-{secrets.token_hex(5)}@example.com"
    await expect(page.locator("#signup-form")).to_be_visible()  # the create-account form, not sign-in
    await ui.fill_credentials("#signup-form", email)
    await page.get_by_role("button", name="Create account").click()

    await expect(page.locator("#r-roles > li")).to_have_count(12)
    await expect(page.locator("#r-title")).to_be_focused()  # the new view's heading
    await expect(page.locator("#who")).to_have_text(email)
    saved = await (await page.request.get(stack.url + "/api/v1/me/profile")).json()
    assert saved["skills"] == _levels(answered, 3)  # a tick at the level of 3 years (3 from 3 years on)
    assert saved["years_experience"] == 3
    assert ui.problems == []
