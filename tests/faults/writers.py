"""Profile writers for the PostgreSQL faults: users updating their profiles (If-Match) and creating new ones
(Idempotency-Key, retried until answered), every acknowledged write remembered so it can be read back."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import httpx

from tests.e2e.helpers import sign_up

__all__ = ["ProfileWriters", "session_headers"]


def session_headers(client: httpx.Client) -> dict[str, str]:
    """The headers a signed-in browser sends: its session cookie and CSRF token."""
    return {
        "Cookie": f"cp_session={client.cookies['cp_session']}",
        "X-CSRF-Token": client.headers["X-CSRF-Token"],
    }


def body(i: int) -> dict:
    """Write number ``i``: its skills and years tell it apart from the writes around it."""
    return {
        "display_name": f"write {i}",
        "skills": {"python": i % 4 + 1, "go": i // 4 % 4 + 1, "sql": i // 16 % 4 + 1},
        "years_experience": i % 500 / 10,
    }


@dataclass
class Account:
    headers: dict[str, str]
    profile_id: str | None = None
    etag: str | None = None
    busy: bool = False
    idempotency_key: str = field(default_factory=lambda: secrets.token_hex(16))


@dataclass
class ProfileWriters:
    """``updaters`` users with a profile each, and ``creators`` users who create theirs under load."""

    base_url: str
    updaters: list[Account] = field(default_factory=list)
    pending: list[Account] = field(default_factory=list)
    acked_updates: list[tuple[Account, int, dict]] = field(default_factory=list)
    acked_creates: dict[str, tuple[Account, str]] = field(default_factory=dict)  # key -> (account, id)
    conflicts: list[httpx.Response] = field(default_factory=list)

    def sign_up(self, updaters: int, creators: int) -> ProfileWriters:
        for n in range(updaters + creators):
            client = sign_up(self.base_url)
            account = Account(session_headers(client))
            if n < updaters:
                made = client.post("/api/v1/profiles", json=body(0))
                assert made.status_code == 201, made.text
                account.profile_id, account.etag = made.json()["id"], made.headers["etag"]
                self.updaters.append(account)
            else:
                self.pending.append(account)
            client.close()
        return self

    async def send(self, http: httpx.AsyncClient, i: int) -> httpx.Response:
        """Every fourth tick creates a pending profile; the others update one (or read it, if busy)."""
        if i % 4 == 3 and self.pending:
            return await self._create(http, i, self.pending.pop(0))
        account = self.updaters[i % len(self.updaters)]
        if account.busy:
            return await http.get(f"/api/v1/profiles/{account.profile_id}", headers=account.headers)
        account.busy = True
        try:
            return await self._update(http, i, account)
        finally:
            account.busy = False

    async def _create(self, http: httpx.AsyncClient, i: int, account: Account) -> httpx.Response:
        try:
            answer = await http.post(
                "/api/v1/profiles",
                json=body(i),
                headers={**account.headers, "Idempotency-Key": account.idempotency_key},
            )
        except httpx.HTTPError:
            self.pending.append(account)  # the client retries later with the same key
            raise
        if answer.status_code in (200, 201):
            self.acked_creates[account.idempotency_key] = (account, answer.json()["id"])
        elif answer.status_code >= 500:
            self.pending.append(account)
        else:
            self.conflicts.append(answer)
        return answer

    async def _update(self, http: httpx.AsyncClient, i: int, account: Account) -> httpx.Response:
        sent = body(i)
        answer = await http.put(
            f"/api/v1/profiles/{account.profile_id}",
            json=sent,
            headers={**account.headers, "If-Match": account.etag or '"1"'},
        )
        if answer.status_code == 200:
            account.etag = answer.headers["etag"]
            self.acked_updates.append((account, answer.json()["version"], sent))
        elif answer.status_code == 412:  # an earlier write answered 503 had committed after all
            account.etag = answer.headers["etag"]
        return answer

    def lost_writes(self, client: httpx.Client) -> list[str]:
        """Every acknowledged write read back afterwards; what is missing or different."""
        lost: list[str] = []
        history: dict[str, dict[int, dict]] = {}
        for account in self.updaters:
            answer = client.get(
                f"/api/v1/profiles/{account.profile_id}/assessments",
                params={"limit": 200},
                headers=account.headers,
            )
            assert answer.status_code == 200, answer.text
            history[account.profile_id or ""] = {a["version"]: a for a in answer.json()["assessments"]}
        for account, version, sent in self.acked_updates:
            # a save that left skills and years as they were adds no assessment: the one in force at a
            # version is the newest at or before it
            kept = history[account.profile_id or ""]
            got = kept.get(max((v for v in kept if v <= version), default=0))
            if (
                got is None
                or got["skills"] != sent["skills"]
                or abs(got["years_experience"] - sent["years_experience"]) > 1e-3
            ):
                lost.append(f"{account.profile_id} v{version}: sent {sent}, stored {got}")
        for key, (account, profile_id) in self.acked_creates.items():
            mine = client.get("/api/v1/me/profile", headers=account.headers)
            if mine.status_code != 200 or mine.json()["id"] != profile_id:
                lost.append(
                    f"create {key}: acknowledged {profile_id}, now {mine.status_code} {mine.text[:200]}"
                )
        return lost
