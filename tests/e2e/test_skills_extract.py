"""`POST /api/v1/skills/extract` through the real gateway: skills with their words and offsets, suggested
levels, negations left out; the callers it takes and refuses; every bad version of `text`."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.helpers import partner

PATH = "/api/v1/skills/extract"
CV = (
    "Backend developer. 5 years of Python and PostgreSQL, basic Go.\n"
    "No Kubernetes experience; I'd like to learn Rust. JavaScript, not Java.\n"
    "A real go-getter 🚀 with Docker (advanced)."
)


def _field(answer: httpx.Response) -> list[str]:
    return [e["field"] for e in answer.json()["errors"]]


def test_skills_words_offsets_and_levels(api: httpx.Client) -> None:
    answer = api.post(PATH, json={"text": CV})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    found = {s["skill"]: s for s in body["skills"]}
    assert set(found) == {"python", "postgresql", "go", "javascript", "docker"}
    assert body["levels"] == {"python": 3, "postgresql": 3, "go": 1, "javascript": 2, "docker": 3}
    assert found["python"]["level_basis"] == "years" and found["python"]["level_cue"]["text"] == "5 years"
    assert found["go"]["level_cue"]["text"] == "basic" and found["javascript"]["level_basis"] == "default"
    assert found["javascript"]["level_cue"] is None
    for skill in body["skills"]:
        for words in skill["matches"]:
            assert CV[words["start"] : words["end"]] == words["text"]
    # after the emoji (two UTF-16 code units), the UTF-16 offsets are one more than the code-point ones
    docker = found["docker"]["matches"][0]
    assert docker["text"] == "Docker" and docker["utf16_start"] == docker["start"] + 1
    utf16 = CV.encode("utf-16-le")
    assert utf16[docker["utf16_start"] * 2 : docker["utf16_end"] * 2].decode("utf-16-le") == "Docker"
    ignored = {(i["skill"], i["reason"], i["cue"]["text"]) for i in body["ignored"]}
    assert ignored == {
        ("kubernetes", "negated", "No"),
        ("rust", "wanted", "like to learn"),
        ("java", "negated", "not"),
    }
    assert [s["skill"] for s in body["skills"]] == ["python", "postgresql", "go", "javascript", "docker"]


def test_partner_with_the_scope_may_and_others_may_not(
    partner_api: httpx.Client, admin_api: httpx.Client, anon: httpx.Client, stack
) -> None:  # type: ignore[no-untyped-def]
    assert partner_api.post(PATH, json={"text": "Golang and Postgres"}).json()["levels"] == {
        "go": 2,
        "postgresql": 2,
    }
    market_only, _ = partner(stack.url, admin_api, ["market:read"])
    with market_only:
        assert market_only.post(PATH, json={"text": "Python"}).status_code == 403
    visitor = anon.post(PATH, json={"text": "Python"})  # a visitor pastes a CV before signing up
    assert visitor.status_code == 200 and visitor.json()["levels"] == {"python": 2}
    assert visitor.headers["RateLimit-Limit"]  # counted in the anonymous per-IP limit


def test_text_with_no_skill_is_an_empty_answer(api: httpx.Client) -> None:
    body = api.post(PATH, json={"text": "I go to the market and rest; a real go-getter."}).json()
    assert body == {"skills": [], "levels": {}, "ignored": []}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": ""}, 422, "unprocessable"),
        ({"text": " \n\t  "}, 422, "unprocessable"),
        ({"text": "Python\u0000Go"}, 422, "unprocessable"),
        ({"text": "Python \u001b[31m"}, 422, "unprocessable"),
        ({"text": "x" * 50_001}, 413, "payload_too_large"),
        ({"text": "é" * 25_001}, 413, "payload_too_large"),  # 25,001 characters, 50,002 bytes
        ({"text": 42}, 400, "validation_error"),
        ({"text": ["Python"]}, 400, "validation_error"),
        ({"text": None}, 400, "validation_error"),
        ({}, 400, "validation_error"),
    ],
)
def test_bad_text_is_refused_naming_it(api: httpx.Client, body: dict, status: int, code: str) -> None:
    answer = api.post(PATH, json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == code and _field(answer) == ["text"]
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_unknown_field_and_raw_bytes_are_refused_naming_the_field(api: httpx.Client) -> None:
    extra = api.post(PATH, json={"text": "Python", "store": True})
    assert extra.status_code == 400 and _field(extra) == ["store"]
    headers = {"content-type": "application/json"}
    latin1 = api.post(PATH, content=b'{"text": "Caf\xe9 Python"}', headers=headers)
    assert latin1.status_code == 400 and _field(latin1) == ["text"], latin1.text
    assert "UTF-8" in latin1.json()["errors"][0]["message"]
    surrogate = api.post(PATH, content=b'{"text": "Python \\ud800"}', headers=headers)
    assert 400 <= surrogate.status_code < 500 and surrogate.status_code != 413, surrogate.text
    exactly = api.post(PATH, json={"text": "Python " + "x" * (50_000 - 7)})
    assert exactly.status_code == 200 and exactly.json()["levels"] == {"python": 2}
