"""Mail over SMTP (``CAREERPATH_SMTP_URL``): the password-reset message, sent after the answer.

The profile service sends: it owns the accounts, makes the token and keeps the audit log, so the token
never travels further than from here to the mail server. The reset route sends after it has answered
(``services/profile/accounts/reset_routes.py``), so the answer and its timing are the same whether or not
an account uses the address, and a slow or failing mail server never turns into an error for the person
asking: a failed send is logged and audited (``password_reset_mail_failed``).

URLs: ``smtp://host:25`` (STARTTLS when the server offers it), ``smtp+starttls://user:pass@host:587``
(STARTTLS required), ``smtps://user:pass@host:465`` (TLS from the start). Empty: no mail is sent (the
failure is logged and audited, the answer unchanged).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html import escape
from urllib.parse import unquote, urlsplit

import aiosmtplib

__all__ = ["MailError", "Mailer", "SmtpTarget", "reset_message", "smtp_target"]

SCHEMES = {"smtp": (False, None), "smtp+starttls": (False, True), "smtps": (True, False)}
DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


class MailError(Exception):
    """The message could not be handed to the mail server."""


@dataclass(frozen=True)
class SmtpTarget:
    hostname: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    start_tls: bool | None

    def __repr__(self) -> str:  # never the password in a log line
        return f"SmtpTarget({self.hostname}:{self.port}, tls={self.use_tls}, starttls={self.start_tls})"


def smtp_target(url: str) -> SmtpTarget:
    """Parse ``CAREERPATH_SMTP_URL`` (ValueError naming what is wrong)."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ValueError(f"the scheme must be one of {', '.join(s + '://' for s in SCHEMES)}")
    if not parts.hostname:
        raise ValueError("no host")
    use_tls, start_tls = SCHEMES[parts.scheme]
    return SmtpTarget(
        hostname=parts.hostname,
        port=parts.port or DEFAULT_PORTS[parts.scheme],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_tls=use_tls,
        start_tls=start_tls,
    )


def reset_message(sender: str, to: str, link: str, minutes: int) -> EmailMessage:
    """The password-reset mail: plain text, with an HTML alternative."""
    message = EmailMessage()
    message["Subject"] = "Reset your careerpath password"
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain="careerpath.localhost")
    validity = f"{minutes} minutes" if minutes != 1 else "1 minute"
    text = (
        f"Hello,\n\n"
        f"someone asked to reset the password of the careerpath account {to}.\n"
        f"To choose a new password, open this link (it works once, for the next {validity}):\n\n"
        f"{link}\n\n"
        f"If you did not ask for this, ignore this mail: your password stays as it is, and every\n"
        f"session stays signed in.\n\n"
        f"-- careerpath\n"
    )
    # plain ASCII goes as it is (the link stays whole and can be copied from the raw mail)
    message.set_content(text, cte="7bit" if text.isascii() else "quoted-printable")
    message.add_alternative(
        f"<p>Hello,</p><p>someone asked to reset the password of the careerpath account "
        f'{escape(to)}.</p><p><a href="{escape(link)}">Choose a new password</a> (the link works '
        f"once, for the next {validity}).</p><p>If you did not ask for this, ignore this mail: your "
        f"password stays as it is, and every session stays signed in.</p><p>careerpath</p>",
        subtype="html",
    )
    return message


class Mailer:
    """Hand messages to the mail server of ``CAREERPATH_SMTP_URL``, each within ``timeout`` seconds."""

    def __init__(self, url: str, timeout: float) -> None:
        self.target = smtp_target(url) if url else None
        self.timeout = timeout

    async def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the mail server, or raise :class:`MailError` saying why not."""
        if self.target is None:
            raise MailError("no mail server configured (CAREERPATH_SMTP_URL is empty)")
        target = self.target
        try:
            await aiosmtplib.send(
                message,
                hostname=target.hostname,
                port=target.port,
                username=target.username,
                password=target.password,
                use_tls=target.use_tls,
                start_tls=target.start_tls,
                timeout=self.timeout,
            )
        except Exception as exc:  # noqa: BLE001 - whatever it was, the caller logs and audits it
            raise MailError(f"{type(exc).__name__}: {exc}"[:200]) from None
