"""shared.http's request encoding and response parsing (the gateway's upstream pool, the load generator)."""

from __future__ import annotations

import pytest

from shared.http import Headers, encode_request, parse_response
from tools.bench.load import LoadSpec, run_load


def test_encode_request_sets_host_headers_and_length() -> None:
    headers = [("content-type", "application/json")]
    raw = encode_request("POST", "/x?a=1", "127.0.0.1:8000", headers, b'{"a":1}')
    assert raw == (
        b"POST /x?a=1 HTTP/1.1\r\nhost: 127.0.0.1:8000\r\ncontent-type: application/json\r\n"
        b'content-length: 7\r\n\r\n{"a":1}'
    )
    assert b"content-length: 0" in encode_request("PUT", "/x", "h")
    assert b"content-length" not in encode_request("GET", "/x", "h")


@pytest.mark.parametrize("bad", [("x-a", "1\r\nx-b: 2"), ("x-a\n", "1")])
def test_encode_request_refuses_line_breaks(bad: tuple[str, str]) -> None:
    with pytest.raises(ValueError):
        encode_request("GET", "/", "h", [bad])
    with pytest.raises(ValueError):
        encode_request("GET", "/a\r\nb", "h")


def test_parse_content_length_response_whole_and_partial() -> None:
    raw = b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nETag: "3"\r\n\r\n{}HTTP/1.1 204'
    status, headers, body, used = parse_response(bytearray(raw))  # type: ignore[misc]
    assert (status, body, raw[used:]) == (200, b"{}", b"HTTP/1.1 204")
    assert Headers(headers)["etag"] == '"3"' and "ETAG" in Headers(headers)
    for cut in (10, len(raw) - 13):  # head not complete; body not complete
        assert parse_response(bytearray(raw[:cut])) is None


def test_parse_chunked_response() -> None:
    raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=1\r\nde\r\n0\r\n\r\n"
    assert parse_response(bytearray(raw)) == (200, [(b"Transfer-Encoding", b"chunked")], b"abcde", len(raw))
    assert parse_response(bytearray(raw[:-3])) is None


def test_parse_no_body_answers_and_garbage() -> None:
    head = b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"
    assert parse_response(bytearray(head)) == (304, [(b"Content-Length", b"10")], b"", len(head))
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"
    assert parse_response(bytearray(ok), no_body=True) == (200, [(b"Content-Length", b"10")], b"", len(ok))
    with pytest.raises(ValueError):
        parse_response(bytearray(b"SSH-2.0-OpenSSH\r\n\r\n"))


def test_headers_join_repeats_case_insensitively() -> None:
    headers = Headers([(b"Vary", b"a"), (b"vary", b"b")])
    assert headers["VARY"] == "a, b" and dict(headers) == {"vary": "a, b"} and len(headers) == 1


def test_load_generator_refuses_non_loopback_targets() -> None:
    with pytest.raises(ValueError, match="loopback"):
        run_load(LoadSpec(host="10.0.0.1", port=80, connections=[]))
