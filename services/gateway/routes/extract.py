"""``POST /api/v1/skills/extract``: the skills a pasted CV or profile text mentions, with suggested levels.

Answered by the gateway itself: extraction is a pure function of the text and the catalogue (which the
gateway already loads for ``GET /api/v1/skills``), with no model and no market data, so a hop to the
recommender would add a 50 kB request, a failure mode (503 when it is down) and latency for nothing.
Guarded and rate-limited like ``POST /api/v1/recommendations``. Nothing is stored or logged. Cost,
measured on 2 busy cores: 3.6 kB of CV text about 4 ms; 50 kB of nothing but skills (2,580 mentions) 0.2 s,
so the handler runs in a worker thread rather than on the event loop.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from litestar import Request, post
from litestar.exceptions import HTTPException, ValidationException
from litestar.params import JSONBody

from services.gateway.auth import visitor_or_scope_guard
from services.gateway.bodies import strict_body
from shared.catalog.extraction import extractor
from shared.contracts.extract import MAX_TEXT_BYTES, ExtractRequest, ExtractResponse

__all__ = ["extract_skills", "text_problem"]

# Control characters (Cc) but tab, line feed, form feed and carriage return; lone surrogates (Cs).
_REFUSED = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(text: str) -> tuple[int, str] | None:
    """Why ``text`` is refused (status, message), or None."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_TEXT_BYTES:
        return 413, f"is {size:,} bytes of UTF-8; at most {MAX_TEXT_BYTES:,} are taken"
    if not text.strip():
        return 422, "is empty or only white space: paste the text of a CV or profile"
    bad = _REFUSED.search(text)
    if bad is not None:
        char = bad.group()
        what = "a lone surrogate" if unicodedata.category(char) == "Cs" else "a control character"
        return 422, f"contains {what} (U+{ord(char):04X}) at offset {bad.start()}: send plain text"
    return None


async def _readable_body(request: Request[Any, Any, Any]) -> None:
    """``before_request``: a body that is not UTF-8 is refused naming ``text`` (the only field), then the
    gateway's usual strict reading (:func:`services.gateway.bodies.strict_body`)."""
    body = await request.body()
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationException(
            detail="the request is not valid",
            extra=[
                {
                    "key": "text",
                    "pointer": "/text",
                    "message": f"is not valid UTF-8 (byte {exc.start} of the body): send the text as UTF-8",
                }
            ],
        ) from None
    await strict_body(request)


@post(
    "/api/v1/skills/extract",
    tags=["skills"],
    summary="Find the catalogue's skills in a pasted CV or profile text",
    description=(
        "Reads plain text (a CV, a LinkedIn summary, a profile) and answers the skills of the catalogue it "
        "mentions, each with every place it is mentioned (the exact words and their offsets) and a "
        "suggested level for the user to confirm (from years or words such as expert or basic next to a "
        "mention, else 2). Synonyms count (Golang is `go`, Postgres is `postgresql`); words are matched "
        "whole (Java is not found in JavaScript, SQL not in PostgreSQL); plain-English look-alikes are "
        'refused by their context (a Go-getter); a negated mention ("no Kubernetes experience", "not '
        'Java", "without Docker") or a wished-for one ("want to learn Rust") is listed in `ignored`, '
        "not in `skills`. `levels` is the result as a skill map for POST /api/v1/recommendations. "
        "`text` takes at most 50,000 bytes (413), not empty (422), no control characters (422). Open "
        "to visitors without an account (limited per IP); a partner key needs scope "
        "`recommendations:write`. Nothing is stored."
    ),
    guards=[visitor_or_scope_guard("recommendations:write")],
    security=[{"bearer": []}, {"session": []}, {}],  # {}: a visitor without an account
    before_request=_readable_body,
    status_code=200,
    sync_to_thread=True,  # up to ~0.2 s of CPU for 50 kB dense with skills: off the event loop
)
def extract_skills(data: JSONBody[ExtractRequest]) -> ExtractResponse:
    problem = text_problem(data.text)
    if problem is not None:
        status, message = problem
        detail = f"`text` {message}"
        if status == 413:
            raise HTTPException(
                status_code=413,
                detail=detail,
                extra={"field": "text", "pointer": "/text", "code": "payload_too_large"},
            )
        raise HTTPException(
            status_code=422,
            detail=detail,
            extra={"field": "text", "pointer": "/text", "code": "unprocessable"},
        )
    return extractor().extract(data.text)
