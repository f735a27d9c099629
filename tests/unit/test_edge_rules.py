"""The gateway's edge rules of issue 12 as pure functions: no I/O (tests/e2e/test_edge_hardening.py sends
the attacks to real processes)."""

from __future__ import annotations

import msgspec
import pytest
from litestar.datastructures import Headers

from services.gateway.authn import AuthError, _check_media_type, _check_same_origin
from services.gateway.ratelimit import AccountLock, RateLimiter
from services.gateway.settings import GatewaySettings
from shared.serving import CappedH11Protocol, capped_protocol, refusal_431
from shared.settings import SettingsError, load_settings


def _headers(**values: str) -> Headers:
    return Headers({k.replace("_", "-"): v for k, v in values.items()})


@pytest.mark.parametrize(
    ("headers", "refused"),
    [
        ({"content_length": "10", "content_type": "application/json"}, False),
        ({"content_length": "10", "content_type": "Application/JSON; charset=utf-8"}, False),
        ({"content_length": "10", "content_type": "text/plain"}, True),
        ({"content_length": "10", "content_type": "application/x-www-form-urlencoded"}, True),
        ({"content_length": "10", "content_type": "application/json-patch+json"}, True),
        ({"content_length": "10"}, True),
        ({"transfer_encoding": "chunked", "content_type": "text/plain"}, True),
        ({"content_length": "0", "content_type": "text/plain"}, False),
        ({"content_type": "text/plain"}, False),  # no body
    ],
)
def test_a_body_must_be_json(headers: dict[str, str], refused: bool) -> None:
    if refused:
        with pytest.raises(AuthError) as caught:
            _check_media_type(_headers(**headers))
        assert caught.value.status == 415 and caught.value.field == "Content-Type"
    else:
        _check_media_type(_headers(**headers))


@pytest.mark.parametrize(
    ("headers", "field"),
    [
        ({"host": "app.example", "origin": "https://app.example"}, None),
        ({"host": "app.example:443", "origin": "https://app.example"}, None),
        ({"host": "127.0.0.1:8000", "origin": "http://127.0.0.1:8000"}, None),
        ({"host": "app.example"}, None),  # no Origin: not a browser's cross-site form
        ({"host": "partner.example", "origin": "https://partner.example"}, None),
        ({"host": "app.example", "origin": "https://trusted.example"}, None),  # a listed CORS origin
        ({"host": "app.example", "origin": "https://evil.example"}, "Origin"),
        ({"host": "app.example", "origin": "https://app.example:8443"}, "Origin"),  # another port
        ({"host": "app.example", "origin": "https://app.example.evil.example"}, "Origin"),
        ({"host": "app.example", "origin": "null"}, "Origin"),
        ({"host": "app.example", "origin": "https://app.example:bad"}, "Origin"),
        ({"host": "app.example", "sec_fetch_site": "cross-site"}, "Sec-Fetch-Site"),
        ({"host": "app.example", "sec_fetch_site": "same-origin", "origin": "https://app.example"}, None),
    ],
)
def test_sign_in_only_from_our_origin(headers: dict[str, str], field: str | None) -> None:
    cors = ("https://trusted.example",)
    if field is None:
        _check_same_origin(_headers(**headers), cors)
    else:
        with pytest.raises(AuthError) as caught:
            _check_same_origin(_headers(**headers), cors)
        assert caught.value.status == 403 and caught.value.field == field


@pytest.mark.parametrize("value", ["*", "0.0.0.0/0", "::/0", "10.0.0.0/33", "proxy.example", "10.0.0"])
def test_trusted_proxies_are_addresses_or_networks(value: str) -> None:
    with pytest.raises(SettingsError, match="CAREERPATH_TRUSTED_PROXIES"):
        load_settings(GatewaySettings, {"CAREERPATH_TRUSTED_PROXIES": value})


def test_trusted_proxies_default_to_none_and_take_a_list() -> None:
    assert load_settings(GatewaySettings, {}).trusted_proxies == ()
    given = load_settings(GatewaySettings, {"CAREERPATH_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7,fd00::/8"})
    assert given.trusted_proxies == ("10.0.0.0/8", "192.168.1.7", "fd00::/8")


def test_the_account_bucket_hides_the_address_and_ignores_its_spelling() -> None:
    lock = AccountLock(RateLimiter.__new__(RateLimiter), "k" * 32, 10)
    bucket = lock.bucket("Ada@Example.com")
    assert "ada" not in bucket.lower() and "example" not in bucket
    assert bucket == lock.bucket("ada@example.com") == lock.bucket(" ADA@EXAMPLE.COM ")
    assert bucket == lock.bucket("ａｄａ@example.com")  # full-width letters: NFKC
    assert bucket != lock.bucket("eve@example.com")
    assert bucket != AccountLock(RateLimiter.__new__(RateLimiter), "j" * 32, 10).bucket("ada@example.com")


def test_the_431_answer_is_a_json_error() -> None:
    answer = refusal_431(32_768)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
    assert f"content-length: {len(body)}".encode() in head and b"connection: close" in head
    assert b"content-type: application/problem+json" in head
    error = msgspec.json.decode(body)
    assert (error["status"], error["code"], error["type"]) == (
        431,
        "headers_too_large",
        "/problems/headers_too_large",
    )
    assert error["errors"][0]["field"] == "headers"
    assert error["request_id"] and f"x-request-id: {error['request_id']}".encode() in head


def test_each_parser_gets_a_capped_protocol() -> None:
    httptools = capped_protocol(10_000)
    h11 = capped_protocol(20_000, "h11")
    assert httptools.max_header_bytes == 10_000 and "HttpTools" in httptools.__name__  # type: ignore[attr-defined]
    assert issubclass(h11, CappedH11Protocol) and h11.max_header_bytes == 20_000  # type: ignore[attr-defined]


def test_the_header_cap_is_a_setting_of_every_service() -> None:
    from services.profile.settings import ProfileSettings
    from services.recommender.settings import RecommenderSettings

    for cls in (GatewaySettings, ProfileSettings, RecommenderSettings):
        assert load_settings(cls, {}).max_header_bytes == 32_768
        assert load_settings(cls, {"CAREERPATH_MAX_HEADER_BYTES": "8192"}).max_header_bytes == 8192
        with pytest.raises(SettingsError, match="CAREERPATH_MAX_HEADER_BYTES"):
            load_settings(cls, {"CAREERPATH_MAX_HEADER_BYTES": "100"})
