"""If-None-Match as RFC 9110 reads it: weak comparison, *, lists, several lines, and malformed fields."""

from __future__ import annotations

import pytest
from litestar.exceptions import HTTPException

from services.gateway.conditional import etag_of, none_match

ETAG = etag_of(b'{"a":1}')
OPAQUE = ETAG.removeprefix("W/").strip('"')


def test_etag_is_weak_quoted_and_follows_the_bytes() -> None:
    assert ETAG.startswith('W/"') and ETAG.endswith('"') and len(OPAQUE) == 24
    assert etag_of(b'{"a":1}') == ETAG != etag_of(b'{"a":2}')


@pytest.mark.parametrize(
    "field",
    [
        ETAG,
        f'"{OPAQUE}"',  # weak comparison: W/ is ignored on either side
        f'"other", {ETAG}',
        f'"other","{OPAQUE}"',
        f"  {ETAG}  ",
        "*",
        " * ",
        f',, "other" ,{ETAG},',  # empty list members are allowed
    ],
)
def test_matches(field: str) -> None:
    assert none_match(field, ETAG) is True


@pytest.mark.parametrize(
    "field",
    [
        None,
        '"other"',
        f'"{OPAQUE}x"',
        f'W/"x{OPAQUE}"',
        '"a,b"',  # a comma inside the quotes is part of one tag
        "",  # an empty list matches nothing
        ",",
    ],
)
def test_does_not_match(field: str | None) -> None:
    assert none_match(field, ETAG) is False


def test_the_quotes_belong_to_the_tag() -> None:
    assert none_match(f'"{OPAQUE}", "{OPAQUE},x"', ETAG) is True
    assert none_match('"a,b"', '"a,b"') is True


@pytest.mark.parametrize(
    "field",
    [
        OPAQUE,  # no quotes: the usual client mistake
        f'"{OPAQUE}',
        f"{ETAG} {ETAG}",  # two tags without a comma
        f'W/ "{OPAQUE}"',
        f'w/"{OPAQUE}"',  # W/ is case-sensitive
        '"a"b"',
        "*, " + ETAG,  # * stands alone
        '"tab\tinside"',
    ],
)
def test_malformed_is_400_naming_the_header(field: str) -> None:
    with pytest.raises(HTTPException) as caught:
        none_match(field, ETAG)
    assert caught.value.status_code == 400
    assert isinstance(caught.value.extra, dict) and caught.value.extra["field"] == "If-None-Match"
