"""Reading a batch body: the envelope as a whole, then each candidate on its own.

A batch is refused whole (400, or 422 for repeated ids) only when the envelope is wrong: not JSON, not an
object, no candidates list, more than ``MAX_BATCH``, a bad option (``target_role``, ``top``), both names
of the target role, a key given twice at the top level, or two candidates with one id. A bad candidate
gets its own error (422 naming ``candidates[i].<field>``) and the others are scored.

The gateway checks the envelope only (:func:`check_envelope`: the options and the candidates' ids read in
one decode that skips the rest, with :func:`read_envelope`'s errors) and passes the body on as it came;
the recommender reads it again, then each candidate (:func:`read_candidates`). Both read bodies as sent,
like the gateway's ``strict_body``: no coercion (``"3"`` is not a level), ``3.0`` counts as 3, and a key
given twice is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, get_args

import msgspec
from litestar.exceptions import HTTPException, ValidationException

from shared.contracts.common import ErrorDetail, RoleId
from shared.contracts.recommendations import (
    MAX_BATCH,
    BatchCandidate,
    BatchEnvelope,
    BatchItemError,
    BatchOptions,
    BatchRequest,
    BatchResult,
)
from shared.strict_json import first_repeated_key, whole_floats_as_ints
from shared.web.fields import invalid_fields

__all__ = ["check_envelope", "read_batch", "read_candidates", "read_envelope"]

_envelope = msgspec.json.Decoder(BatchEnvelope)
_candidate = msgspec.json.Decoder(BatchCandidate)
_whole = msgspec.json.Decoder(BatchRequest)
# every option of BatchOptions: a batch naming one that is not here was never read in one pass ("explain"
# was missing: a figures-only batch was read candidate by candidate, 9 of its 37 ms in the recommender),
# and a repeated one went unnoticed
_OPTION_KEYS = (b'"target_role":', b'"role":', b'"top":', b'"explain":')
_TOP_KEYS = (b'"candidates"', b'"target_role"', b'"role"', b'"top"', b'"explain"')


class _Id(msgspec.Struct):
    """A candidate's id alone; the rest of the object is skipped, not decoded."""

    id: Any = None


_id = msgspec.json.Decoder(_Id)


class _Ids(msgspec.Struct):
    """A batch's candidates' ids alone; its options and the rest of each candidate skipped."""

    candidates: list[_Id] = []


_ids = msgspec.json.Decoder(_Ids)


class _EnvelopeIds(BatchOptions, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A BatchEnvelope whose candidates are read for their ids alone (each must be an object)."""

    candidates: Annotated[list[_Id], msgspec.Meta(min_length=1, max_length=MAX_BATCH)]


_envelope_ids = msgspec.json.Decoder(_EnvelopeIds)
# Outside the candidates list, a read envelope's text is its known keys, a role id, numbers, true, false
# and null: no bracket there as long as no role id has one (nor a backslash, which could spell one).
_ROLES_PLAIN = not any(c in role for role in get_args(RoleId) for c in "[]\\")


def _decode(decoder: msgspec.json.Decoder[Any], raw: bytes) -> Any:
    """``raw`` as the decoder's type, strictly; a whole float where an int is due counts as that int."""
    try:
        return decoder.decode(raw)
    except msgspec.ValidationError as exc:
        if "Expected `int`, got `float`" not in str(exc):
            raise
        return decoder.decode(msgspec.json.encode(whole_floats_as_ints(msgspec.json.decode(raw))))


def read_envelope(body: bytes) -> BatchEnvelope:
    """The batch's envelope, its candidates left undecoded; the whole batch refused when it is malformed.

    Raises:
        ValidationException: 400 naming the field (the exception handler reads the body for the name).
        HTTPException: 422 naming ``role`` when both names of the target role are given, or
            ``candidates[i].id`` for each candidate whose id an earlier one has.
    """
    try:
        envelope: BatchEnvelope = _decode(_envelope, body)
    except msgspec.ValidationError as exc:
        raise ValidationException(detail=str(exc), extra=[{"message": str(exc), "source": "body"}]) from None
    except msgspec.DecodeError as exc:
        raise ValidationException(detail=f"the body is not valid JSON: {exc}") from None
    _refuse_repeated_top_key(body, _top_key_named_twice(body))
    _check_whole(envelope, _raw_ids(body, envelope.candidates))
    return envelope


def check_envelope(body: bytes) -> BatchOptions:
    """:func:`read_envelope`'s checks and errors, the candidates left unread: the batch's options.

    The usual batch (every candidate an object, options as sent) is read in one decode giving the options
    and the ids together; any other is read by :func:`read_envelope` itself. One decode less of the body
    (1,000 candidates, 203 KB: ~0.55 ms). With :func:`_top_key_may_repeat`, callgrind on a served gateway
    (``python -m tools.bench.edge_requests callgrind FILE --scenario batch``, back to back with af78648):
    the figures-only batch 17.23 M -> 12.87 M instructions (-25 %); in process 16.11 M -> 11.72 M."""
    try:
        envelope: _EnvelopeIds = _envelope_ids.decode(body)
    except msgspec.MsgspecError:
        return read_envelope(body)
    # it decoded, so BatchEnvelope's reading does too (each candidate an object), with these options
    _refuse_repeated_top_key(body, _top_key_may_repeat(body))
    _check_whole(envelope, [one.id for one in envelope.candidates])
    return envelope


def _refuse_repeated_top_key(body: bytes, may_repeat: bool) -> None:
    """400 naming a top-level key ``body`` gives twice, when ``may_repeat`` (a name shows twice)."""
    if may_repeat:
        repeated = first_repeated_key(body, top_level_only=True)
        if repeated is not None:
            raise ValidationException(
                detail="the request is not valid",
                extra=[{"key": repeated, "message": "this field is given more than once"}],
            )


def _top_key_may_repeat(body: bytes) -> bool:
    """:func:`_top_key_named_twice` for a body that decoded as an ``_EnvelopeIds`` as it is (every value
    checked, a key's first value too), decided on the top-level text alone when that is sure.

    Such a body holds no bracket at the top level but in its candidates lists (``_ROLES_PLAIN``): they
    run from its first ``[`` to its last ``]``. With no backslash in the body, a second ``candidates``
    key would show in that span, spelled plainly; when there is none, the span is the one list and
    every top-level key is spelled plainly outside it, so a repeated one shows twice there as it did in
    the whole body. Counting the five names in those ~60 bytes (after one search of the span for
    ``candidates``) costs ~0.15 ms instead of ~1.1 ms (1,000 candidates, 203 KB)."""
    start, end = body.find(b"["), body.rfind(b"]")
    if _ROLES_PLAIN and 0 <= start < end and b"\\" not in body and body.find(b"candidates", start, end) < 0:
        top = body[:start] + body[end + 1 :]
        return any(top.count(key) > 1 for key in _TOP_KEYS)
    return _top_key_named_twice(body)


def _top_key_named_twice(body: bytes) -> bool:
    """Whether one of the top-level keys' names shows more than once in ``body`` (then the exact parse).

    A key given twice at the top level is one of the known ones (any other was refused as unknown), so
    counting the five names finds every repeat spelled plainly (~1.1 ms on a 1,000-candidate body of
    203 KB; :func:`_top_key_may_repeat` gives the same decision cheaper where it can)."""
    return any(body.count(key) > 1 for key in _TOP_KEYS)


def _check_whole(options: BatchOptions, ids: Sequence[Any]) -> None:
    """422 for a batch that names the target role twice or two candidates alike (``ids``: each
    candidate's id as decoded, see :func:`_repeated_ids`)."""
    if options.target_role is not None and options.role is not None:
        detail = "`role` is the deprecated name of `target_role`: give `target_role` only"
        raise HTTPException(status_code=422, detail=detail, extra={"field": "role"})
    if repeats := _repeated_ids(ids):
        raise HTTPException(
            status_code=422,
            detail="candidate ids name the results, so each may be used once: "
            + ", ".join(e.message for e in repeats),
            extra={"field": repeats[0].field},
        )


def read_batch(body: bytes) -> tuple[BatchOptions, list[BatchCandidate | BatchResult]]:
    """The batch's options and, per candidate, the candidate or its result carrying its own error.

    A batch whose candidates are all good (the usual case) is decoded in one typed pass; it is known to
    repeat no key when its colons are no more than the keys it holds. Any other batch is read envelope
    first, then candidate by candidate (:func:`read_envelope`, :func:`read_candidates`).
    """
    try:
        whole: BatchRequest | None = _whole.decode(body)
    except (msgspec.ValidationError, msgspec.DecodeError):
        whole = None
    if whole is not None:
        keys = 1 + sum(1 for key in _OPTION_KEYS if key in body) + body.count(b'"years_experience"')
        keys += sum(2 + len(c.skills) for c in whole.candidates)
        if body.count(b":") <= keys:
            _check_whole(whole, [c.id for c in whole.candidates])
            return whole, list(whole.candidates)
    envelope = read_envelope(body)
    return envelope, read_candidates(envelope)


def _repeated_ids(ids: Sequence[Any]) -> list[ErrorDetail]:
    """Each candidate whose id an earlier candidate has. ``ids`` holds each candidate's id as decoded
    (any JSON value, or None): one that is no valid id is the candidate's own error, found later.

    When the values are all unlike one another (the usual batch), so are the valid ids among them: one
    set tells it (1,000 ids: 51 -> ~25 us, the per-id validity check and loop skipped)."""
    try:
        if len(set(ids)) == len(ids):
            return []
    except TypeError:  # a list or object given as an id
        pass
    seen: set[str] = set()
    repeats = []
    for index, value in enumerate(ids):
        key = _valid_id(value)
        if key is None:
            continue
        if key in seen:
            repeats.append(
                ErrorDetail(field=f"candidates[{index}].id", message=f"id {key!r} is already used")
            )
        seen.add(key)
    return repeats


def _raw_ids(body: bytes, candidates: Sequence[msgspec.Raw]) -> list[Any]:
    """Each undecoded candidate's id as decoded (or None), read in one decode of the body (each candidate
    an object: its id only, the rest skipped), else candidate by candidate. 1,000 candidates, 222 KB:
    one decode 195 us, one per candidate ~440 us."""
    try:
        read = _ids.decode(body).candidates
    except msgspec.MsgspecError:
        return [_candidate_id(raw) for raw in candidates]
    if len(read) != len(candidates):  # cannot be (both keep the last list); the sure way if it were
        return [_candidate_id(raw) for raw in candidates]
    return [one.id for one in read]


def _candidate_id(raw: msgspec.Raw) -> str | None:
    try:
        key = _id.decode(raw).id
    except msgspec.MsgspecError:
        return None
    return _valid_id(key)


def _valid_id(key: Any) -> str | None:
    return key if isinstance(key, str) and 1 <= len(key) <= 128 else None


def read_candidates(envelope: BatchEnvelope) -> list[BatchCandidate | BatchResult]:
    """Each candidate of a read envelope, decoded; or, for a bad one, its result carrying its own error
    (422, every field at fault named from the batch: ``candidates[17].skills.kubernetes``)."""
    out: list[BatchCandidate | BatchResult] = []
    for index, raw in enumerate(envelope.candidates):
        body = bytes(raw)
        try:
            candidate: BatchCandidate = _decode(_candidate, body)
        except (msgspec.ValidationError, msgspec.DecodeError):
            out.append(_failed(index, raw, _every_invalid_field(body)))
            continue
        # A key given twice: more colons than the keys the decoded candidate holds (exact parse if so).
        keys = 2 + len(candidate.skills) + (b'"years_experience"' in body)
        if body.count(b":") > keys and (repeated := first_repeated_key(body)) is not None:
            out.append(_failed(index, raw, [("." + repeated, "/" + repeated.replace(".", "/"), _TWICE)]))
            continue
        out.append(candidate)
    return out


_TWICE = "this field is given more than once"


def _every_invalid_field(body: bytes) -> list[tuple[str, str, str]]:
    """(field suffix, pointer suffix, message) of each invalid field of one candidate."""
    value = whole_floats_as_ints(msgspec.json.decode(body))  # the envelope read it: it is JSON
    found = invalid_fields(value, BatchCandidate, strict=True)
    return [("" if f.field == "body" else "." + f.field, f.pointer, f.message) for f in found]


def _failed(index: int, raw: msgspec.Raw, fields: list[tuple[str, str, str]]) -> BatchResult:
    errors = [
        ErrorDetail(
            field=f"candidates[{index}]{field}", pointer=f"/candidates/{index}{pointer}", message=message
        )
        for field, pointer, message in fields
    ]
    error = BatchItemError(
        status=422,
        code="validation_error",
        detail="this candidate is not valid: " + "; ".join(f"{e.field}: {e.message}" for e in errors),
        errors=errors,
    )
    return BatchResult(id=_candidate_id(raw), index=index, error=error)
