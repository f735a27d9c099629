"""Conditional GET (RFC 9110 §8.8.3, §13.1.2): an ``ETag`` for a representation, ``If-None-Match`` → 304.

The entity tag is a hash of the JSON the route answers, so it moves exactly when the answer does (the
catalogue, the live market version, the figures' age). It is weak (``W/"…"``): the gateway compresses
answers for callers that ask (brotli or gzip), and the bytes on the wire then differ while the
representation is the same (RFC 9110 §8.8.1). ``If-None-Match`` uses the weak comparison
(``W/"x"`` matches ``"x"``); ``*`` matches any current representation; a list matches when any member
does. A field that is not ``*`` or a comma-separated list of entity tags is a malformed request: 400
naming ``If-None-Match`` (RFC 9110 §15.5.1), rather than silently answering in full, so a client that
sends a bare ``abc`` learns why it never gets a 304. An empty list (``""``, ``,``) is valid and matches
nothing.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from litestar import MediaType, Response
from litestar.datastructures import ResponseHeader
from litestar.exceptions import HTTPException

if TYPE_CHECKING:
    from litestar import Request

__all__ = [
    "CATALOGUE_CACHE",
    "PRIVATE_CACHE",
    "conditional_json",
    "etag_headers",
    "etag_of",
    "none_match",
]

IF_NONE_MATCH = "If-None-Match"
CATALOGUE_CACHE = "public, max-age=300"  # changes only with a deploy; revalidate with the ETag after 5 min
PRIVATE_CACHE = "private, no-cache"  # a caller's own cache may keep it, and must revalidate each time

# One list member: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE (etagc = %x21 / %x23-7E / obs-text), or
# nothing (empty members are allowed, RFC 9110 §5.6.1), then a comma or the end.
_MEMBER = re.compile(r'[ \t]*(?:(?:W/)?"([\x21\x23-\x7e\x80-\xff]*)")?[ \t]*(,|$)')


def etag_of(content: bytes) -> str:
    """A weak entity tag for ``content`` (``W/"<hash>"``)."""
    return 'W/"' + hashlib.blake2b(content, digest_size=12).hexdigest() + '"'


def _opaque_tags(field: str) -> list[str]:
    """The opaque tags of an ``If-None-Match`` list (``W/`` dropped); ValueError when it is not one."""
    tags: list[str] = []
    position = 0
    while (match := _MEMBER.match(field, position)) is not None:
        if match.group(1) is not None:
            tags.append(match.group(1))
        if not match.group(2):  # the end of the field
            break
        position = match.end()
    if match is None:
        raise ValueError(
            f"{IF_NONE_MATCH} must be * or a comma-separated list of entity tags such as "
            '"abc" or W/"abc" (with the quotes)'
        )
    return tags  # none at all is a valid (empty) list: it matches nothing


def none_match(field: str | None, etag: str) -> bool:
    """Whether ``If-None-Match: field`` matches ``etag`` (weak comparison): then the answer is 304."""
    if field is None:
        return False
    if field.strip() == "*":
        return True
    try:
        tags = _opaque_tags(field)
    except ValueError as exc:
        raise HTTPException(status_code=400, detail=str(exc), extra={"field": IF_NONE_MATCH}) from None
    return etag.removeprefix("W/").strip('"') in tags


def etag_headers(description: str, cache_control: str) -> list[ResponseHeader]:
    """The headers a conditional GET answers with, for the OpenAPI document."""
    return [
        ResponseHeader(
            name="ETag",
            value='W/"<hash of the answer>"',
            documentation_only=True,
            description=f"The entity tag of {description}; send it back as If-None-Match",
        ),
        ResponseHeader(
            name="Cache-Control",
            value=cache_control,
            documentation_only=True,
            description="How a cache may keep the answer",
        ),
    ]


def conditional_json(
    request: Request[Any, Any, Any], content: bytes, cache_control: str, etag: str | None = None
) -> Response[Any]:
    """``content`` (JSON) with its ETag, or 304 with no body when the caller's copy is current."""
    etag = etag or etag_of(content)
    headers = {"ETag": etag, "Cache-Control": cache_control}
    fields = request.headers.getall(IF_NONE_MATCH, [])  # several lines are one comma-separated list
    if none_match(", ".join(fields) if fields else None, etag):
        return Response(b"", status_code=304, headers=headers)
    return Response(content, media_type=MediaType.JSON, headers=headers)
