"""A service that is down: the gateway answers 503 naming it, within its timeout; the rest keeps working."""

from __future__ import annotations

from tests.e2e.conftest import E2E_ENV
from tests.e2e.helpers import sign_up
from tests.faults.load import server_seconds
from tools.supervisor.stack import Stack

BODY = {"display_name": "Down", "skills": {"python": 2}}


def test_gateway_names_the_missing_dependency(infra, tmp_path) -> None:  # type: ignore[no-untyped-def]
    stack = Stack(env=infra.env(CAREERPATH_UPSTREAM_TIMEOUT="1.5", **E2E_ENV), log_dir=tmp_path).start()
    try:
        api = sign_up(stack.url)
        if True:
            created = api.post("/api/v1/profiles", json=BODY).json()
            stack.services["recommender"].kill()
            answer = api.post("/api/v1/recommendations", json={"skills": {"python": 2}})
            assert answer.status_code == 503
            assert "recommender" in answer.json()["detail"]
            assert answer.headers["retry-after"]
            held = server_seconds(answer)  # the gateway's own time: its 1.5 s timeout + 0.5 s margin
            assert held is not None and held < 2.0, held
            assert (
                api.get(f"/api/v1/profiles/{created['id']}").status_code == 200
            )  # profile routes still work
            ready = api.get("/readyz")
            assert ready.status_code == 503 and ready.json()["checks"]["recommender"] != "ok"

            stack.services["recommender"].start().wait_healthy()
            assert api.post("/api/v1/recommendations", json={"skills": {"python": 2}}).status_code == 200

            stack.services["profile"].kill()
            down = api.get(f"/api/v1/profiles/{created['id']}")
            assert down.status_code == 503 and "profile" in down.json()["detail"]
            assert api.post("/api/v1/recommendations", json={"skills": {"python": 2}}).status_code == 200
    finally:
        stack.stop()
