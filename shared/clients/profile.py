"""The profile service's operations, as the gateway calls them: profiles, accounts, keys, audit, runs.

Profile operations act as an owner (the ``x-owner-id`` header), so another user's profile answers 404;
they return the profile with its ETag and the status the profile service chose (201 for a creation).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import msgspec

from shared.clients import Answer, Transport
from shared.contracts.accounts import (
    ApiKey,
    ApiKeyCreate,
    ApiKeyIssued,
    AuditEntry,
    AuditEvent,
    KeyCheck,
    LoginAttempt,
    NewUser,
    RevokedKey,
    User,
)
from shared.contracts.market import RefreshRequest, RefreshRun, RefreshRunList
from shared.contracts.partner import RotatedKey
from shared.contracts.profiles import AssessmentList, Profile, ProfileWrite
from shared.contracts.resets import ResetAsk, ResetUse

__all__ = ["OWNER_HEADER", "ProfileClient", "StoredProfile", "StoredProfileJSON"]

OWNER_HEADER = "x-owner-id"

_profile = msgspec.json.Decoder(Profile)
_history = msgspec.json.Decoder(AssessmentList)
_user = msgspec.json.Decoder(User)
_issued = msgspec.json.Decoder(ApiKeyIssued)
_keys = msgspec.json.Decoder(list[ApiKey])
_key = msgspec.json.Decoder(ApiKey)
_rotated = msgspec.json.Decoder(RotatedKey)
_revoked = msgspec.json.Decoder(RevokedKey)
_audit = msgspec.json.Decoder(list[AuditEntry])
_run = msgspec.json.Decoder(RefreshRun)
_runs = msgspec.json.Decoder(RefreshRunList)


class StoredProfile(NamedTuple):
    """A profile as the profile service answered it: the body, its ETag and the status."""

    profile: Profile
    etag: str | None
    status_code: int


class StoredProfileJSON(NamedTuple):
    """A profile as the profile service answered it, its body as the service's JSON bytes (a ``Profile``)."""

    content: bytes
    etag: str | None
    status_code: int


def _stored(answer: Answer) -> StoredProfile:
    return StoredProfile(_profile.decode(answer.content), answer.headers.get("etag"), answer.status_code)


def _as(owner: str, **extra: str | None) -> dict[str, str]:
    return {OWNER_HEADER: owner, **{k: v for k, v in extra.items() if v is not None}}


class ProfileClient:
    """Calls to the profile service over ``transport``."""

    __slots__ = ("transport",)

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    # profiles
    async def create_profile(
        self, body: ProfileWrite, owner: str, idempotency_key: str | None = None
    ) -> StoredProfile:
        headers = _as(owner, **{"idempotency-key": idempotency_key})
        return _stored(await self.transport.request("POST", "/profiles/", json=body, headers=headers))

    async def profile(self, profile_id: str, owner: str) -> StoredProfile:
        raw = await self.profile_json(profile_id, owner)
        return StoredProfile(_profile.decode(raw.content), raw.etag, raw.status_code)

    async def profile_json(self, profile_id: str, owner: str) -> StoredProfileJSON:
        """:meth:`profile`, the body as the profile service's JSON bytes (the gateway passes them on as they
        came: decoding them to encode them again gave the same bytes, at a cost)."""
        answer = await self.transport.request("GET", f"/profiles/{profile_id}", headers=_as(owner))
        return StoredProfileJSON(answer.content, answer.headers.get("etag"), answer.status_code)

    async def profile_of(self, owner: str) -> StoredProfile:
        """The owner's own profile (404 until saved once)."""
        return _stored(await self.transport.request("GET", f"/profiles/by-owner/{owner}"))

    async def update_profile(
        self, profile_id: str, body: ProfileWrite, owner: str, if_match: str | None
    ) -> StoredProfile:
        headers = _as(owner, **{"if-match": if_match})
        return _stored(
            await self.transport.request("PUT", f"/profiles/{profile_id}", json=body, headers=headers)
        )

    async def delete_profile(self, profile_id: str, owner: str, if_match: str | None) -> None:
        headers = _as(owner, **{"if-match": if_match})
        await self.transport.request("DELETE", f"/profiles/{profile_id}", headers=headers)

    async def history(
        self, profile_id: str, owner: str, limit: int, before: int | None = None
    ) -> AssessmentList:
        """A page of a profile's assessments, newest first."""
        params = {"limit": limit} if before is None else {"limit": limit, "before": before}
        answer = await self.transport.request(
            "GET", f"/profiles/{profile_id}/assessments", params=params, headers=_as(owner)
        )
        page = _history.decode(answer.content)
        if page.next_cursor is None and page.next_before is not None:  # a profile service before 1.3.0
            page = msgspec.structs.replace(page, next_cursor=str(page.next_before))
        return page

    # accounts
    async def create_user(self, body: NewUser) -> User:
        return _user.decode((await self.transport.request("POST", "/users", json=body)).content)

    async def authenticate(self, body: LoginAttempt) -> User:
        """Check a password (the profile service audits the attempt itself)."""
        return _user.decode((await self.transport.request("POST", "/users/authenticate", json=body)).content)

    async def user(self, user_id: str) -> User:
        return _user.decode((await self.transport.request("GET", f"/users/{user_id}")).content)

    async def delete_user(self, user_id: str) -> None:
        await self.transport.request("DELETE", f"/users/{user_id}")

    async def ask_password_reset(self, body: ResetAsk) -> None:
        """Mail a reset link if an account uses the address (the same answer if none does)."""
        await self.transport.request("POST", "/users/password-reset", json=body)

    async def reset_password(self, body: ResetUse) -> User:
        """Spend the token and set the new password: the user whose password it was (422 naming
        ``token`` or ``password``)."""
        answer = await self.transport.request("POST", "/users/password-reset/confirm", json=body)
        return _user.decode(answer.content)

    # partner API keys
    async def issue_key(self, body: ApiKeyCreate, owner: str) -> ApiKeyIssued:
        answer = await self.transport.request("POST", "/keys", json=body, headers={OWNER_HEADER: owner})
        return _issued.decode(answer.content)

    async def keys(self, limit: int, offset: int) -> list[ApiKey]:
        answer = await self.transport.request("GET", "/keys", params={"limit": limit, "offset": offset})
        return _keys.decode(answer.content)

    async def key(self, key_id: str) -> ApiKey:
        """One key (404 when unknown), never its secret."""
        return _key.decode((await self.transport.request("GET", f"/keys/{key_id}")).content)

    async def rotate_key(self, key_id: str) -> RotatedKey:
        """Issue the key's one successor; the key works until the end of its grace period (401 when it
        no longer works, 409 when already rotated or while its own predecessor is in its grace period)."""
        return _rotated.decode((await self.transport.request("POST", f"/keys/{key_id}/rotate")).content)

    async def revoke_key(self, key_id: str) -> RevokedKey:
        return _revoked.decode((await self.transport.request("DELETE", f"/keys/{key_id}")).content)

    async def check_key_json(self, key: str) -> bytes:
        """The key's ``ApiKey`` as the profile service's JSON bytes (the gateway caches them as-is)."""
        return (await self.transport.request("POST", "/keys/check", json=KeyCheck(key=key))).content

    async def add_key_usage(self, usage: dict[str, int]) -> None:
        await self.transport.request("POST", "/keys/usage", json=usage)

    # audit log
    async def audit(self, event: AuditEvent) -> None:
        await self.transport.request("POST", "/audit", json=event)

    async def audit_log(self, limit: int, offset: int, action: str | None = None) -> list[AuditEntry]:
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if action:
            params["action"] = action
        return _audit.decode((await self.transport.request("GET", "/audit", params=params)).content)

    # market refresh runs
    async def start_refresh(self, body: RefreshRequest) -> RefreshRun:
        """Queue a refresh, or get the one already queued or running."""
        return _run.decode((await self.transport.request("POST", "/market/runs/", json=body)).content)

    async def refresh_runs(self, limit: int, before: str | None = None) -> RefreshRunList:
        params: dict[str, Any] = {"limit": limit, **({"before": before} if before else {})}
        page = _runs.decode((await self.transport.request("GET", "/market/runs/", params=params)).content)
        if page.next_cursor is None and page.next_before is not None:  # a profile service before 1.3.0
            page = msgspec.structs.replace(page, next_cursor=page.next_before)
        return page

    async def refresh_run(self, run_id: str) -> RefreshRun:
        return _run.decode((await self.transport.request("GET", f"/market/runs/{run_id}")).content)
