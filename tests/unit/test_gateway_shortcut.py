"""services/gateway/shortcut.py: the recommendation and the profile read answered from the
``before_request`` hook give what Litestar's own way gave, byte for byte.

The gateway's routes (their guards, handlers, exception handlers) are served twice, with the former hook
(``strict_body``, which never answers, so every request goes through Litestar's parameters and the
handler; the profile read as it was: the profile decoded, then encoded again by Litestar) and with the
gateway's hook now; the upstream services are recording fakes. Random and odd requests (bad bodies,
whole floats, repeated keys, a pinned market version, unknown profiles) must get the same status,
headers and body from both, and the fakes the same calls.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest
from litestar import Controller, Litestar, Request, Response
from litestar.params import FromPath
from litestar.testing import TestClient
from litestar.types import ASGIApp, Receive, Scope, Send

from services.gateway import shortcut
from services.gateway.auth import Principal, PrincipalRequest, user_guard
from services.gateway.bodies import strict_body
from services.gateway.clients import UpstreamError
from services.gateway.deps import ProfilesDep
from services.gateway.guarded import get
from services.gateway.routes.profiles import ProfileRoutes
from services.gateway.routes.recommendations import RecommendationRoutes
from shared.clients.profile import OWNER_HEADER, ProfileClient, StoredProfile
from shared.clients.recommender import RecommenderClient
from shared.contracts.common import SkillId
from shared.contracts.profiles import Profile
from shared.serving import DirectJSON
from shared.web.errors import exception_handlers

SKILLS = list(SkillId.__args__)
OWNER = str(uuid4())
litestar_encode = msgspec.json.Encoder(enc_hook=str).encode  # as the profile service's Litestar writes


class Answer(msgspec.Struct):
    status_code: int
    content: bytes
    headers: dict[str, str]


class Fake:
    """Both upstream services: records each call, answers from what it was sent."""

    def __init__(self, profiles: dict[str, bytes]) -> None:
        self.calls: list[tuple[str, str, bytes, dict[str, str] | None]] = []
        self.profiles = profiles

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Answer:
        sent = msgspec.json.encode(json) if json is not None else b""
        self.calls.append((method, path, sent, headers))
        if path.startswith("/profiles/"):
            profile_id = path.rsplit("/", 1)[1]
            body = self.profiles.get(profile_id)
            if body is None or (headers or {}).get(OWNER_HEADER) != OWNER:
                problem = b'{"status":404,"detail":"profile not found","instance":"%s"}' % path.encode()
                raise UpstreamError(404, problem, {})
            version = msgspec.json.decode(body)["version"]
            return Answer(200, body, {"etag": f'"{version}"'})
        if len(sent) % 7 == 0:  # now and then the recommender is unavailable
            raise UpstreamError(503, b'{"status":503,"detail":"busy"}', {"retry-after": "2"})
        return Answer(200, b'{"echo":' + sent + b',"n":%d}' % len(self.calls), {})


def _as(principal: Principal) -> Any:
    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            scope["user"] = principal
            await app(scope, receive, send)

        return middleware

    return factory


class FormerProfileRead(Controller):
    """The profile read as it was before the shortcut: the profile decoded, then encoded by Litestar."""

    path = "/former/profiles"
    guards = [user_guard]

    @get("/{profile_id:uuid}")
    async def read(
        self, request: PrincipalRequest, profiles: ProfilesDep, profile_id: FromPath[UUID]
    ) -> Response[Profile]:
        stored: StoredProfile = await profiles.profile(str(profile_id), request.user.id)
        headers = {"ETag": stored.etag} if stored.etag is not None else None
        return Response(stored.profile, status_code=stored.status_code, headers=headers)


def _app(hook: Any, fake: Fake, principal: Principal) -> Litestar:
    from litestar.di import Provide

    def recommender() -> RecommenderClient:
        return RecommenderClient(fake)

    def profiles() -> ProfileClient:
        return ProfileClient(fake)

    def on_upstream(request: Request[Any, Any, Any], exc: UpstreamError) -> Response[bytes]:
        return exc.to_response(request.scope["path"])

    return Litestar(
        [RecommendationRoutes, ProfileRoutes, FormerProfileRead],
        dependencies={
            "recommender": Provide(recommender, sync_to_thread=False),
            "profiles": Provide(profiles, sync_to_thread=False),
        },
        middleware=[_as(principal)],
        exception_handlers={**exception_handlers(), UpstreamError: on_upstream},
        before_request=hook,
        logging_config=None,
        openapi_config=None,
        debug=False,
    )


def _bodies(rng: random.Random) -> list[tuple[bytes, dict[str, str]]]:
    out: list[tuple[bytes, dict[str, str]]] = []
    for _ in range(300):
        body: dict[str, Any] = {
            "skills": {rng.choice(SKILLS): rng.randint(0, 4) for _ in range(rng.randint(0, 10))}
        }
        if rng.random() < 0.7:
            body["years_experience"] = rng.choice([0, 3, 2.5, 7.0, 60, rng.uniform(0, 60)])
        if rng.random() < 0.5:
            body["top"] = rng.randint(1, 50)
        if rng.random() < 0.3:
            body["learning_plan"] = rng.random() < 0.5
        if rng.random() < 0.2:
            body["target_role"] = rng.choice([None, "backend-developer", "data-engineer"])
        odd = rng.random()
        if odd < 0.05:
            body["years_experience"] = "3"  # a string: refused, not coerced
        elif odd < 0.10:
            body["top"] = 3.0  # a whole float: taken as 3 (Litestar's way, not the shortcut's)
        elif odd < 0.13:
            body["top"] = 0
        elif odd < 0.16:
            body["skills"] = {"not-a-skill": 2}
        elif odd < 0.19:
            body["surprise"] = True
        elif odd < 0.22:
            body["skills"] = {rng.choice(SKILLS): 5}
        elif odd < 0.24:
            body["target_role"] = "astronaut"
        raw = msgspec.json.encode(body)
        if rng.random() < 0.04:
            raw = raw[:-1] + b',"top":2}'  # a repeated key, maybe
        headers = {"content-type": "application/json"}
        pin = rng.random()
        if pin < 0.05:
            headers["Careerpath-Market-Version"] = "not a version"
        elif pin < 0.10:
            headers["careerpath-market-version"] = "20261130T070713Z-451d327f"
        out.append((raw, headers))
    out += [
        (b"", {"content-type": "application/json"}),
        (b"{", {"content-type": "application/json"}),
        (b"[]", {"content-type": "application/json"}),
        (b"null", {"content-type": "application/json"}),
        (b'{"skills": {}}', {"content-type": "application/json"}),
        (b'{"skills": {"python": 3}, "top": 1e0}', {"content-type": "application/json"}),
        (b'{"skills": {"python": 3, "python": 2}}', {"content-type": "application/json"}),
        (b'{"skills": {"py\\u0074hon": 3}}', {"content-type": "application/json"}),
    ]
    return out


def _answer(response: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    return response.status_code, sorted(response.headers.multi_items()), response.content


@pytest.mark.parametrize("seed", [1, 2])
def test_recommendations_answered_from_the_hook_are_the_handlers(seed: int) -> None:
    partner = Principal(kind="partner", id="k1", role="partner", scopes=frozenset({"recommendations:write"}))
    bodies = _bodies(random.Random(seed))
    results = []
    for hook in (strict_body, shortcut.before_request):
        fake = Fake({})
        with TestClient(_app(hook, fake, partner)) as client:
            answers = [
                _answer(client.post("/api/v1/recommendations", content=raw, headers=headers))
                for raw, headers in bodies
            ]
        results.append((answers, fake.calls))
    assert results[0] == results[1]
    statuses = {status for status, _, _ in results[1][0]}
    assert {200, 400, 503} <= statuses  # the usual answer, refusals and an upstream failure were compared
    assert len(results[1][1]) > 200


def test_recommendations_refused_by_the_guard_never_reach_the_hook() -> None:
    nobody = Principal(kind="partner", id="k2", role="partner", scopes=frozenset())
    for hook in (strict_body, shortcut.before_request):
        fake = Fake({})
        with TestClient(_app(hook, fake, nobody)) as client:
            answer = client.post("/api/v1/recommendations", json={"skills": {"python": 3}})
        assert answer.status_code == 403 and fake.calls == []


def _profile(rng: random.Random, profile_id: str) -> Profile:
    created = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.uniform(0, 3e7))
    micro = rng.choice([0, rng.randint(1, 999_999)])
    return msgspec.convert(
        {
            "id": profile_id,
            "display_name": rng.choice(["Ada", "Zoë Łukasz", "名前", 'quote " and \\ back', "x" * 60]),
            "skills": {rng.choice(SKILLS): rng.randint(1, 4) for _ in range(rng.randint(0, 20))},
            "years_experience": rng.choice([0.0, 4.0, 2.5, 1e-7, 59.999, rng.uniform(0, 60)]),
            "target_role": rng.choice([None, "backend-developer"]),
            "version": rng.randint(1, 10**6),
            "created_at": created.replace(microsecond=micro),
            "updated_at": created + timedelta(microseconds=rng.randint(0, 10**9)),
        },
        Profile,
    )


def test_a_profile_read_passes_the_services_bytes_on_as_litestar_encoded_the_profile() -> None:
    rng = random.Random(5)
    ids = [str(uuid4()) for _ in range(200)]
    stored = {pid: litestar_encode(_profile(rng, pid)) for pid in ids}
    user = Principal(kind="user", id=OWNER, role="user")
    fake = Fake(stored)
    unknown = [str(uuid4()) for _ in range(5)]
    with TestClient(_app(shortcut.before_request, fake, user)) as client:
        for pid in [*ids, *unknown]:
            now = client.get(f"/api/v1/profiles/{pid}")
            former = client.get(f"/former/profiles/{pid}")
            assert now.status_code == former.status_code == (200 if pid in stored else 404)
            assert now.headers.multi_items() == former.headers.multi_items()
            if pid in stored:
                assert now.content == former.content == stored[pid]
                assert now.headers["etag"] == f'"{msgspec.json.decode(stored[pid])["version"]}"'
            else:
                assert now.json()["instance"] == f"/api/v1/profiles/{pid}"
    reads = [call for call in fake.calls if call[0] == "GET"]
    assert reads[0::2] == reads[1::2]  # the same call to the profile service, both ways


def test_other_users_and_malformed_ids_are_answered_as_before() -> None:
    rng = random.Random(6)
    pid = str(uuid4())
    stranger = Principal(kind="user", id=str(uuid4()), role="user")
    fake = Fake({pid: litestar_encode(_profile(rng, pid))})
    with TestClient(_app(shortcut.before_request, fake, stranger)) as client:
        now, former = client.get(f"/api/v1/profiles/{pid}"), client.get(f"/former/profiles/{pid}")
        assert now.status_code == former.status_code == 404
        assert now.content.replace(b"/api/v1/", b"/former/") == former.content
        assert client.get("/api/v1/profiles/not-a-uuid").status_code == 404  # no route, as before


class Odd:
    """A type msgspec does not encode (a route's type encoders may)."""


async def _messages(answer: Any) -> list[Any]:
    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {"type": "http.disconnect"}

    await answer({"type": "http"}, receive, send)
    return sent


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_direct_json_sends_what_litestars_response_sends(seed: int) -> None:
    from litestar import MediaType
    from litestar.datastructures import Cookie

    rng = random.Random(seed)
    for _ in range(300):
        content = rng.choice(
            [
                b"{}",
                b'{"a":1}',
                b"[" + b"1," * rng.randint(0, 5000) + b"1]",
                b"",
                _profile(rng, str(uuid4())),  # a Struct, as the profile service answers
                {"é": [1.5, None, True], "when": datetime(2026, 11, 30, tzinfo=UTC)},
                "text",
                None,
                UUID(int=rng.getrandbits(128)),
                {1, 2},  # not JSON: Litestar's error either way
                {"odd": Odd()},  # encoded by a route's type encoder, when it has one
            ]
        )
        encoders = rng.choice([None, {}, {Odd: lambda odd: "odd"}])
        status = rng.choice([None, 200, 201, 202])
        headers = rng.choice(
            [None, {"ETag": f'"{rng.randint(1, 99)}"'}, {"Deprecation": "@1796083200", "X-Other": "é"}]
        )
        layer = rng.choice([{}, {}, {"X-Layer": "1"}])
        cookies = rng.choice([[], [], [Cookie(key="k", value="v")]])
        route_status = rng.choice([200, 201])
        head = rng.random() < 0.05 and not content
        deprecated = rng.random() < 0.1  # as the batch route adds its header
        both = []
        for kind in (Response, DirectJSON):
            if kind is Response:
                answer = Response(content, status_code=status, headers=headers, media_type=MediaType.JSON)
            else:
                answer = DirectJSON(content, status_code=status, headers=headers)
            if deprecated:
                answer.headers.update({"Deprecation": "@1796083200"})
            try:
                asgi = answer.to_asgi_response(
                    app=None,
                    request=None,  # type: ignore[arg-type]
                    background=None,
                    cookies=cookies,
                    headers=layer,
                    is_head_response=head,
                    media_type="application/json",
                    status_code=route_status,
                    type_encoders=encoders,
                )
            except Exception as exc:  # noqa: BLE001 - the same failure both ways
                both.append([type(exc).__name__, str(exc)])
                continue
            both.append(await _messages(asgi))
        assert both[0] == both[1]
