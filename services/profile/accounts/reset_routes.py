"""Internal password-reset routes: ask for a reset link (mailed in the background), use it once."""

from __future__ import annotations

import logging

from litestar import Controller, Response, post
from litestar.background_tasks import BackgroundTask
from litestar.exceptions import HTTPException
from litestar.params import JSONBody

from services.profile.accounts.mail import Mailer, MailError, reset_message
from services.profile.accounts.passwords import HashingBusy
from services.profile.accounts.repository import AccountRepository
from services.profile.accounts.resets import ResetRepository
from services.profile.accounts.routes import busy_answer, keep_audit, refuse_weak
from services.profile.db import DATABASE_ERROR_HANDLERS, Database
from services.profile.deps import DatabaseDep, MailerDep, PasswordsDep, SettingsDep
from services.profile.settings import ProfileSettings
from shared.contracts.accounts import AuditEvent, User
from shared.contracts.resets import TOKEN_REFUSED, ResetAsk, ResetUse
from shared.text import BadText, checked_email, normalise_email

__all__ = ["PasswordResetController"]

log = logging.getLogger("careerpath.profile.accounts")


def _token_refused() -> HTTPException:
    return HTTPException(
        status_code=422, detail=TOKEN_REFUSED, extra={"field": "token", "code": "reset_token_refused"}
    )


async def _issue_and_mail(
    database: Database, mailer: Mailer, settings: ProfileSettings, data: ResetAsk
) -> None:
    """Make a token and mail the link when an account uses the address; audited either way
    (``password_reset_requested``, ``detail.account``: whether one does); a failed send is logged and
    audited (``password_reset_mail_failed``). Runs after the answer: nothing here reaches the asker."""
    try:
        email = checked_email(data.email)
    except BadText:
        email = normalise_email(data.email)
    try:
        async with database.transaction() as conn:
            row = await AccountRepository(conn).login_row(email, data.email)
            token = None
            if row is not None:
                token = await ResetRepository(conn).issue(row.user.id, settings.password_reset_ttl_seconds)
            await AccountRepository(conn).audit(
                AuditEvent(
                    actor=row.user.email if row else email,
                    action="password_reset_requested",
                    target=row.user.id if row else None,
                    ip=data.ip,
                    detail={"account": row is not None},
                )
            )
    except Exception:  # noqa: BLE001 - after the answer: the log is the only place left to say it
        log.exception("password reset for %s not started", email)
        return
    if row is None or token is None:
        return
    user = row.user
    link = f"{settings.public_url.rstrip('/')}/#/reset?token={token}"
    message = reset_message(settings.mail_from, user.email, link, settings.password_reset_ttl_seconds // 60)
    try:
        await mailer.send(message)
    except MailError as exc:
        log.error("mail to %s not sent: %s", user.email, exc)
        event = AuditEvent(
            actor=user.email,
            action="password_reset_mail_failed",
            target=user.id,
            ip=data.ip,
            detail={"reason": str(exc)},
        )
        await keep_audit(database, event)
    else:
        log.info("password-reset mail sent to %s", user.email)


class PasswordResetController(Controller):
    path = "/users/password-reset"
    tags = ["accounts"]
    exception_handlers = DATABASE_ERROR_HANDLERS

    @post(summary="Mail a password-reset link when an account uses the address", status_code=202)
    async def ask(
        self, database: DatabaseDep, mailer: MailerDep, settings: SettingsDep, data: JSONBody[ResetAsk]
    ) -> Response[None]:
        """202 at once, whatever the address: the look-up, the token and the mail happen after the answer
        was sent (:func:`_issue_and_mail`), so neither its content nor its timing tells whether an account
        uses the address."""
        task = BackgroundTask(_issue_and_mail, database, mailer, settings, data)
        return Response(None, status_code=202, background=task)

    @post("/confirm", summary="Set a new password with a reset token (used once)", status_code=200)
    async def confirm(self, database: DatabaseDep, passwords: PasswordsDep, data: JSONBody[ResetUse]) -> User:
        """422 naming ``token`` when it is unknown, expired or spent; 422 naming ``password`` when the new
        one is weak (the token still works). No connection is held while the password is hashed. The
        token is spent and the password set in one transaction; the caller ends the user's sessions."""
        async with database.read() as conn:
            holder = await ResetRepository(conn).holder(data.token)
        if holder is None:
            raise _token_refused()
        user_id, email = holder
        refuse_weak(data.password, email)
        try:
            password_hash = await passwords.hash(data.password)
        except HashingBusy as exc:
            raise busy_answer(exc) from None
        async with database.transaction() as conn:
            if await ResetRepository(conn).use(data.token, password_hash) is None:
                raise _token_refused()  # spent by another request while this one hashed
            accounts = AccountRepository(conn)
            user = await accounts.get_user(user_id)
            await accounts.audit(AuditEvent(actor=email, action="password_reset", target=user_id, ip=data.ip))
        if user is None:  # deleted in between: the cascade removed the token too
            raise _token_refused()
        return user
