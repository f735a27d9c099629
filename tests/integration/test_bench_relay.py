"""The benchmark's two-hop floor (tools/bench/relay.py), started as the bench starts it: a request goes
through both apps and one Redis call and comes back as the upstream's fixed answer; a body the upstream
refuses comes back refused; the answer has a recommendation's size."""

from __future__ import annotations

import json

import httpx
import msgspec

from tools.bench.relay import ANSWER_BYTES, FRONT_PATH, answer_body, relay_floor


def test_answer_body_is_json_of_the_asked_size() -> None:
    for size in (1_000, 5_000, ANSWER_BYTES):
        body = answer_body(size)
        assert len(body) == size
        assert len(msgspec.json.decode(body)["roles"]) == 3


def test_the_floor_relays_through_both_apps() -> None:
    with relay_floor() as (port, pids):
        assert set(pids) == {"floor front", "floor upstream", "floor redis"}
        url = f"http://127.0.0.1:{port}{FRONT_PATH}"
        asked = {"skills": {"python": 3, "sql": 2}, "years_experience": 3, "top": 3}
        with httpx.Client(timeout=10) as client:
            for _ in range(3):  # the upstream connection is kept and used again
                answer = client.post(url, content=json.dumps(asked))
                assert answer.status_code == 200, answer.text
                assert answer.content == answer_body()
            refused = client.post(url, content=json.dumps({"skills": {"python": "x"}}))
            assert refused.status_code == 400  # the upstream reads the body strictly; its refusal comes back
            assert "skills" in refused.text
