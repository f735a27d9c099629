"""Issue 12 at the edge, attack by attack, against real processes: each test sends the attack, checks the
answer, and checks that nothing changed behind it (no account, no session, no look-up, no memory)."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.helpers import PASSWORD, partner, sign_up
from tools.embedded import free_port, wait_for_port
from tools.supervisor.stack import ServiceProcess, Stack

SECURITY = {"x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "same-origin"}


def _gateway(stack: Stack, infra, tmp_path: Path, name: str, **env: str) -> ServiceProcess:  # type: ignore[no-untyped-def]
    """One more gateway on the stack's profile and recommender, with its own Redis prefix and settings."""
    settings = infra.env(
        **{
            "CAREERPATH_REDIS_PREFIX": f"{infra.redis_prefix}{name}-{secrets.token_hex(3)}:",
            "CAREERPATH_PROFILE_URL": stack.services["profile"].url,
            "CAREERPATH_RECOMMENDER_URL": stack.services["recommender"].url,
            "CAREERPATH_LOGIN_RATE_PER_MINUTE": "10000",
            "CAREERPATH_ANONYMOUS_RATE_PER_MINUTE": "100000",
            **env,
        }
    )
    gateway = ServiceProcess("gateway", free_port(), settings, tmp_path / f"{name}.log").start()
    gateway.wait_healthy()
    return gateway


@pytest.fixture
def gateways(stack: Stack, infra, tmp_path: Path) -> Iterator[list[ServiceProcess]]:  # type: ignore[no-untyped-def]
    started: list[ServiceProcess] = []

    def start(name: str, **env: str) -> ServiceProcess:
        started.append(_gateway(stack, infra, tmp_path, name, **env))
        return started[-1]

    yield start  # type: ignore[misc]
    for gateway in started:
        gateway.stop()


def _fresh_window(seconds: int, room: float) -> None:
    """Start at the beginning of a fixed window, so ``room`` seconds of attempts do not straddle two."""
    if time.time() % seconds > seconds - room:
        time.sleep(seconds - time.time() % seconds + 0.05)


def _key_checks(stack: Stack) -> int:
    """How many API-key look-ups the profile service has answered (its access log lines)."""
    log = stack.services["profile"].log_path
    assert log is not None
    return log.read_text(errors="replace").count('"POST /keys/check ')


# item 3: invalid API keys are limited per IP, before the profile service is asked ----------------------
def test_invalid_api_keys_are_limited_per_ip_before_any_lookup(
    stack: Stack, admin_api: httpx.Client, gateways
) -> None:  # type: ignore[no-untyped-def]
    gateway = gateways("badkeys", CAREERPATH_FAILED_KEY_RATE_PER_MINUTE="5")
    good, _ = partner(gateway.url, admin_api, ["market:read"])
    _fresh_window(60, 20)
    assert good.get("/api/v1/market").status_code == 200  # cached from now on
    before = _key_checks(stack)
    statuses = []
    with httpx.Client(base_url=gateway.url, timeout=15.0) as attacker:
        for _ in range(200):
            answer = attacker.get(
                "/api/v1/market", headers={"Authorization": f"Bearer cpk_{secrets.token_urlsafe(32)}"}
            )
            statuses.append(answer.status_code)
            if answer.status_code == 429:
                assert 1 <= int(answer.headers["retry-after"]) <= 60
                assert answer.json()["error"] == "rate_limited"
    looked_up = _key_checks(stack) - before
    print(f"200 random keys: {statuses.count(401)} x 401, {statuses.count(429)} x 429, {looked_up} look-ups")
    assert statuses.count(401) == 5 and statuses.count(429) == 195
    assert looked_up == 5
    # the partner whose key is valid and cached, from the same IP, is not refused
    assert good.get("/api/v1/market").status_code == 200


# item 4: a byte cap on request headers in every service, whatever the parser ----------------------------
def _rss_mb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]) // 1024


def _huge_header(port: int, megabytes: int, answers: list[bytes]) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        try:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
            chunk = b"a" * (1 << 20)
            for _ in range(megabytes):
                sock.sendall(chunk)
            sock.sendall(b"\r\n\r\n")
        except OSError:
            pass  # the server stopped reading: its answer is already waiting
        answers.append(sock.recv(65536))


def _attack(port: int, pid: int) -> tuple[list[bytes], int, int]:
    """Four connections each sending one 48 MB header; the server's RSS before and at its highest."""
    before = _rss_mb(pid)
    samples = [before]
    answers: list[bytes] = []
    threads = [threading.Thread(target=_huge_header, args=(port, 48, answers)) for _ in range(4)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        samples.append(_rss_mb(pid))
        time.sleep(0.02)
    time.sleep(0.3)
    samples.append(_rss_mb(pid))
    return answers, before, max(samples)


def _assert_431(answer: bytes) -> None:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431 "), head[:80]
    assert b"x-content-type-options: nosniff" in head.lower()
    assert b'"error":"headers_too_large"' in body and b'"field":"headers"' in body


@pytest.mark.parametrize("service", ["gateway", "profile", "recommender"])
def test_four_48mb_headers_get_431_and_cost_no_memory(stack: Stack, service: str) -> None:
    process = stack.services[service]
    assert process.proc is not None
    answers, before, peak = _attack(process.port, process.proc.pid)
    print(f"{service} (httptools): RSS {before} MB before four 48 MB headers, peak {peak} MB")
    assert len(answers) == 4
    for answer in answers:
        _assert_431(answer)
    assert peak - before < 20
    assert httpx.get(process.url + "/healthz").status_code == 200


def test_h11_parser_is_capped_too(stack: Stack, infra, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    env = {
        **os.environ,
        **infra.env(
            CAREERPATH_PORT=str(port),
            CAREERPATH_PROFILE_URL=stack.services["profile"].url,
            CAREERPATH_RECOMMENDER_URL=stack.services["recommender"].url,
        ),
    }
    code = (
        "from services.gateway.app import create_app; from services.gateway.settings import GatewaySettings;"
        "from shared.serving import serve; from shared.settings import load_settings;"
        "s = load_settings(GatewaySettings); serve(create_app(s), s, parser='h11')"
    )
    with open(tmp_path / "h11.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, 60, proc)
        answers, before, peak = _attack(port, proc.pid)
        print(f"gateway (h11): RSS {before} MB before four 48 MB headers, peak {peak} MB")
        for answer in answers:
            _assert_431(answer)
        assert peak - before < 20
        _assert_431(_whole_head(port, 40, 1024))
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/skills").status_code == 200
    finally:
        proc.terminate()
        proc.wait(10)


def _whole_head(port: int, count: int, size: int) -> bytes:
    """A head of ``count`` headers of ``size`` bytes sent in one write (parsed whole, in one read)."""
    lines = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * size) for i in range(count))
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(b"GET /api/v1/skills HTTP/1.1\r\nHost: 127.0.0.1\r\n" + lines + b"\r\n")
        return sock.recv(65536)


def test_many_headers_in_one_read_and_a_long_url_are_capped(stack: Stack) -> None:
    gateway = stack.services["gateway"]
    _assert_431(_whole_head(gateway.port, 40, 1024))  # 41 kB > 32 kB
    long_url = httpx.get(gateway.url + "/api/v1/skills?x=" + "a" * 40_000)
    assert long_url.status_code == 431
    # under the cap (a 20 kB cookie, say), everything works
    assert _whole_head(gateway.port, 20, 1024).startswith(b"HTTP/1.1 200 ")


# item 6: login/sign-up CSRF: JSON only, and not from another site -----------------------------------------
def test_a_form_cannot_sign_up_or_log_in(stack: Stack, anon: httpx.Client, admin_api: httpx.Client) -> None:
    email = f"form-{secrets.token_hex(4)}@example.com"
    body = f'{{"email":"{email}","password":"{PASSWORD}"}}'
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; b=x", None):
        headers = {"content-type": content_type} if content_type else {}
        answer = anon.post("/api/v1/auth/signup", content=body, headers=headers)
        assert answer.status_code == 415, (content_type, answer.text)
        assert answer.json()["error"] == "unsupported_media_type"
        assert answer.json()["errors"][0]["field"] == "Content-Type"
        assert "set-cookie" not in answer.headers
    json_body = {"content-type": "application/json"}
    assert anon.post("/api/v1/auth/signup", content=body, headers=json_body).status_code == 201
    assert anon.cookies.get("cp_session")  # the account did not exist: created only now
    with httpx.Client(base_url=stack.url, timeout=15.0) as victim:
        login = victim.post("/api/v1/auth/login", content=body, headers={"content-type": "text/plain"})
        assert login.status_code == 415 and not victim.cookies.get("cp_session")
    logins = admin_api.get("/api/v1/admin/audit", params={"action": "login", "limit": 200}).json()
    assert not [e for e in logins if e["actor"] == email]


def test_a_json_body_of_another_type_changes_nothing(api: httpx.Client) -> None:
    assert (
        api.put("/api/v1/me/profile", json={"display_name": "Mine", "skills": {"python": 3}}).status_code
        == 201
    )
    answer = api.put(
        "/api/v1/me/profile",
        content=b'{"display_name":"Changed","skills":{"go":4}}',
        headers={"content-type": "text/plain", "If-Match": '"1"'},
    )
    assert answer.status_code == 415
    kept = api.get("/api/v1/me/profile").json()
    assert kept["display_name"] == "Mine" and kept["version"] == 1
    charset = api.get("/api/v1/me/profile", headers={"content-type": "text/plain"})  # no body: fine
    assert charset.status_code == 200


def test_sign_in_from_another_site_is_refused(stack: Stack) -> None:
    email = f"xsite-{secrets.token_hex(4)}@example.com"
    credentials = {"email": email, "password": PASSWORD}
    for headers, field in (
        ({"Origin": "https://evil.example"}, "Origin"),
        ({"Origin": "null"}, "Origin"),
        ({"Origin": stack.url.replace("127.0.0.1", "localhost")}, "Origin"),
        ({"Sec-Fetch-Site": "cross-site"}, "Sec-Fetch-Site"),
    ):
        with httpx.Client(base_url=stack.url, timeout=15.0) as browser:
            for path in ("/api/v1/auth/signup", "/api/v1/auth/login"):
                answer = browser.post(path, json=credentials, headers=headers)
                assert answer.status_code == 403, (path, headers, answer.text)
                assert answer.json()["errors"][0]["field"] == field
                assert not browser.cookies.get("cp_session")
    same = {"Origin": stack.url, "Sec-Fetch-Site": "same-origin"}
    for path, status in (("/api/v1/auth/signup", 201), ("/api/v1/auth/login", 200)):
        with httpx.Client(base_url=stack.url, timeout=15.0) as own_page:
            assert own_page.post(path, json=credentials, headers=same).status_code == status


# item 8: X-Forwarded-For only from configured proxies ------------------------------------------------------
def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(
    stack: Stack, admin_api: httpx.Client, gateways
) -> None:  # type: ignore[no-untyped-def]
    plain = gateways("xff", CAREERPATH_LOGIN_RATE_PER_MINUTE="3")
    _fresh_window(60, 20)
    email = f"xff-{secrets.token_hex(4)}@example.com"
    statuses = [
        httpx.post(
            plain.url + "/api/v1/auth/login",
            json={"email": email, "password": f"wrong-guess-{i:04d}"},
            headers={"X-Forwarded-For": f"203.0.113.{i}"},
        ).status_code
        for i in range(6)
    ]
    assert statuses.count(401) == 3 and statuses.count(429) == 3  # one IP: the forged ones were ignored
    failures = admin_api.get("/api/v1/admin/audit", params={"action": "login_failed", "limit": 200}).json()
    ips = {e["ip"] for e in failures if e["actor"] == email}
    assert ips == {"127.0.0.1"}, ips

    behind = gateways(
        "proxy", CAREERPATH_LOGIN_RATE_PER_MINUTE="3", CAREERPATH_TRUSTED_PROXIES="127.0.0.1/32"
    )
    trusted = [
        httpx.post(
            behind.url + "/api/v1/auth/login",
            json={"email": email, "password": "wrong-guess"},
            headers={"X-Forwarded-For": f"198.51.100.7, 203.0.113.{i}"},
        ).status_code
        for i in range(4)
    ]
    assert trusted == [401] * 4  # the proxy forwards four clients: each has its own count


@pytest.mark.parametrize("value", ["*", "0.0.0.0/0", "10.0.0.0/33", "proxy.example"])
def test_a_bad_trusted_proxies_setting_stops_start_up(value: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tools.cli", "serve", "gateway"],
        env={**os.environ, "CAREERPATH_TRUSTED_PROXIES": value, "CAREERPATH_PORT": str(free_port())},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "CAREERPATH_TRUSTED_PROXIES" in done.stderr, done.stderr


# item 12: failed log-ins per account too, for a bounded time -----------------------------------------------
def test_failed_log_ins_are_limited_per_account_for_a_bounded_time(stack: Stack, gateways) -> None:  # type: ignore[no-untyped-def]
    gateway = gateways(
        "account",
        CAREERPATH_ACCOUNT_LOGIN_FAILURES="3",
        CAREERPATH_ACCOUNT_LOGIN_WINDOW_SECONDS="20",
        CAREERPATH_TRUSTED_PROXIES="127.0.0.1",  # so the attack can come from many addresses
    )
    email = f"owner-{secrets.token_hex(4)}@example.com"
    sign_up(stack.url, email).close()
    bystander = f"bystander-{secrets.token_hex(4)}@example.com"
    sign_up(stack.url, bystander).close()

    def login(address: str, password: str, who: str = email) -> httpx.Response:
        return httpx.post(
            gateway.url + "/api/v1/auth/login",
            json={"email": who, "password": password},
            headers={"X-Forwarded-For": address},
            timeout=15.0,
        )

    _fresh_window(20, 12)
    spellings = (email, email.upper(), email.capitalize())
    for i in range(3):  # three addresses, three spellings of one account
        assert login(f"203.0.113.{i}", "wrong password", spellings[i]).status_code == 401
    refused = login("198.51.100.1", PASSWORD)  # the right password, from a fourth address
    assert refused.status_code == 429 and refused.json()["error"] == "rate_limited"
    wait = int(refused.headers["retry-after"])
    assert 1 <= wait <= 20
    assert "set-cookie" not in refused.headers
    assert login("203.0.113.9", PASSWORD, bystander).status_code == 200  # other accounts unaffected
    time.sleep(wait + 0.5)
    assert login("198.51.100.1", PASSWORD).status_code == 200  # the window ended: the owner gets in


# item 13: private answers are not stored by caches ------------------------------------------------------
def test_private_answers_say_no_store(stack: Stack, admin_api: httpx.Client) -> None:
    email = f"cache-{secrets.token_hex(4)}@example.com"
    with httpx.Client(base_url=stack.url, timeout=15.0) as client:
        answers = [client.post("/api/v1/auth/signup", json={"email": email, "password": PASSWORD})]
        client.headers["X-CSRF-Token"] = answers[0].json()["csrf_token"]
        answers.append(client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}))
        client.headers["X-CSRF-Token"] = answers[-1].json()["csrf_token"]
        profile = {"display_name": "C", "skills": {"python": 2}, "years_experience": 1}
        created = client.post("/api/v1/profiles", json=profile)
        answers += [created, client.get(f"/api/v1/profiles/{created.json()['id']}")]
        answers += [client.get(p) for p in ("/api/v1/auth/me", "/api/v1/me/export", "/api/v1/me/assessments")]
        answers.append(client.get("/api/v1/me/profile"))
    answers.append(admin_api.post("/api/v1/admin/keys", json={"name": "cache", "scopes": ["market:read"]}))
    answers.append(httpx.get(stack.url + "/api/v1/me/profile"))  # 401
    for answer in answers:
        assert answer.headers.get("cache-control") == "no-store", (answer.request.url, answer.status_code)


# item 16: the same security headers on every answer -----------------------------------------------------
def test_static_files_and_404s_carry_the_security_headers(stack: Stack) -> None:
    answers = [
        httpx.get(stack.url + path)
        for path in (
            "/static/style.css",
            "/static/js/app.js",
            "/nope",
            "/static/nope.js",
            "/api/v1/nope",
            "/",
        )
    ]
    answers.append(httpx.delete(stack.url + "/api/v1/skills"))  # 405
    answers.append(httpx.get(stack.url + "/docs-assets/swagger-ui.css"))
    assert [a.status_code for a in answers] == [200, 200, 404, 404, 404, 200, 405, 200]
    for answer in answers:
        for name, value in SECURITY.items():
            assert answer.headers.get(name) == value, (answer.request.url, name)
    assert "frame-ancestors 'none'" in answers[0].headers["content-security-policy"]
