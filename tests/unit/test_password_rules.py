"""Issue 16: weak and common passwords are refused with the reason in words; reset tokens are random and
stored only as a hash; the SMTP URL says how to reach the mail server."""

from __future__ import annotations

import hashlib

import pytest

from services.profile.accounts.mail import reset_message, smtp_target
from services.profile.accounts.resets import hash_token, new_token
from services.profile.accounts.strength import weakness
from services.profile.settings import ProfileSettings
from shared.settings import SettingsError, load_settings

EMAIL = "ada.lovelace@example.com"


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("aaaaaaaaaa", 'Repeats like "aaa" are easy to guess'),
        ("password123", "This is a very common password"),
        ("qwertyuiop", "common password"),
        ("1234567890", "common password"),
        ("ada.lovelace1", "your e-mail address"),
        ("short", "at least 10 characters"),
    ],
)
def test_weak_passwords_are_refused_in_words(password: str, words: str) -> None:
    reason = weakness(password, EMAIL)
    assert reason is not None and words in reason


@pytest.mark.parametrize(
    "password",
    ["plum violet harbor kettle", "correct horse battery staple", "Zq8!vR2#mT7pL0x", "x" * 72 + "!"],
)
def test_strong_passwords_are_accepted(password: str) -> None:
    if password.startswith("x" * 72):  # judged on its first 72 characters: a repeat, refused
        assert weakness(password, EMAIL) is not None
    else:
        assert weakness(password, EMAIL) is None


@pytest.mark.parametrize("password", ["ada.lovelace@example.com", "ada.lovelace!"])
def test_the_address_counts_as_guessable(password: str) -> None:
    assert weakness(password, "someone@else.org") is None  # strong for another account
    assert "your e-mail address" in (weakness(password, EMAIL) or "")


def test_tokens_are_random_and_stored_as_their_sha256() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100 and all(len(t) >= 43 for t in tokens)
    token = tokens.pop()
    assert hash_token(token) == hashlib.sha256(token.encode()).hexdigest()
    assert token not in hash_token(token)


@pytest.mark.parametrize(
    ("url", "host", "port", "tls", "starttls", "user"),
    [
        ("smtp://127.0.0.1:8025", "127.0.0.1", 8025, False, None, None),
        (
            "smtp+starttls://me%40x.org:p%2Fw@mail.example.com",
            "mail.example.com",
            587,
            False,
            True,
            "me@x.org",
        ),
        ("smtps://u:p@mail.example.com", "mail.example.com", 465, True, False, "u"),
    ],
)
def test_smtp_urls(
    url: str, host: str, port: int, tls: bool, starttls: bool | None, user: str | None
) -> None:
    target = smtp_target(url)
    assert (target.hostname, target.port, target.use_tls, target.start_tls, target.username) == (
        host,
        port,
        tls,
        starttls,
        user,
    )
    assert "p%2Fw" not in repr(target) and "p/w" not in repr(target)


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://", "mail.example.com:25"])
def test_bad_smtp_url_stops_start_up_naming_it(url: str) -> None:
    with pytest.raises(SettingsError, match="CAREERPATH_SMTP_URL"):
        load_settings(ProfileSettings, {"CAREERPATH_SMTP_URL": url})


def test_reset_message_has_the_link_the_validity_and_what_to_do_if_not_asked() -> None:
    link = "https://careerpath.example/#/reset?token=abc"
    message = reset_message("careerpath <no-reply@example.com>", EMAIL, link, 30)
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert link in text and "30 minutes" in text and "ignore this mail" in text
    assert f'href="{link}"' in html
    assert message["To"] == EMAIL


def test_create_admin_refuses_a_weak_password(monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """Checked before the database is reached: the command stops with the reason in words."""
    from tools.cli import main

    monkeypatch.setenv("CAREERPATH_ADMIN_PASSWORD", "password123")
    code = main(["create-admin", "--email", "root@example.com", "--database-url", "postgresql://nowhere/x"])
    assert code == 2
    assert "This is a very common password" in capsys.readouterr().err
