"""Reading what the local mail sink received (``tools/mailsink.py``, started by the test stacks)."""

from __future__ import annotations

import re
import time
from email.message import EmailMessage
from pathlib import Path

from services.profile.settings import ProfileSettings
from tools.mailsink import read_mail

__all__ = ["MAIL_WAIT", "mails_to", "reset_token", "wait_for_mail"]

# A mail is sent after the answer, within one SMTP exchange bounded by the profile service's timeout;
# polling longer than that (plus a second for the sink to write the file) would only hide a failure.
MAIL_WAIT = ProfileSettings().smtp_timeout + 1.0
POLL = 0.02


def mails_to(folder: Path, address: str) -> list[tuple[Path, EmailMessage]]:
    """Every message in ``folder`` addressed to ``address``, oldest first."""
    found = []
    for path in sorted(folder.glob("*.eml"), key=lambda p: int(p.name.split("-", 1)[0])):
        message = read_mail(path)
        if str(message["To"]).casefold() == address.casefold():
            found.append((path, message))
    return found


def wait_for_mail(folder: Path, address: str, after: int = 0, wait: float = MAIL_WAIT) -> EmailMessage:
    """The newest message to ``address`` beyond the first ``after`` ones, polling up to ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        found = mails_to(folder, address) if folder.exists() else []
        if len(found) > after:
            return found[-1][1]
        if time.monotonic() > deadline:
            raise AssertionError(f"no mail to {address} in {folder} within {wait:g} s")
        time.sleep(POLL)


def reset_token(message: EmailMessage) -> str:
    """The token of the reset link in the mail's plain-text part."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    match = re.search(r"/#/reset\?token=([A-Za-z0-9_-]+)", str(body.get_content()))
    assert match, body.get_content()
    return match.group(1)
