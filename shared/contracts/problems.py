"""The error-code catalogue: every ``code`` an error answer can carry, with its status and meaning.

Defined once: the error handlers look codes up here (an unknown code is a programming error), the error
body's ``code`` is a ``Literal`` of these names (so the OpenAPI document lists them), and the gateway
serves each entry at its ``type`` URI, ``/problems/<code>``.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

__all__ = ["PROBLEMS", "PROBLEM_BASE", "Problem", "ProblemCode", "code_for_status", "problem_type"]

PROBLEM_BASE = "/problems/"
"""Where the gateway describes each code; a problem's ``type`` is this plus the code (a relative reference,
resolved against the API's own address)."""


class Problem(msgspec.Struct, kw_only=True, frozen=True):
    """One error code: the status it comes with, a short title and what it means for a caller."""

    code: str
    status: int
    title: str
    description: str


def _problems(*entries: tuple[str, int, str, str]) -> dict[str, Problem]:
    return {
        code: Problem(code=code, status=status, title=title, description=text)
        for code, status, title, text in entries
    }


PROBLEMS = _problems(
    ("validation_error", 400, "Invalid request",
     "A field of the body, a query or path parameter or a header is not valid. `errors` lists every "
     "invalid field (`field`, `pointer` for body fields, `message`); fix them all and send again."),
    ("bad_request", 400, "Bad request",
     "The request cannot be read at all (the body is not JSON, or the Host header is not one of ours)."),
    ("reset_token_refused", 422, "Reset link not valid",
     "The password-reset token is unknown, expired, already used, or replaced by a newer request: ask for "
     "a new reset mail. `errors` names `token`; the password is unchanged (a token that is not a string, "
     "or longer than any token, is a `validation_error`, 400)."),
    ("unauthorized", 401, "Authentication required",
     "No credential, or one that is refused: send `Authorization: Bearer <API key>` (partners) or sign in "
     "(browsers). `WWW-Authenticate` says which; `error=\"invalid_token\"` means the key given is invalid, "
     "expired or revoked."),
    ("forbidden", 403, "Not allowed",
     "The caller is known but may not do this: an API key without the scope the route needs, a route for "
     "signed-in users or admins only, a missing CSRF token, or sign-in from another site."),
    ("not_found", 404, "Not found", "Nothing at this path, or nothing the caller may see there."),
    ("method_not_allowed", 405, "Method not allowed",
     "The path exists but not with this method; `OPTIONS` on the path lists the methods (`Allow`)."),
    ("conflict", 409, "Conflict",
     "The request conflicts with what is stored (say, the profile already exists)."),
    ("gone", 410, "Gone",
     "What the request names existed and is no longer kept: a market-data version pinned with "
     "`Careerpath-Market-Version` that has been trimmed. The detail names it and the live version; "
     "`GET /api/v1/versions` lists those still kept."),
    ("precondition_failed", 412, "Precondition failed",
     "`If-Match` names an old version: read the resource again, re-apply the change and send its new ETag."),
    ("payload_too_large", 413, "Body too large", "The body is larger than the API accepts."),
    ("unsupported_media_type", 415, "Unsupported media type",
     "A request with a body must send it as JSON, with `Content-Type: application/json`."),
    ("unprocessable", 422, "Refused",
     "Well-formed but refused: an `Idempotency-Key` reused with another body, a repeated candidate id, a "
     "date in the past, an e-mail address too like another account's. `errors` names the field."),
    ("weak_password", 422, "Password too easy to guess",
     "The new password (sign-up, password reset) is too easy to guess: a common password, words, names, "
     "repeats, keyboard rows, dates or the account's own address. `detail` says why in words; `errors` "
     "names `password`. Nothing was stored."),
    ("confirmation_required", 422, "Confirmation missing or wrong",
     "A destructive admin action was not confirmed, and nothing was changed: revoking a key needs "
     "`confirm` equal to the key's name, making a market-data version live needs `confirm` equal to the "
     "version id, and `confirm_synthetic: true` for generated test data. `errors` names the field."),
    ("precondition_required", 428, "Precondition required",
     "This change needs `If-Match` with the resource's current ETag."),
    ("rate_limited", 429, "Too many requests",
     "A rate limit was reached: wait the seconds `Retry-After` gives (`RateLimit-*` show the quota)."),
    ("headers_too_large", 431, "Headers too large",
     "The request line and headers together exceed the limit; the connection is closed after this answer."),
    ("internal_error", 500, "Internal error",
     "An unexpected failure on our side; quote the `request_id` when you report it."),
    ("upstream_failed", 502, "Service failed",
     "A careerpath service behind the API failed; try again later and quote the `request_id`."),
    ("unavailable", 503, "Unavailable",
     "A service, database or store is unavailable for the moment; try again after `Retry-After` seconds."),
    ("timeout", 504, "Timed out", "A service behind the API did not answer in time; try again later."),
)  # fmt: skip

ProblemCode: Any = Literal[tuple(PROBLEMS)]

# Specific codes that share a status with a general one; every other status has exactly one code, which is
# its general code. Listed so that adding a specific code can never turn into the general answer of its
# status (reset_token_refused, listed before unprocessable, once became every 422's code).
_SPECIFIC = frozenset({"validation_error", "reset_token_refused", "weak_password", "confirmation_required"})
_BY_STATUS: dict[int, str] = {p.status: p.code for p in PROBLEMS.values() if p.code not in _SPECIFIC}


def code_for_status(status: int) -> str:
    """The catalogue's general code for an HTTP status (``bad_request`` / ``internal_error`` for others)."""
    return _BY_STATUS.get(status) or ("internal_error" if status >= 500 else "bad_request")


def problem_type(code: str) -> str:
    """The ``type`` URI of a code: where the gateway describes it."""
    return PROBLEM_BASE + code
