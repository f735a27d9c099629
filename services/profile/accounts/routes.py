"""Internal account routes: users, partner API keys, audit log (the gateway is the only caller)."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, post
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException
from litestar.params import FromPath, HeaderParameter, JSONBody

from services.profile.accounts.passwords import HashingBusy
from services.profile.accounts.repository import (
    DUMMY_HASH,
    AccountRepository,
    EmailLooksAlike,
    EmailTaken,
    KeyAlreadyRotated,
    KeyNotValid,
    PredecessorInGrace,
)
from services.profile.accounts.strength import weakness
from services.profile.db import DATABASE_ERROR_HANDLERS, Database
from services.profile.deps import DatabaseDep, DbDep, PasswordsDep, SettingsDep
from shared.contracts.accounts import (
    ApiKey,
    ApiKeyCreate,
    ApiKeyIssued,
    AuditEntry,
    AuditEvent,
    KeyCheck,
    LoginAttempt,
    NewUser,
    User,
)
from shared.contracts.partner import RotatedKey
from shared.params import ActionFilter, Limit, Offset
from shared.text import BadText, checked_email, normalise_email

__all__ = ["AccountController", "busy_answer", "keep_audit", "refuse_weak"]

log = logging.getLogger("careerpath.profile.accounts")


def busy_answer(exc: HashingBusy) -> HTTPException:
    return HTTPException(
        status_code=503,
        detail=f"password checks are busy ({exc}); try again shortly",
        headers={"Retry-After": "1"},
        extra={"reason": "password_hashing_busy"},
    )


def refuse_weak(password: str, email: str) -> None:
    """422 naming ``password``, with zxcvbn's reasons in words, when it is easy to guess."""
    reason = weakness(password, email)
    if reason is not None:
        raise HTTPException(
            status_code=422, detail=reason, extra={"field": "password", "code": "weak_password"}
        )


async def keep_audit(database: Database, event: AuditEvent) -> None:
    """Write one audit event in its own transaction, whatever happened to the request; when even that
    fails (database down) the event goes to the log in full, so it is never silently lost."""
    try:
        async with database.transaction() as conn:
            await AccountRepository(conn).audit(event)
    except Exception:  # noqa: BLE001 - the log line is the fallback record
        log.error(
            "audit event not stored: %s by %s",
            event.action,
            event.actor,
            extra={"fields": {"audit": msgspec.to_builtins(event)}},
        )


class AccountController(Controller):
    tags = ["accounts"]
    exception_handlers = DATABASE_ERROR_HANDLERS

    @post("/users", summary="Create a user", status_code=201)
    async def create_user(
        self, database: DatabaseDep, passwords: PasswordsDep, data: JSONBody[NewUser]
    ) -> User:
        # the password is hashed before a connection is taken (hashing may queue)
        try:
            email = checked_email(data.email)
        except BadText as exc:  # well-formed, refused as a look-alike: 422, as for a taken look-alike below
            raise HTTPException(status_code=422, detail=exc.message, extra={"field": exc.field}) from None
        refuse_weak(data.password, email)
        try:
            password_hash = await passwords.hash(data.password)
        except HashingBusy as exc:
            raise busy_answer(exc) from None
        async with database.transaction() as conn:
            try:
                return await AccountRepository(conn).create_user(email, password_hash, data.role)
            except EmailTaken:
                raise HTTPException(
                    status_code=409, detail="an account with this email exists", extra={"field": "email"}
                ) from None
            except EmailLooksAlike:
                raise HTTPException(
                    status_code=422,
                    detail="the e-mail address looks like an existing account's address",
                    extra={"field": "email"},
                ) from None

    @post("/users/authenticate", summary="Check a password", status_code=200)
    async def authenticate(
        self, database: DatabaseDep, passwords: PasswordsDep, data: JSONBody[LoginAttempt]
    ) -> User:
        """No database connection is held while the password is hashed; with ``audit`` the attempt is
        recorded here whatever its outcome (refused when hashing is busy, database errors included)."""
        user: User | None = None
        target: str | None = None
        reason = "wrong email or password"
        try:
            async with database.read() as conn:
                row = await AccountRepository(conn).login_row(normalise_email(data.email), data.email)
            target = row.user.id if row else None
            try:
                matches = await passwords.verify(row.password_hash if row else DUMMY_HASH, data.password)
            except HashingBusy as exc:
                reason = "password checks busy"
                raise busy_answer(exc) from None
            if row is None or not matches:
                raise NotAuthorizedException(detail="wrong email or password")
            new_hash = None
            if passwords.needs_rehash(row.password_hash):
                try:
                    new_hash = await passwords.hash(data.password)
                except HashingBusy:
                    pass  # upgraded at a later log-in
            async with database.transaction() as conn:
                repo = AccountRepository(conn)
                await repo.record_login(row.user.id, new_hash)
                if data.audit:
                    await repo.audit(
                        AuditEvent(actor=row.user.email, action="login", target=target, ip=data.ip)
                    )
            user = row.user
            return user
        except HTTPException as exc:
            if exc.status_code != 401 and reason == "wrong email or password":
                reason = str(exc.detail)[:200]
            raise
        except BaseException as exc:
            reason = type(exc).__name__
            raise
        finally:
            if data.audit and user is None:
                event = AuditEvent(
                    actor=data.email,
                    action="login_failed",
                    target=target,
                    ip=data.ip,
                    detail={"reason": reason},
                )
                await asyncio.shield(keep_audit(database, event))

    @get("/users/{user_id:uuid}", summary="Read a user")
    async def get_user(self, database: DatabaseDep, user_id: FromPath[UUID]) -> User:
        async with database.read() as conn:
            user = await AccountRepository(conn).get_user(str(user_id))
        if user is None:
            raise NotFoundException(detail="user not found")
        return user

    @delete("/users/{user_id:uuid}", summary="Delete a user and everything they own", status_code=204)
    async def delete_user(self, db: DbDep, user_id: FromPath[UUID]) -> None:
        if not await AccountRepository(await db.connection()).delete_user(str(user_id)):
            raise NotFoundException(detail="user not found")

    @post("/keys", summary="Issue a partner API key", status_code=201)
    async def issue_key(
        self,
        db: DbDep,
        data: JSONBody[ApiKeyCreate],
        created_by: Annotated[str | None, HeaderParameter(name="x-owner-id", required=False)] = None,
    ) -> ApiKeyIssued:
        return await AccountRepository(await db.connection()).issue_key(data, created_by)

    @get("/keys", summary="List partner API keys")
    async def list_keys(self, database: DatabaseDep, limit: Limit = 50, offset: Offset = 0) -> list[ApiKey]:
        async with database.read() as conn:
            return await AccountRepository(conn).list_keys(limit, offset)

    @delete("/keys/{key_id:uuid}", summary="Revoke a partner API key", status_code=200)
    async def revoke_key(self, db: DbDep, key_id: FromPath[UUID]) -> Response[dict[str, Any]]:
        repo = AccountRepository(await db.connection())
        key_hash = await repo.key_hash_of(str(key_id))
        key = await repo.revoke_key(str(key_id))
        if key is None:
            raise NotFoundException(detail="API key not found")
        return Response({"api_key": key, "key_hash": key_hash})

    @get("/keys/{key_id:uuid}", summary="Read a partner API key (never its secret)")
    async def get_key(self, database: DatabaseDep, key_id: FromPath[UUID]) -> ApiKey:
        async with database.read() as conn:
            key = await AccountRepository(conn).get_key(str(key_id))
        if key is None:
            raise NotFoundException(detail="API key not found")
        return key

    @post(
        "/keys/{key_id:uuid}/rotate",
        summary="Replace a partner API key by its one successor",
        status_code=201,
    )
    async def rotate_key(self, db: DbDep, settings: SettingsDep, key_id: FromPath[UUID]) -> RotatedKey:
        """401 when the key no longer works; 409 when it was rotated already (one successor only) or
        when its own predecessor is still in its grace period."""
        repo = AccountRepository(await db.connection())
        try:
            return await repo.rotate_key(str(key_id), settings.key_rotation_grace_seconds)
        except KeyNotValid:
            raise NotAuthorizedException(detail="invalid, expired or revoked API key") from None
        except KeyAlreadyRotated as exc:
            raise HTTPException(
                status_code=409,
                detail=f"this API key was already rotated: its successor is {exc.successor}",
                extra={"reason": "already_rotated", "successor": exc.successor},
            ) from None
        except PredecessorInGrace as exc:
            raise HTTPException(
                status_code=409,
                detail=f"the key this one replaced ({exc.predecessor}) works until "
                f"{exc.retires_at.isoformat()}: rotate again after that",
                extra={"reason": "predecessor_in_grace", "retires_at": exc.retires_at.isoformat()},
            ) from None

    @post("/keys/check", summary="Check a partner API key", status_code=200)
    async def check_key(self, database: DatabaseDep, data: JSONBody[KeyCheck]) -> ApiKey:
        async with database.read() as conn:
            key = await AccountRepository(conn).check_key(data.key)
        if key is None:
            raise NotAuthorizedException(detail="invalid, expired or revoked API key")
        return key

    @post("/keys/usage", summary="Add usage counted by the gateway", status_code=204)
    async def add_usage(self, db: DbDep, data: JSONBody[dict[str, int]]) -> None:
        await AccountRepository(await db.connection()).add_usage(data)

    @post("/audit", summary="Append to the audit log", status_code=204)
    async def audit(self, db: DbDep, data: JSONBody[AuditEvent]) -> None:
        await AccountRepository(await db.connection()).audit(data)

    @get("/audit", summary="Read the audit log, newest first")
    async def audit_log(
        self,
        database: DatabaseDep,
        limit: Limit = 50,
        offset: Offset = 0,
        action: ActionFilter = None,
    ) -> list[AuditEntry]:
        async with database.read() as conn:
            return await AccountRepository(conn).audit_log(limit, offset, action)
