"""The page's static files (issue 16, item 4): compressed when asked, kept by the browser and revalidated
with their ETag (304, no body), never served from outside ``static/``."""

from __future__ import annotations

import re

import httpx
import pytest

from services.gateway.web import STATIC_DIR
from tools.supervisor.stack import Stack

FILES = {
    "/static/js/app.js": "text/javascript; charset=utf-8",
    "/static/style.css": "text/css; charset=utf-8",
    "/static/level-examples.json": "application/json",
}


@pytest.mark.parametrize(("path", "media_type"), FILES.items())
def test_a_static_file_is_revalidated_with_its_etag(stack: Stack, path: str, media_type: str) -> None:
    with httpx.Client(base_url=stack.url, timeout=15.0) as client:
        first = client.get(path)
        assert first.status_code == 200
        assert first.headers["content-type"] == media_type
        assert first.headers["cache-control"] == "no-cache"  # kept, and asked about each time
        etag = first.headers["etag"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == etag
        other = client.get(path, headers={"If-None-Match": 'W/"not-this-one"'})
        assert other.status_code == 200
        assert other.content == first.content


def test_static_files_are_compressed_when_asked_and_the_etag_still_matches(stack: Stack) -> None:
    with httpx.Client(base_url=stack.url, timeout=15.0) as client:
        plain = client.get("/static/style.css", headers={"Accept-Encoding": "identity"})
        packed = client.get("/static/style.css", headers={"Accept-Encoding": "br"})
        assert "content-encoding" not in plain.headers
        assert packed.headers["content-encoding"] == "br"
        assert int(packed.headers["content-length"]) < len(plain.content) / 2
        assert packed.content == plain.content  # httpx decodes brotli
        etag = packed.headers["etag"]
        assert etag == plain.headers["etag"]
        gzip = client.get("/static/style.css", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
        assert gzip.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/static/nope.js",
        "/static/js/../../__init__.py",
        "/static/%2e%2e/__init__.py",
        "/static/..%2f__init__.py",
        "/static/js",
        "/static/",
    ],
)
def test_nothing_outside_the_static_files_is_served(stack: Stack, path: str) -> None:
    answer = httpx.get(stack.url + path)
    assert answer.status_code == 404, (path, answer.text[:200])
    assert b"import" not in answer.content


def test_a_malformed_if_none_match_is_refused_naming_the_header(stack: Stack) -> None:
    answer = httpx.get(stack.url + "/static/js/app.js", headers={"If-None-Match": "abc"})
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["If-None-Match"]


def test_the_page_preloads_every_module_so_imports_do_not_wait_for_each_other(stack: Stack) -> None:
    page = httpx.get(stack.url + "/", headers={"Accept-Encoding": "br"})
    assert page.status_code == 200
    preloaded = set(re.findall(r'<link rel="modulepreload" href="(/static/js/[\w.-]+\.js)">', page.text))
    modules = {f"/static/js/{m.name}" for m in (STATIC_DIR / "js").glob("*.js")}
    assert preloaded == modules
    assert page.text.index("modulepreload") < page.text.index("</head>")
    for path in sorted(preloaded):
        assert httpx.get(stack.url + path).status_code == 200, path
