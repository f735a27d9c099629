"""The account journeys in real Chromium: separate Sign in and Create account forms (Enter does each form's
action), checks made in the page before any request, Download my data and Delete my account."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from email.message import EmailMessage

import httpx
import pytest
from playwright.async_api import Request, expect

from shared.contracts.resets import RESET_ACCEPTED, TOKEN_REFUSED
from tests.e2e import browser as web
from tests.e2e.browser import Ui
from tests.e2e.helpers import PASSWORD, sign_up
from tests.e2e.mail import mails_to, wait_for_mail
from tools.supervisor.stack import Stack

browser, ui = web.browser, web.ui  # the fixtures

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def _calls(ui: Ui, part: str) -> list[str]:
    """The changes (POST, PUT, DELETE) the page asks for at URLs holding ``part``, from now on."""
    seen: list[str] = []

    def record(request: Request) -> None:
        if part in request.url and request.method != "GET":
            seen.append(f"{request.method} {request.url.split('/', 3)[3]}")

    ui.page.on("request", record)
    return seen


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
async def test_enter_in_each_form_does_that_forms_action(ui: Ui, stack: Stack, viewport: dict | None) -> None:
    page = ui.page
    if viewport:
        await page.set_viewport_size(viewport)
    calls = _calls(ui, "/api/v1/auth/")
    await page.goto(stack.url + "/")
    signin, signup = page.locator("#signin-form"), page.locator("#signup-form")
    await expect(signin).to_be_visible()
    await expect(signup).to_be_hidden()
    await expect(signin.get_by_label("Password")).to_have_attribute("autocomplete", "current-password")
    await expect(signin.get_by_role("button")).to_have_text(["Sign in"])  # one button: the form's own

    await page.get_by_role("link", name="Create an account").click()
    await expect(page.locator("#signup-title")).to_be_focused()
    await expect(signin).to_be_hidden()
    password = signup.get_by_label("Choose a password")
    await expect(password).to_have_attribute("autocomplete", "new-password")
    await expect(password).to_have_accessible_description(re.compile("^At least 10 characters"))
    await expect(page.locator("#signup-password-rules")).to_be_visible()  # said before typing
    assert await ui.page_width() <= (viewport or {"width": 1280})["width"]  # no sideways scrolling
    await ui.capture("create-account")

    email = f"enter-{secrets.token_hex(5)}@example.com"  # a new address: Enter creates the account
    await ui.fill_credentials("#signup-form", email)
    await password.press("Enter")
    await expect(page.locator("#q-title")).to_be_focused()
    await expect(page.locator("#who")).to_have_text(email)
    assert calls[-1] == "POST api/v1/auth/signup"

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.locator("#auth-title")).to_be_focused()
    await expect(signin).to_be_visible()
    await ui.fill_credentials("#signin-form", email)
    await signin.get_by_label("Password").press("Enter")
    await expect(page.locator("#q-title")).to_be_focused()
    assert calls[-1] == "POST api/v1/auth/login"

    await page.get_by_role("button", name="Sign out").click()
    await page.get_by_role("link", name="Forgot your password?").click()
    await expect(page.locator("#forgot-title")).to_be_focused()
    await expect(page.locator("#forgot-email")).to_have_value(email)  # carried over from sign-in
    await page.get_by_role("link", name="Back to sign in").click()
    await expect(page.locator("#signin-title")).to_be_focused()
    assert ui.problems == []


async def test_the_page_names_bad_input_before_any_request(ui: Ui, stack: Stack) -> None:
    page = ui.page
    calls = _calls(ui, "/api/v1/")
    await page.goto(stack.url + "/#/signin")
    signin = page.locator("#signin-form")
    email = signin.get_by_label("Email")
    await expect(email).to_be_visible()  # the page has routed (a key pressed before lands nowhere)
    await email.press("Enter")  # nothing typed
    await expect(signin.locator("[data-error-for=email]")).to_have_text("Enter your e-mail address")
    await expect(signin.locator("[data-error-for=password]")).to_have_text("Enter your password")
    await expect(email).to_be_focused()  # the first invalid field
    await expect(email).to_have_attribute("aria-invalid", "true")
    await expect(email).to_have_accessible_description(re.compile("Enter your e-mail address$"))
    for typo in ("ada.example.com", "ada@example", "ada @example.com", "ada@@example.com"):
        await ui.fill_credentials("#signin-form", typo)
        await email.press("Enter")
        await expect(signin.locator("[data-error-for=email]")).to_have_text(
            "Enter an e-mail address like name@example.com"
        )
        await expect(signin.locator("[data-error-for=password]")).to_be_hidden()
    await ui.fill_credentials("#signin-form", "ada@example.com", "short")
    await email.press("Enter")
    await expect(signin.locator("[data-error-for=password]")).to_contain_text("Passwords here have 10 to 256")
    await expect(signin.get_by_label("Password")).to_be_focused()
    await expect(email).not_to_have_attribute("aria-invalid", "true")
    await expect(email).to_have_accessible_description("")

    await page.get_by_role("link", name="Create an account").click()
    signup = page.locator("#signup-form")
    await ui.fill_credentials("#signup-form", "ada@example.com", "123456789")  # 9 characters
    await signup.get_by_label("Choose a password").press("Enter")
    await expect(signup.locator("[data-error-for=password]")).to_have_text("Use at least 10 characters")
    await expect(signup.get_by_label("Choose a password")).to_have_accessible_description(
        re.compile("^At least 10 characters.* Use at least 10 characters$")
    )  # the rules stay, the error joins them
    await ui.fill_credentials("#signup-form", "ada@example.com", "x" * 257)
    await signup.get_by_role("button", name="Create account").click()
    await expect(signup.locator("[data-error-for=password]")).to_have_text("Use at most 256 characters")

    await page.goto(stack.url + "/#/forgot")
    await page.locator("#forgot-email").fill("")  # the address typed above is carried over: cleared
    await page.locator("#forgot-form").get_by_role("button", name="Send me a link").click()
    forgot = page.locator("#forgot-form [data-error-for=email]")
    await expect(forgot).to_have_text("Enter your e-mail address")
    await ui.capture("checked-in-page")
    assert calls == []  # every typo above was caught in the page

    await page.goto(stack.url + "/#/reset?token=made-up")
    await expect(page).to_have_url(stack.url + "/#/reset")  # the token is not left in the address bar
    await page.get_by_label("New password", exact=True).fill("a long new password")
    await page.get_by_label("Type the new password again").fill("a long new passw0rd")
    await page.get_by_label("Type the new password again").press("Enter")
    await expect(page.locator("#reset-form [data-error-for=confirm]")).to_have_text(
        "The two passwords differ: type the same one twice"
    )
    await expect(page.get_by_label("Type the new password again")).to_be_focused()
    await page.reload()  # the address is #/reset without a token now: said at once, with a way to get one
    token = page.locator("#reset-form [data-error-for=token]")
    await expect(token).to_contain_text("needs the link from the e-mail")
    await expect(page.get_by_role("link", name="Ask for a new link")).to_be_visible()
    assert calls == []
    assert ui.problems == []


async def test_the_questionnaire_names_bad_input_before_any_request(ui: Ui, stack: Stack) -> None:
    page = ui.page
    await ui.sign_up(stack.url)
    calls = _calls(ui, "/api/v1/")
    years = page.get_by_label("Years of professional experience")
    for typed, words in (("-1", "Enter 0 or more"), ("60.5", "Enter 60 or less")):
        await years.fill(typed)
        await page.get_by_role("button", name="Save and see my results").click()
        await expect(page.locator("#q-form [data-error-for=years_experience]")).to_have_text(words)
        await expect(years).to_be_focused()
    await years.fill("3")
    await page.get_by_label("Display name").fill("   ")  # no visible character
    await page.get_by_role("button", name="Save and see my results").click()
    await expect(page.locator("#q-form [data-error-for=display_name]")).to_have_text("Enter a display name")
    await expect(page.get_by_label("Display name")).to_be_focused()
    await page.get_by_label("Or paste your CV", exact=False).fill(
        "é" * 25_001
    )  # 50,002 bytes of UTF-8 in 25,001 characters
    await page.get_by_role("button", name="Find my skills").click()
    await expect(page.locator("#cv-form [data-error-for=text]")).to_have_text(
        "The text is 51 kB; at most 50 kB is read: paste the part about your experience"
    )
    assert calls == []  # nothing was sent

    await page.goto(stack.url + "/#/quick")  # the quick start's years, checked the same way
    await page.locator("#k-question input").first.check()
    asked = len(calls)  # the first question was asked for
    await page.get_by_label("How many years have you worked professionally?").fill("61")
    await page.get_by_role("button", name="Next question").click()
    await expect(page.locator("#k-form [data-error-for=years_experience]")).to_have_text("Enter 60 or less")
    assert len(calls) == asked
    assert ui.problems == []


async def test_download_my_data_saves_a_json_file_with_the_profile(ui: Ui, stack: Stack) -> None:
    page = ui.page
    email = await ui.sign_up(stack.url)
    await ui.rate({"python": 3, "sql": 2})
    await page.get_by_role("button", name="Save and see my results").click()
    await expect(page.locator("#r-title")).to_be_focused()
    await page.get_by_role("link", name="Your account").click()
    await expect(page.locator("#account-title")).to_be_focused()
    await expect(page.locator("#account-email")).to_have_text(email)

    async with page.expect_download() as caught:
        await page.get_by_role("button", name="Download my data").click()
    download = await caught.value
    assert download.suggested_filename.startswith("careerpath-export-")
    assert download.suggested_filename.endswith(".json")
    saved = json.loads((await download.path()).read_text(encoding="utf-8"))
    assert saved["user"]["email"] == email
    assert saved["profile"]["skills"] == {"python": 3, "sql": 2}
    assert [a["skills"] for a in saved["assessments"]] == [{"python": 3, "sql": 2}]
    await expect(page.locator("#export-status")).to_contain_text("your profile and 1 assessment")
    assert ui.problems == []


async def test_delete_my_account_asks_for_the_address_then_signs_out_for_good(ui: Ui, stack: Stack) -> None:
    page = ui.page
    await page.set_viewport_size(PHONE)
    email = await ui.sign_up(stack.url)
    await page.get_by_role("link", name="Your account").click()
    await expect(page.locator("#delete-what")).to_contain_text("cannot be undone")
    calls = _calls(ui, "/api/v1/me")
    delete = page.get_by_role("button", name="Delete my account")
    confirm = page.get_by_label("To confirm, type your e-mail address")
    await delete.click()  # nothing typed
    problem = page.locator("#delete-form [data-error-for=confirm]")
    await expect(problem).to_have_text(f"Type {email} to confirm")
    await expect(confirm).to_be_focused()
    await confirm.fill("someone-else@example.com")
    await confirm.press("Enter")
    await expect(problem).to_contain_text("That is not this account's address")
    assert calls == []  # not confirmed: nothing sent
    assert await ui.page_width() <= PHONE["width"]
    await ui.capture("delete-account")

    await confirm.fill(email.upper())  # addresses compare case-insensitively, as the server's do
    await delete.click()
    await expect(page.locator("#signin-note")).to_contain_text(f"Your account {email} and everything")
    await expect(page.locator("#auth-title")).to_be_focused()
    await expect(page.locator("#nav")).to_be_hidden()
    assert calls == ["DELETE api/v1/me"]
    await expect(page).to_have_url(stack.url + "/#/")

    await ui.fill_credentials("#signin-form", email)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page.locator("#signin-form [data-error-for=_form]")).to_have_text("Wrong email or password.")
    with httpx.Client(base_url=stack.url, timeout=15.0) as client:
        answer = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 401  # the account is gone, not just this session
    assert ui.problems == []


async def test_a_weak_password_is_refused_with_the_servers_reason_in_words(ui: Ui, stack: Stack) -> None:
    page = ui.page
    weak = "aaaaaaaaaa"  # ten characters: the page lets it through, the server's estimator does not
    with httpx.Client(base_url=stack.url, timeout=15.0) as client:
        answer = client.post("/api/v1/auth/signup", json={"email": "weak@example.com", "password": weak})
    assert answer.status_code == 422, answer.text
    (reason,) = [e["message"] for e in answer.json()["errors"] if e["field"] == "password"]
    calls = _calls(ui, "/api/v1/auth/")
    email = f"weak-{secrets.token_hex(5)}@example.com"
    await page.goto(stack.url + "/#/signup")
    await ui.fill_credentials("#signup-form", email, weak)
    password = page.locator("#signup-form").get_by_label("Choose a password")
    await password.press("Enter")
    await expect(page.locator("#signup-form [data-error-for=password]")).to_have_text(reason)
    await expect(password).to_be_focused()
    await expect(password).to_have_attribute("aria-invalid", "true")
    await expect(password).to_have_accessible_description(re.compile(re.escape(reason) + "$"))
    assert calls == ["POST api/v1/auth/signup"]
    await ui.capture("weak-password")
    await ui.fill_credentials("#signup-form", email, PASSWORD)
    await password.press("Enter")
    await expect(page.locator("#who")).to_have_text(email)  # the same form, a good password: created
    assert ui.problems == []


def _link(message: EmailMessage) -> str:
    """The reset link in a mail's plain-text part, as a person would copy it."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(r"https?://\S+/#/reset\?token=[A-Za-z0-9_-]+", str(body.get_content()))
    assert found, body.get_content()
    return found.group(0)


async def test_forgotten_password_reset_from_the_mail(ui: Ui, stack: Stack) -> None:
    page = ui.page
    assert stack.mail_dir is not None, "the stack started no mail sink"
    email = f"forgot-{secrets.token_hex(5)}@example.com"
    sign_up(stack.url, email).close()
    new_password = "plum violet harbor kettle"

    # asking: the same words for an address with no account, and no mail goes to it
    await page.goto(stack.url + "/")
    await page.get_by_role("link", name="Forgot your password?").click()
    forgot = page.locator("#forgot-form")
    nobody = f"nobody-{secrets.token_hex(5)}@example.com"
    await forgot.get_by_label("Email").fill(nobody)
    await forgot.get_by_label("Email").press("Enter")
    await expect(page.locator("#forgot-sent")).to_have_text(RESET_ACCEPTED)
    await forgot.get_by_label("Email").fill(email)
    started = time.monotonic()
    await forgot.get_by_label("Email").press("Enter")
    await expect(page.locator("#forgot-sent")).to_have_text(RESET_ACCEPTED)
    await ui.capture("forgot-sent")
    mail = await asyncio.to_thread(wait_for_mail, stack.mail_dir, email)
    assert mails_to(stack.mail_dir, nobody) == []
    link = _link(mail)

    # the link: a new password, checked twice in the page, judged by the server
    await page.goto(link)
    await expect(page.locator("#reset-title")).to_be_visible()
    await expect(page).to_have_url(stack.url + "/#/reset")  # the token is not left in the address bar
    fresh = page.get_by_label("New password", exact=True)
    again = page.get_by_label("Type the new password again")
    await fresh.fill("aaaaaaaaaa")
    await again.fill("aaaaaaaaaa")
    await again.press("Enter")
    weak = page.locator("#reset-form [data-error-for=password]")
    await expect(weak).not_to_be_empty()  # the server's reason, in words
    await expect(fresh).to_be_focused()
    await expect(page.locator("#reset-again")).to_be_hidden()  # the link still works
    await fresh.fill(new_password)
    await again.fill(new_password)
    await again.press("Enter")
    await expect(page.locator("#signin-note")).to_contain_text("Your password is changed")
    await expect(page.locator("#auth-title")).to_be_focused()
    await expect(page.locator("#signin-form").get_by_label("Email")).to_have_value(email)  # filled in
    await page.locator("#signin-form").get_by_label("Password").fill(new_password)
    await page.locator("#signin-form").get_by_label("Password").press("Enter")
    await expect(page.locator("#who")).to_have_text(email)
    print(f"reset from asking to signed in with the new password: {time.monotonic() - started:.2f} s")
    with httpx.Client(base_url=stack.url, timeout=15.0) as client:
        old = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert old.status_code == 401  # the old password no longer works

    # the same link again, from the old mail: spent, said in words with a way to ask for a new one
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.locator("#signin-form")).to_be_visible()
    await page.goto(link)
    await fresh.fill("another long passphrase here")
    await again.fill("another long passphrase here")
    await again.press("Enter")
    await expect(page.locator("#reset-form [data-error-for=token]")).to_have_text(TOKEN_REFUSED)
    await page.get_by_role("link", name="Ask for a new link").click()
    await expect(page.locator("#forgot-title")).to_be_focused()
    assert ui.problems == []


async def test_an_ended_session_asks_to_sign_in_then_comes_back_to_the_view(ui: Ui, stack: Stack) -> None:
    page = ui.page
    email = await ui.sign_up(stack.url)
    await page.get_by_role("link", name="Your account").click()
    await expect(page.locator("#account-title")).to_be_focused()
    await page.context.clear_cookies()  # the session is gone (expired, or ended elsewhere)
    await page.get_by_role("button", name="Download my data").click()
    await expect(page.locator("#signin-note")).to_have_text("Your session has ended. Please sign in again.")
    await expect(page.locator("#auth-title")).to_be_focused()
    await expect(page.locator("#nav")).to_be_hidden()
    signin = page.locator("#signin-form")
    await ui.fill_credentials("#signin-form", email)
    await signin.get_by_label("Password").press("Enter")
    await expect(page.locator("#account-title")).to_be_focused()  # back where the session ended
    await expect(page.locator("#account-email")).to_have_text(email)
    assert ui.problems == []
