"""Look-alike and invisible text (issue 12, item 11), against the real gateway: copies of an existing
address (422) and invisible or blank display names (400) are refused naming the field, and nothing is
stored or changed; full-width forms are folded to the address they spell."""

from __future__ import annotations

import secrets

import asyncpg
import httpx
import pytest

from tests.e2e.helpers import PASSWORD, sign_up
from tools.supervisor.stack import Stack


async def _emails_like(infra, domain: str) -> list[str]:  # type: ignore[no-untyped-def]
    conn = await asyncpg.connect(infra.database_url)
    try:
        rows = await conn.fetch("SELECT email FROM users WHERE email LIKE $1 ORDER BY email", f"%{domain}")
        return [r["email"] for r in rows]
    finally:
        await conn.close()


def _refused(answer: httpx.Response, field: str) -> str:
    """A well-formed address refused as a look-alike is 422; a display name the contract refuses, 400."""
    assert answer.status_code == (422 if field == "email" else 400), answer.text
    body = answer.json()
    assert [e["field"] for e in body["errors"]] == [field], body
    return str(body["detail"])


async def test_copies_of_an_existing_address_are_refused(stack: Stack, anon: httpx.Client, infra) -> None:  # type: ignore[no-untyped-def]
    domain = f"t{secrets.token_hex(3)}.example"
    original = f"admin@{domain}"
    sign_up(stack.url, original).close()
    attacks = {
        "zero-width space": f"ad\u200bmin@{domain}",
        "right-to-left override": f"admin\u202e@{domain}",
        "word joiner in the domain": f"admin@{domain[:3]}\u2060{domain[3:]}",
        "Cyrillic a and i": f"\u0430dm\u0456n@{domain}",
        "Greek alpha in the domain": f"admin@{domain}".replace("example", "ex\u03b1mple"),
        "Cyrillic copy of the domain label": f"admin@{domain.split('.')[0]}.\u0435x\u0430mple",
        "r and n for m": f"adrnin@{domain}",
    }
    for what, email in attacks.items():
        answer = anon.post("/api/v1/auth/signup", json={"email": email, "password": PASSWORD})
        detail = _refused(answer, "email")
        assert "e-mail address" in detail, what
    assert await _emails_like(infra, domain) == [original]


async def test_a_look_alike_in_one_script_is_refused_by_its_skeleton(
    stack: Stack, anon: httpx.Client, infra
) -> None:  # type: ignore[no-untyped-def]
    domain = f"t{secrets.token_hex(3)}.example"
    sign_up(stack.url, f"coco@{domain}").close()
    cyrillic = f"\u0441\u043e\u0441\u043e@{domain}"  # all four letters Cyrillic: one script, same look
    answer = anon.post("/api/v1/auth/signup", json={"email": cyrillic, "password": PASSWORD})
    assert "looks like an existing account" in _refused(answer, "email")
    assert await _emails_like(infra, domain) == [f"coco@{domain}"]


async def test_full_width_forms_are_the_address_they_spell(stack: Stack, anon: httpx.Client, infra) -> None:  # type: ignore[no-untyped-def]
    domain = f"t{secrets.token_hex(3)}.example"
    wide = "\uff21\uff44\uff41"  # ＡＤＡ in full-width letters
    created = anon.post("/api/v1/auth/signup", json={"email": f"{wide}@{domain}", "password": PASSWORD})
    assert created.status_code == 201, created.text
    assert created.json()["user"]["email"] == f"ada@{domain}"
    again = httpx.post(
        stack.url + "/api/v1/auth/signup", json={"email": f"ADA@{domain}", "password": PASSWORD}
    )
    assert again.status_code == 409
    login = httpx.post(
        stack.url + "/api/v1/auth/login", json={"email": f"{wide}@{domain}", "password": PASSWORD}
    )
    assert login.status_code == 200 and login.json()["user"]["id"] == created.json()["user"]["id"]
    assert await _emails_like(infra, domain) == [f"ada@{domain}"]


BAD_NAMES = {
    "zero-width space": "\u200b",
    "hangul filler": "\u3164",
    "braille blank": "\u2800",
    "spaces": "   ",
    "right-to-left override": "Ada\u202eecnalG",
    "control character": "Ada\u0007",
    "byte order mark": "\ufeffAda",
}


@pytest.mark.parametrize("what", sorted(BAD_NAMES))
def test_invisible_or_blank_display_names_are_refused(stack: Stack, what: str) -> None:
    user = sign_up(stack.url)
    body = {"display_name": BAD_NAMES[what], "skills": {"python": 2}}
    _refused(user.put("/api/v1/me/profile", json=body), "display_name")
    assert user.get("/api/v1/me/profile").status_code == 404  # nothing created
    assert user.post("/api/v1/profiles", json=body).status_code == 400
    saved = user.put("/api/v1/me/profile", json={**body, "display_name": "Ada"})
    assert saved.status_code == 201, saved.text
    etag = saved.headers["etag"]
    _refused(user.put("/api/v1/me/profile", json=body, headers={"If-Match": etag}), "display_name")
    kept = user.get("/api/v1/me/profile")
    assert kept.json()["display_name"] == "Ada" and kept.headers["etag"] == etag  # nothing changed


def test_display_names_are_stored_in_nfkc(stack: Stack) -> None:
    user = sign_up(stack.url)
    saved = user.put(
        "/api/v1/me/profile",
        json={"display_name": "\uff21\uff44\uff41 \U0001f469\u200d\U0001f4bb", "skills": {}},
    )
    assert saved.status_code == 201, saved.text
    assert user.get("/api/v1/me/profile").json()["display_name"] == "Ada \U0001f469\u200d\U0001f4bb"
