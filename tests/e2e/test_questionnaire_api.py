"""`POST /api/v1/questionnaire/next` through the gateway: the next question, the predicted ranking (the
items a recommendation gives for the same answers, in the predicted order, with the predicted figures), who
may call it, and the bad versions of every field (nothing is stored)."""

from __future__ import annotations

import httpx
import pytest

from shared.catalog import load_catalog

CATALOG = load_catalog()
PATH = "/api/v1/questionnaire/next"


def ask(client: httpx.Client, **body: object) -> dict:
    answer = client.post(PATH, json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_first_question_then_the_answers_change_the_ranking_like_a_recommendation(api: httpx.Client) -> None:
    first = ask(api, answers={}, years_experience=3)
    assert first["answered"] == 0 and first["remaining"] == len(CATALOG.skills)
    assert first["done"] is False and first["next_skill"] in CATALOG.skills
    question = first["question"]
    skill = CATALOG.skills[first["next_skill"]]
    assert question["skill"] == skill.id and question["name"] == skill.name
    assert question["category"] == skill.category and skill.name in question["why"]
    assert 0 <= question["change_chance"] <= 1 and 0 <= first["confidence"] <= 1
    answers = {"python": 3, "sql": 2, "kubernetes": 0, "docker": 2}
    body = ask(api, answers=answers, years_experience=3)
    assert body["answered"] == 4 and body["remaining"] == len(CATALOG.skills) - 4
    assert body["next_skill"] is None or body["next_skill"] not in answers
    recommended = api.post("/api/v1/recommendations", json={"skills": answers, "years_experience": 3}).json()
    # every item is the recommendation's for these answers (what a saved profile shows), in the predicted
    # order, with the predicted figures beside it
    items = {r["role"]: r for r in recommended["roles"]}
    assert sorted(r["role"] for r in body["roles"]) == sorted(items) and len(items) == len(CATALOG.roles)
    assert all(r == items[r["role"]] for r in body["roles"])
    assert body["model_version"] == recommended["model_version"]
    predicted = body["predicted"]
    assert [p["role"] for p in predicted] == [r["role"] for r in body["roles"]]
    assert sum(p["top3_chance"] for p in predicted) == pytest.approx(3, abs=1e-3)
    assert sum(p["top1_chance"] for p in predicted) == pytest.approx(1, abs=1e-3)
    assert 0 < body["confidence"] <= min(p["top3_chance"] for p in predicted[:3]) + 1e-4
    chances = [p["top3_chance"] for p in predicted]  # the three most likely in the full top three first
    assert min(chances[:3]) >= max(chances[3:]) and chances[3:] == sorted(chances[3:], reverse=True)
    top3 = ask(api, answers=answers, years_experience=3, top=3)
    assert [r["role"] for r in top3["roles"]] == [r["role"] for r in body["roles"][:3]]
    assert top3["predicted"] == predicted[:3]


def test_every_skill_answered_is_done(api: httpx.Client) -> None:
    body = ask(api, answers=dict.fromkeys(CATALOG.skills, 2), top=3)
    assert body["done"] is True and body["next_skill"] is None and body["question"] is None
    assert body["remaining"] == 0 and len(body["roles"]) == 3


def test_a_visitor_may_ask_limited_per_ip_and_a_partner_needs_the_scope(
    anon: httpx.Client, partner_api: httpx.Client
) -> None:
    visitor = anon.post(PATH, json={"answers": {}})  # the quick start works before signing up
    assert visitor.status_code == 200 and visitor.json()["next_skill"]
    assert visitor.headers["RateLimit-Limit"]  # counted in the anonymous per-IP limit
    assert partner_api.post(PATH, json={"answers": {"go": 3}}).status_code == 200


def test_a_category_question_then_ticks_count_at_the_assumed_level(api: httpx.Client) -> None:
    """`next_category` names a category's unanswered skills; ticks sent under `used` count as the level the
    years give (the same ranking as those levels sent under `answers`), the rest as 0; `next_level` is a
    ticked skill; a level sent for a ticked skill wins over the tick."""
    first = ask(api, answers={}, years_experience=4)
    category = first["next_category"]
    assert category and category["category"] in CATALOG.categories and first["assumed_level"] == 3
    members = [s for s in CATALOG.skill_ids if CATALOG.skills[s].category == category["category"]]
    assert category["skills"] == members and category["assumed_level"] == 3
    assert 0 <= category["change_chance"] <= 1 and category["information_gain"] >= 0 and category["why"]
    ticked, rest = members[:2], members[2:]
    body = ask(api, answers=dict.fromkeys(rest, 0), used=ticked, years_experience=4)
    assert body["answered"] == len(members) and body["remaining"] == len(CATALOG.skills) - len(members)
    assert body["next_category"] is None or body["next_category"]["category"] != category["category"]
    assert body["next_level"] is None or body["next_level"] in ticked
    same = ask(api, answers=dict.fromkeys(rest, 0) | dict.fromkeys(ticked, 3), years_experience=4)
    assert [r["role"] for r in body["roles"]] == [r["role"] for r in same["roles"]]
    assert body["predicted"] == same["predicted"] and body["confidence"] == same["confidence"]
    rated = ask(api, answers=dict.fromkeys(rest, 0) | {ticked[0]: 1}, used=ticked, years_experience=4)
    expected = ask(api, answers=dict.fromkeys(rest, 0) | {ticked[0]: 1, ticked[1]: 3}, years_experience=4)
    assert rated["roles"] == expected["roles"] and rated["next_level"] in (None, ticked[1])
    everything = ask(api, answers={}, used=list(CATALOG.skill_ids), years_experience=1, top=3)
    assert everything["done"] is True and everything["next_category"] is None
    assert everything["assumed_level"] == 2 and everything["remaining"] == 0


BAD_BODIES = [
    ({"answers": {"cobol-on-mars": 2}}, "answers.cobol-on-mars"),
    ({"answers": {"python": 5}}, "answers.python"),
    ({"answers": {"python": -1}}, "answers.python"),
    ({"answers": {"python": "three"}}, "answers.python"),
    ({"answers": {"python": 2.5}}, "answers.python"),
    ({"answers": [1, 2]}, "answers"),
    ({"answers": {}, "years_experience": -1}, "years_experience"),
    ({"answers": {}, "years_experience": 61}, "years_experience"),
    ({"answers": {}, "years_experience": "ten"}, "years_experience"),
    ({"answers": {}, "top": 0}, "top"),
    ({"answers": {}, "next": "python"}, "next"),
    ({"used": ["cobol-on-mars"]}, "used[0]"),
    ({"used": "python"}, "used"),
    ({"used": [{"python": 2}]}, "used[0]"),
    ({"used": ["python"] * 201}, "used"),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES)
def test_bad_bodies_name_the_field(api: httpx.Client, body: dict, field: str) -> None:
    answer = api.post(PATH, json=body)
    assert 400 <= answer.status_code < 500, answer.text
    error = answer.json()
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert error["status"] == answer.status_code and error["code"]
    assert any(e["field"] == field for e in error["errors"]), error["errors"]
