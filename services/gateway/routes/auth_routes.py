"""``/api/v1/auth``: sign up, log in, log out, who am I, reset a forgotten password by e-mail."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException
from litestar.params import JSONBody
from redis.exceptions import RedisError

from services.gateway.audit import audit, client_ip
from services.gateway.auth import PrincipalRequest, user_guard
from services.gateway.authn import session_cookies
from services.gateway.deps import AccountLockDep, ProfilesDep, SessionsDep, SettingsDep
from services.gateway.sessions import CSRF_COOKIE, SESSION_COOKIE, SessionStore
from services.gateway.settings import GatewaySettings
from shared.contracts.accounts import AuditEvent, Credentials, LoginAttempt, NewUser, User
from shared.contracts.common import described
from shared.contracts.resets import (
    RESET_ACCEPTED,
    ResetAccepted,
    ResetAsk,
    ResetAsked,
    ResetConfirm,
    ResetUse,
)

__all__ = ["AuthRoutes", "SignedIn"]

log = logging.getLogger("careerpath.gateway.auth")


class SignedIn(msgspec.Struct, kw_only=True, frozen=True):
    """The signed-in user and the CSRF token to send as ``X-CSRF-Token`` on changes."""

    user: Annotated[User, described("The signed-in account.")]
    csrf_token: Annotated[
        str, described("Send it as `X-CSRF-Token` on every change (POST, PUT, DELETE) in this session.")
    ]


_EXPIRED = [Cookie(key=name, value="", max_age=0, path="/") for name in (SESSION_COOKIE, CSRF_COOKIE)]


async def _start_session(
    sessions: SessionStore, settings: GatewaySettings, user: User, status: int
) -> Response[SignedIn]:
    session_id, session = await sessions.create(user.id, user.email, user.role)
    cookies = session_cookies(session_id, session.csrf, settings.session_ttl_seconds, settings.secure_cookies)
    return Response(SignedIn(user=user, csrf_token=session.csrf), status_code=status, cookies=cookies)


class AuthRoutes(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post(
        "/signup",
        summary="Create an account and sign in",
        description=(
            "Creates a user account and signs it in: the answer sets the session cookie and carries the "
            "CSRF token to send as `X-CSRF-Token` on changes. Only from careerpath's own pages (another "
            "Origin is refused 403)."
        ),
        status_code=201,
        security=[],
    )
    async def signup(
        self,
        request: Request[Any, Any, Any],
        profiles: ProfilesDep,
        sessions: SessionsDep,
        settings: SettingsDep,
        data: JSONBody[Credentials],
    ) -> Response[SignedIn]:
        user = await profiles.create_user(NewUser(email=data.email, password=data.password, role="user"))
        await audit(profiles, request, user.email, "signup", target=user.id)
        return await _start_session(sessions, settings, user, 201)

    @post(
        "/login",
        summary="Sign in with email and password",
        description=(
            "Checks the password and starts a browser session (cookie + CSRF token). Repeated failures "
            "for one account or from one address are answered 429 with Retry-After."
        ),
        status_code=200,
        security=[],
    )
    async def login(
        self,
        request: Request[Any, Any, Any],
        profiles: ProfilesDep,
        sessions: SessionsDep,
        settings: SettingsDep,
        data: JSONBody[Credentials],
    ) -> Response[SignedIn]:
        # The profile service audits the attempt itself (login / login_failed), even when it refuses
        # to hash (busy) or this call times out, so no failed log-in goes unrecorded.
        attempt = LoginAttempt(email=data.email, password=data.password, ip=client_ip(request), audit=True)
        user = await profiles.authenticate(attempt)
        return await _start_session(sessions, settings, user, 200)

    @post(
        "/logout",
        summary="Sign out",
        description="Ends the browser session and expires its cookies.",
        status_code=204,
        guards=[user_guard],
        security=[{"session": []}],
    )
    async def logout(self, request: PrincipalRequest, sessions: SessionsDep) -> Response[None]:
        if request.user.session_id is not None:  # user_guard admits sessions only
            await sessions.delete(request.user.session_id)
        return Response(None, status_code=204, cookies=_EXPIRED)

    @get(
        "/me",
        summary="The signed-in user",
        description=(
            "The user behind the session cookie, with the session's CSRF token (for a page that was "
            "reloaded)."
        ),
        guards=[user_guard],
        security=[{"session": []}],
    )
    async def me(self, request: PrincipalRequest, profiles: ProfilesDep, sessions: SessionsDep) -> SignedIn:
        principal = request.user
        session = await sessions.get(principal.session_id or "")
        if session is None:  # ended since the middleware read it
            raise NotAuthorizedException(detail="sign in again")
        return SignedIn(user=await profiles.user(principal.id), csrf_token=session.csrf)

    @post(
        "/password-reset",
        summary="Ask for a password-reset link by e-mail",
        description=(
            "Mails a link to choose a new password (`<page>/#/reset?token=…`, working once, for "
            "`CAREERPATH_PASSWORD_RESET_TTL_SECONDS`) if an account uses the address. The answer is the "
            "same 202 whether or not one does, and the mail is sent after it. Limited per client address "
            "and per e-mail address (429 with Retry-After). Only from careerpath's own pages (another "
            "Origin is refused 403)."
        ),
        status_code=202,
        security=[],
    )
    async def ask_password_reset(
        self, request: Request[Any, Any, Any], profiles: ProfilesDep, data: JSONBody[ResetAsked]
    ) -> ResetAccepted:
        await profiles.ask_password_reset(ResetAsk(email=data.email, ip=client_ip(request)))
        return ResetAccepted(detail=RESET_ACCEPTED)

    @post(
        "/password-reset/confirm",
        summary="Choose a new password with the token from the reset mail",
        description=(
            "Sets the new password and spends the token (it works once; a newer request replaces it). "
            "Every session of the account ends (sign in again with the new password) and its failed "
            "log-ins are forgotten. A token that is unknown, expired, spent or replaced: 422 "
            "`reset_token_refused` naming `token`; a password that is easy to guess: 422 `weak_password` "
            "naming `password` with the reason (the token still works). Only from careerpath's own pages."
        ),
        status_code=204,
        security=[],
    )
    async def confirm_password_reset(
        self,
        request: Request[Any, Any, Any],
        profiles: ProfilesDep,
        sessions: SessionsDep,
        account_lock: AccountLockDep,
        data: JSONBody[ResetConfirm],
    ) -> Response[None]:
        ip = client_ip(request)
        user = await profiles.reset_password(ResetUse(token=data.token, password=data.password, ip=ip))
        try:
            ended = await sessions.delete_user(user.id)
            log.info("password reset for %s: %d session(s) ended", user.id, ended)
        except RedisError as exc:  # the password is changed; the sessions stay until Redis is back
            log.error("password reset for %s: sessions not ended (%s)", user.id, exc)
            event = AuditEvent(actor=user.email, action="password_reset_sessions_kept", target=user.id, ip=ip)
            await profiles.audit(event)
        await account_lock.clear(user.email)
        return Response(None, status_code=204, cookies=_EXPIRED)
