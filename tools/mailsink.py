"""``careerpath mail-sink``: a local SMTP server (aiosmtpd) that keeps every message as a file.

``careerpath run`` and the test stacks start it when ``CAREERPATH_SMTP_URL`` is not set, and point the
profile service at it: the password-reset mail goes through a real SMTP conversation and lands in
``<folder>/<nanoseconds>-<n>.eml`` (written whole, then renamed, so a reader never sees half a message).
It relays nothing: nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

__all__ = ["MailFolder", "serve"]


class MailFolder:
    """The aiosmtpd handler: each message accepted is written to ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._numbers = itertools.count(1)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        content = envelope.original_content or b""
        name = f"{time.time_ns()}-{next(self._numbers)}.eml"
        partial = self.folder / f".{name}.part"
        partial.write_bytes(content)
        partial.replace(self.folder / name)
        print(f"mail to {', '.join(envelope.rcpt_tos)} -> {self.folder / name}", flush=True)
        return "250 Message accepted for delivery"


def read_mail(path: Path) -> EmailMessage:
    """A stored message, parsed (``get_body``/``get_content`` give its text)."""
    message: Any = message_from_bytes(path.read_bytes(), policy=policy.default)
    return message  # type: ignore[no-any-return]


async def _serve(port: int, folder: Path) -> None:
    handler = MailFolder(folder)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(
            handler, hostname="careerpath-mail-sink", data_size_limit=10_000_000, enable_SMTPUTF8=True
        ),
        "127.0.0.1",
        port,
    )
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    print(f"mail sink on smtp://127.0.0.1:{port}, mails in {folder}", flush=True)
    async with server:
        await stop.wait()


def serve(port: int, folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    asyncio.run(_serve(port or int(os.environ.get("CAREERPATH_PORT", "8025")), folder))
    return 0
