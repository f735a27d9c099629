"""Issue 16: a forgotten password reset by e-mail, through a real SMTP conversation with the local sink.

The stack's profile service sends through ``careerpath mail-sink`` (aiosmtpd), which writes each mail to
a folder; the tests read the link from the mail as a person would, and use it over HTTP.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import httpx
import pytest

from shared.contracts.resets import RESET_ACCEPTED, TOKEN_REFUSED
from tests.e2e.helpers import PASSWORD, log_in, sign_up
from tests.e2e.mail import MAIL_WAIT, mails_to, reset_token, wait_for_mail
from tools.embedded import free_port
from tools.supervisor.stack import ServiceProcess, Stack

pytestmark = pytest.mark.e2e
ASK = "/api/v1/auth/password-reset"
CONFIRM = "/api/v1/auth/password-reset/confirm"
NEW_PASSWORD = "plum violet harbor kettle"


def _mail_dir(stack: Stack) -> Path:
    assert stack.mail_dir is not None, "the stack started no mail sink"
    return stack.mail_dir


def _fields(answer: httpx.Response, status: int) -> list[str]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    return [e["field"] for e in answer.json()["errors"]]


def _new_user(stack: Stack) -> tuple[str, httpx.Client]:
    email = f"reset-{secrets.token_hex(6)}@example.com"
    return email, sign_up(stack.url, email)


def _ask(anon: httpx.Client, email: str) -> httpx.Response:
    return anon.post(ASK, json={"email": email})


def _token_for(stack: Stack, anon: httpx.Client, email: str) -> str:
    before = len(mails_to(_mail_dir(stack), email))
    assert _ask(anon, email).status_code == 202
    return reset_token(wait_for_mail(_mail_dir(stack), email, after=before))


def _logs_in(stack: Stack, email: str, password: str) -> int:
    return httpx.post(
        stack.url + "/api/v1/auth/login", json={"email": email, "password": password}, timeout=15
    ).status_code


async def _expire(database_url: str, token: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE token_hash = $1",
            hashlib.sha256(token.encode()).hexdigest(),
        )
    finally:
        await conn.close()


def test_reset_by_mail_ends_every_session_and_changes_the_password(
    stack: Stack, anon: httpx.Client, admin_api: httpx.Client
) -> None:
    email, first = _new_user(stack)
    second = log_in(stack.url, email)
    assert first.get("/api/v1/auth/me").status_code == 200

    asked = time.perf_counter()
    answer = _ask(anon, email)
    assert answer.status_code == 202, answer.text
    assert answer.json() == {"detail": RESET_ACCEPTED}
    message = wait_for_mail(_mail_dir(stack), email)
    arrived = time.perf_counter()

    assert message["Subject"] == "Reset your careerpath password"
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert f"{stack.url}/#/reset?token=" in text
    assert "30 minutes" in text and "If you did not ask for this, ignore this mail" in text
    assert message.get_body(preferencelist=("html",)) is not None
    token = reset_token(message)
    assert len(token) >= 43

    # a weak new password is refused in words, naming the field; the token still works afterwards
    for weak, words in (
        ("password123", "very common password"),
        ("aaaaaaaaaa", 'Repeats like "aaa"'),
        ("qwertyuiop", "common password"),
    ):
        refused = anon.post(CONFIRM, json={"token": token, "password": weak})
        assert _fields(refused, 422) == ["password"]
        assert words in refused.json()["detail"]
        assert refused.json()["code"] == "weak_password"
    assert _logs_in(stack, email, PASSWORD) == 200  # unchanged

    started = time.perf_counter()
    done = anon.post(CONFIRM, json={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 204, done.text
    confirmed = time.perf_counter()
    signed_in = log_in(stack.url, email, NEW_PASSWORD)
    finished = time.perf_counter()
    print(
        f"\nreset mail in the sink {1000 * (arrived - asked):.0f} ms after asking; from the mail to a "
        f"signed-in user {1000 * (finished - started):.0f} ms (new password set "
        f"{1000 * (confirmed - started):.0f} ms, sign-in {1000 * (finished - confirmed):.0f} ms)"
    )

    # every earlier session is over, the old password is refused, the new one works
    assert first.get("/api/v1/auth/me").status_code == 401
    assert second.get("/api/v1/auth/me").status_code == 401
    assert signed_in.get("/api/v1/auth/me").json()["user"]["email"] == email
    assert _logs_in(stack, email, PASSWORD) == 401

    # the token worked once
    again = anon.post(CONFIRM, json={"token": token, "password": "another fine long phrase"})
    assert _fields(again, 422) == ["token"]
    assert again.json()["detail"] == TOKEN_REFUSED
    assert again.json()["code"] == "reset_token_refused"
    assert anon.get(again.json()["type"]).status_code == 200  # the code is described at its type URI
    assert _logs_in(stack, email, NEW_PASSWORD) == 200

    user_id = signed_in.get("/api/v1/auth/me").json()["user"]["id"]
    actions = {
        e["action"]
        for e in admin_api.get("/api/v1/admin/audit", params={"limit": 200}).json()
        if e["target"] == user_id
    }
    assert {"password_reset_requested", "password_reset"} <= actions
    for client in (first, second, signed_in):
        client.close()


def test_unknown_address_gets_the_same_answer_and_no_mail(
    stack: Stack, anon: httpx.Client, admin_api: httpx.Client
) -> None:
    unknown = f"nobody-{secrets.token_hex(6)}@example.com"
    email, client = _new_user(stack)
    client.close()
    answers = [_ask(anon, unknown), _ask(anon, email)]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].json() == answers[1].json()
    assert answers[0].headers.get("content-type") == answers[1].headers.get("content-type")
    wait_for_mail(_mail_dir(stack), email)  # asked after the unknown address, and arrived
    assert mails_to(_mail_dir(stack), unknown) == []
    entries = admin_api.get(
        "/api/v1/admin/audit", params={"action": "password_reset_requested", "limit": 200}
    ).json()
    assert any(e["actor"] == unknown and e["detail"] == {"account": False} for e in entries)


def test_known_and_unknown_addresses_answer_alike(stack: Stack, anon: httpx.Client) -> None:
    """The same status and body, and (printed, not asserted) comparable times: the mail is sent after
    the answer, so a known address costs only the token's INSERT on the way."""
    known = [_new_user(stack) for _ in range(8)]
    for _, client in known:
        client.close()
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    bodies = set()
    for i, (email, _) in enumerate(known):
        for kind, address in (
            ("known", email),
            ("unknown", f"nobody-{i}-{secrets.token_hex(6)}@example.com"),
        ):
            started = time.perf_counter()
            answer = _ask(anon, address)
            times[kind].append(1000 * (time.perf_counter() - started))
            assert answer.status_code == 202
            bodies.add(answer.text)
    assert len(bodies) == 1
    median = {kind: sorted(values)[len(values) // 2] for kind, values in times.items()}
    print(
        f"\nPOST /password-reset median: known address {median['known']:.1f} ms, "
        f"unknown {median['unknown']:.1f} ms"
    )


def test_expired_reused_forged_and_superseded_tokens_change_nothing(
    stack: Stack, anon: httpx.Client, infra
) -> None:  # type: ignore[no-untyped-def]
    email, client = _new_user(stack)
    client.close()
    older = _token_for(stack, anon, email)
    newer = _token_for(stack, anon, email)  # a new request replaces the older link

    refused = anon.post(CONFIRM, json={"token": older, "password": NEW_PASSWORD})
    assert _fields(refused, 422) == ["token"]

    asyncio.run(_expire(infra.database_url, newer))
    expired = anon.post(CONFIRM, json={"token": newer, "password": NEW_PASSWORD})
    assert _fields(expired, 422) == ["token"]
    assert expired.json()["detail"] == TOKEN_REFUSED

    forged = anon.post(CONFIRM, json={"token": secrets.token_urlsafe(32), "password": NEW_PASSWORD})
    assert _fields(forged, 422) == ["token"]
    for made_up in ("", "abc", "not a token at all!", older.upper()):  # a string: refused in words
        answer = anon.post(CONFIRM, json={"token": made_up, "password": NEW_PASSWORD})
        assert _fields(answer, 422) == ["token"], made_up
        assert answer.json()["detail"] == TOKEN_REFUSED
    for malformed in ("x" * 300, 12345, None, ["a"]):  # not a token's shape: a validation error
        answer = anon.post(CONFIRM, json={"token": malformed, "password": NEW_PASSWORD})
        assert _fields(answer, 400) == ["token"], malformed
    assert _logs_in(stack, email, PASSWORD) == 200
    assert _logs_in(stack, email, NEW_PASSWORD) == 401


def test_two_confirms_at_once_one_wins(stack: Stack, anon: httpx.Client) -> None:
    email, client = _new_user(stack)
    client.close()
    token = _token_for(stack, anon, email)
    passwords = ["first fine long phrase here", "second quite different phrase"]

    def confirm(password: str) -> int:
        return httpx.post(
            stack.url + CONFIRM, json={"token": token, "password": password}, timeout=15
        ).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(confirm, passwords))
    assert sorted(statuses) == [204, 422]
    winner = passwords[statuses.index(204)]
    assert _logs_in(stack, email, winner) == 200
    assert _logs_in(stack, email, passwords[statuses.index(422)]) == 401


def test_reset_clears_the_failed_log_in_lock(stack: Stack, anon: httpx.Client) -> None:
    email, client = _new_user(stack)
    client.close()
    statuses = [_logs_in(stack, email, f"wrong guess {i}") for i in range(12)]
    assert statuses[-1] == 429  # locked for the window (CAREERPATH_ACCOUNT_LOGIN_FAILURES)
    token = _token_for(stack, anon, email)
    assert anon.post(CONFIRM, json={"token": token, "password": NEW_PASSWORD}).status_code == 204
    assert _logs_in(stack, email, NEW_PASSWORD) == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "email"),
        ({"email": "not an address"}, "email"),
        ({"email": 42}, "email"),
        ({"email": "a@example.com", "role": "admin"}, "role"),
    ],
)
def test_bad_reset_requests_name_the_field(anon: httpx.Client, body: dict[str, object], field: str) -> None:
    assert _fields(anon.post(ASK, json=body), 400) == [field]


def test_confirm_body_is_checked(anon: httpx.Client) -> None:
    token = secrets.token_urlsafe(32)
    assert _fields(anon.post(CONFIRM, json={"token": token}), 400) == ["password"]
    assert _fields(anon.post(CONFIRM, json={"token": token, "password": "short"}), 400) == ["password"]
    assert "token" in _fields(anon.post(CONFIRM, json={"password": NEW_PASSWORD}), 400)


def test_reset_only_from_our_own_pages(anon: httpx.Client) -> None:
    foreign = {"Origin": "https://evil.example"}
    assert _fields(anon.post(ASK, json={"email": "a@example.com"}, headers=foreign), 403) == ["Origin"]
    body = {"token": secrets.token_urlsafe(32), "password": NEW_PASSWORD}
    assert _fields(anon.post(CONFIRM, json=body, headers=foreign), 403) == ["Origin"]


def test_reset_mails_are_limited_per_address(stack: Stack, anon: httpx.Client) -> None:
    """CAREERPATH_PASSWORD_RESET_PER_ADDRESS (3 an hour): the same for an address no account uses."""
    for email in (f"nobody-{secrets.token_hex(6)}@example.com", _new_user(stack)[0]):
        statuses = [_ask(anon, email).status_code for _ in range(4)]
        assert statuses == [202, 202, 202, 429]
        refused = _ask(anon, email)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        assert refused.json()["status"] == 429


@pytest.fixture
def tight_gateway(stack: Stack, infra, tmp_path: Path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A second gateway on the same services with a per-IP reset quota of 2 a minute."""
    gateway = ServiceProcess(
        "gateway",
        free_port(),
        infra.env(
            CAREERPATH_PROFILE_URL=stack.services["profile"].url,
            CAREERPATH_RECOMMENDER_URL=stack.services["recommender"].url,
            CAREERPATH_PASSWORD_RESET_RATE_PER_MINUTE="2",
            CAREERPATH_REDIS_PREFIX=f"{infra.redis_prefix}tight-reset:",
        ),
        tmp_path / "gateway.log",
    ).start()
    try:
        gateway.wait_healthy()
        yield gateway.url
    finally:
        gateway.stop()


def test_reset_requests_are_limited_per_client(tight_gateway: str) -> None:
    quota = 2
    statuses = []
    with httpx.Client(base_url=tight_gateway, timeout=15) as client:
        # fixed one-minute windows: within 2 x quota + 1 requests one window is exceeded, whatever the clock
        for i in range(2 * quota + 1):
            answer = client.post(ASK, json={"email": f"other-{i}-{secrets.token_hex(4)}@example.com"})
            statuses.append(answer.status_code)
            if answer.status_code == 429:
                assert int(answer.headers["Retry-After"]) > 0
                break
    assert statuses[-1] == 429 and set(statuses[:-1]) == {202}, statuses


@pytest.mark.parametrize("weak", ["aaaaaaaaaa", "password123", "qwertyuiop"])
def test_sign_up_refuses_a_weak_password_and_stores_nothing(
    stack: Stack, anon: httpx.Client, weak: str
) -> None:
    email = f"weak-{secrets.token_hex(6)}@example.com"
    refused = anon.post("/api/v1/auth/signup", json={"email": email, "password": weak})
    assert _fields(refused, 422) == ["password"]
    assert refused.json()["code"] == "weak_password"
    assert refused.json()["detail"].startswith("This password is too easy to guess.")
    assert _logs_in(stack, email, weak) == 401
    assert (
        anon.post("/api/v1/auth/signup", json={"email": email, "password": NEW_PASSWORD}).status_code == 201
    )


@pytest.fixture
def mailless_stack(infra, tmp_path: Path) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    """A system whose mail server does not answer (nothing listens on its port)."""
    from tests.e2e.conftest import E2E_ENV

    env = infra.env(**E2E_ENV, CAREERPATH_SMTP_URL=f"smtp://127.0.0.1:{free_port()}")
    running = Stack(env=env, log_dir=tmp_path).start()
    try:
        yield running
    finally:
        running.stop()


def test_a_failed_send_is_audited_and_the_answer_unchanged(mailless_stack: Stack, admin_email: str) -> None:
    stack = mailless_stack
    assert "mail-sink" not in stack.services
    email, client = _new_user(stack)
    user_id = client.get("/api/v1/auth/me").json()["user"]["id"]
    client.close()
    with httpx.Client(base_url=stack.url, timeout=15) as anon:
        answer = _ask(anon, email)
    assert answer.status_code == 202 and answer.json() == {"detail": RESET_ACCEPTED}
    admin = log_in(stack.url, admin_email)
    deadline = time.monotonic() + MAIL_WAIT
    failed: list[dict[str, object]] = []
    while not failed and time.monotonic() < deadline:
        entries = admin.get("/api/v1/admin/audit", params={"action": "password_reset_mail_failed"}).json()
        failed = [e for e in entries if e["target"] == user_id]
        time.sleep(0.05)
    admin.close()
    assert failed, "no password_reset_mail_failed audit entry"
    assert "Connect" in str(failed[0]["detail"]["reason"])  # type: ignore[index]
    log = stack.services["profile"].log_path
    assert log is not None and f"mail to {email} not sent" in log.read_text()
