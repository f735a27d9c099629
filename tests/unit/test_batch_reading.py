"""Reading a batch (shared.batch): the envelope refused whole only when malformed; each bad candidate gets
its own error naming its fields from the batch, the others are read."""

from __future__ import annotations

import json

import msgspec
import pytest
from litestar.exceptions import HTTPException, ValidationException

from shared.batch import read_batch, read_candidates, read_envelope
from shared.contracts.recommendations import BatchCandidate, BatchResult


def _body(candidates: list[object], **options: object) -> bytes:
    return json.dumps({"candidates": candidates, **options}).encode()


def _read(body: bytes) -> list[BatchCandidate | BatchResult]:
    return read_candidates(read_envelope(body))


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b"{}",
        b'{"candidates": "none"}',
        b'{"candidates": []}',
        _body([{"id": str(i), "skills": {}} for i in range(1001)]),
        _body([{"id": "a", "skills": {}}], top=0),
        _body([{"id": "a", "skills": {}}], top="3"),
        _body([{"id": "a", "skills": {}}], target_role="astronaut"),
        _body([{"id": "a", "skills": {}}], extra=1),
        b'{"candidates": [{"id": "a", "skills": {}}], "top": 2, "top": 3}',
        b'{"candidates": [{"id": "a", "skills": {}}], "explain": true, "explain": false}',
    ],
)
def test_a_malformed_batch_is_refused_whole(body: bytes) -> None:
    with pytest.raises(ValidationException):
        read_envelope(body)


def test_a_repeated_top_level_key_is_named() -> None:
    with pytest.raises(ValidationException) as caught:
        read_envelope(b'{"candidates": [{"id": "a:b", "skills": {}}], "top": 2, "top": 3}')
    assert caught.value.extra == [{"key": "top", "message": "this field is given more than once"}]


def test_repeated_ids_and_both_role_names_are_422() -> None:
    with pytest.raises(HTTPException) as caught:
        read_envelope(
            _body([{"id": "a", "skills": {}}, {"id": "b", "skills": {}}, {"id": "a", "skills": {}}])
        )
    assert caught.value.status_code == 422 and caught.value.extra == {"field": "candidates[2].id"}
    assert "'a'" in caught.value.detail
    with pytest.raises(HTTPException) as both:
        read_envelope(_body([{"id": "a", "skills": {}}], role="data-engineer", target_role="data-engineer"))
    assert both.value.status_code == 422 and both.value.extra == {"field": "role"}


def test_the_old_name_of_the_target_role_is_read() -> None:
    envelope = read_envelope(_body([{"id": "a", "skills": {}}], role="data-engineer", top=2.0))
    assert envelope.target == "data-engineer" and envelope.top == 2


BAD = [
    ({"id": "b", "skills": {"kubernetes": 9}}, ["candidates[1].skills.kubernetes"]),
    ({"id": "b", "skills": {"cobol": 2}}, ["candidates[1].skills.cobol"]),
    ({"id": "b", "skills": {"java": "2"}}, ["candidates[1].skills.java"]),
    ({"id": "b"}, ["candidates[1].skills"]),
    ({"id": "b", "skills": {}, "name": "x"}, ["candidates[1].name"]),
    ({"id": "b", "skills": {"go": 9, "cobol": 1}, "years_experience": 99}, [
        "candidates[1].skills.cobol", "candidates[1].skills.go", "candidates[1].years_experience"]),
    ({"id": 7, "skills": {}}, ["candidates[1].id"]),
    (5, ["candidates[1]"]),
]  # fmt: skip


@pytest.mark.parametrize(("bad", "fields"), BAD)
def test_a_bad_candidate_gets_its_own_error_and_the_others_are_read(bad: object, fields: list[str]) -> None:
    items = _read(_body([{"id": "a", "skills": {"java": 3}}, bad, {"id": "c", "skills": {"go": 2.0}}]))
    assert items[0] == BatchCandidate(id="a", skills={"java": 3})
    assert items[2] == BatchCandidate(id="c", skills={"go": 2})  # 2.0 is 2, as everywhere at the edge
    failed = items[1]
    assert isinstance(failed, BatchResult) and failed.index == 1 and failed.roles is None
    assert failed.id == (bad.get("id") if isinstance(bad, dict) and isinstance(bad.get("id"), str) else None)
    assert failed.error is not None and failed.error.status == 422
    assert failed.error.code == "validation_error"
    assert sorted(e.field for e in failed.error.errors) == fields
    assert all(e.pointer == "/" + e.field.replace("[", "/").replace("].", "/").replace(".", "/").rstrip("]")
               for e in failed.error.errors)  # fmt: skip


def test_a_repeated_key_inside_a_candidate_is_that_candidates_error() -> None:
    raw = b'{"candidates": [{"id": "a:1", "skills": {"java": 2}}, '
    raw += b'{"id": "b", "skills": {"java": 2, "java": 4}}'
    raw += b"]}"
    items = _read(raw)
    assert items[0] == BatchCandidate(id="a:1", skills={"java": 2})  # a colon in a string is no repeat
    failed = items[1]
    assert isinstance(failed, BatchResult) and failed.error is not None
    assert [e.field for e in failed.error.errors] == ["candidates[1].skills.java"]
    no_years = b'{"candidates": [{"id": "c", "id": "d", "skills": {}}]}'
    repeated = _read(no_years)[0]
    assert isinstance(repeated, BatchResult) and repeated.error is not None
    assert [e.field for e in repeated.error.errors] == ["candidates[0].id"]


def test_a_candidate_error_encodes_without_roles_and_a_result_without_error() -> None:
    items = _read(_body([{"id": "a", "skills": {"zzz": 1}}]))
    encoded = msgspec.json.decode(msgspec.json.encode(items[0]))
    assert set(encoded) == {"id", "index", "error"} and encoded["error"]["status"] == 422
    scored = msgspec.json.decode(msgspec.json.encode(BatchResult(id="a", index=0, roles=[])))
    assert scored == {"id": "a", "index": 0, "roles": []}


@pytest.mark.parametrize(
    "body",
    [
        _body(
            [{"id": "a", "skills": {"java": 3}}, {"id": "b:c", "skills": {"go": 2}, "years_experience": 4}]
        ),
        _body([{"id": "a", "skills": {"java": 3}}, {"id": "b", "skills": {"zzz": 2}}], top=2),
        b'{"candidates": [{"id": "a", "skills": {"java": 3}}, {"id": "b", "skills": {"go": 2, "go": 1}}]}',
        b'{"candidates": [{"id": "a", "skills": {"java": 3}}, {"id": "b", "skills": {}, "id": "c"}]}',
        b'{"candidates": [{"id": "a", "skills": {"java": 3.0}}], "top": 3, "role": "data-engineer"}',
        _body([{"id": "a", "skills": {"java": 3}}, {"id": "b", "skills": {"go": 2}}], explain=False),
        b'{"candidates": [{"id": "a", "skills": {"java": 3}}, {"id": "b", "skills": {"go": 2, "go": 1}}], '
        b'"explain": false}',
    ],
)
def test_the_one_pass_reading_of_a_good_batch_agrees_with_the_candidate_by_candidate_one(body: bytes) -> None:
    options, items = read_batch(body)
    envelope = read_envelope(body)
    assert items == read_candidates(envelope)
    assert (options.top, options.target) == (envelope.top, envelope.target)


def test_the_one_pass_reading_refuses_what_the_envelope_refuses() -> None:
    with pytest.raises(ValidationException):
        read_batch(b'{"candidates": [{"id": "a", "skills": {}}], "top": 2, "top": 3}')
    with pytest.raises(ValidationException) as twice:  # the option the one-pass count once left out
        read_batch(b'{"candidates": [{"id": "a", "skills": {}}], "explain": false, "explain": true}')
    assert twice.value.extra == [{"key": "explain", "message": "this field is given more than once"}]
    with pytest.raises(HTTPException) as caught:
        read_batch(_body([{"id": "a", "skills": {}}, {"id": "a", "skills": {}}]))
    assert caught.value.status_code == 422 and caught.value.extra == {"field": "candidates[1].id"}
