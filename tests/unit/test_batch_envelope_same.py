"""read_envelope as it was (verbatim below) and as it is give the same answer for every body: the same
envelope, or the same exception with the same status, detail and extra. Generated bodies: good ones,
repeated top-level keys (plain and escaped spellings), option names inside candidates, repeated
``candidates`` arrays, repeated and odd ids, non-object candidates, wrong types and broken JSON."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from typing import Any

import msgspec
from litestar.exceptions import HTTPException, ValidationException

from shared.batch import check_envelope, read_envelope
from shared.contracts.common import ErrorDetail
from shared.contracts.recommendations import BatchCandidate, BatchEnvelope, BatchOptions
from shared.strict_json import first_repeated_key, whole_floats_as_ints

# ---- the reference: shared/batch.py's read_envelope before the one-pass reading, verbatim ----
_envelope = msgspec.json.Decoder(BatchEnvelope)
_TOP_KEYS = (b'"candidates"', b'"target_role"', b'"role"', b'"top"', b'"explain"')


class _Id(msgspec.Struct):
    """A candidate's id alone; the rest of the object is skipped, not decoded."""

    id: Any = None


_id = msgspec.json.Decoder(_Id)


def _decode(decoder: msgspec.json.Decoder[Any], raw: bytes) -> Any:
    try:
        return decoder.decode(raw)
    except msgspec.ValidationError as exc:
        if "Expected `int`, got `float`" not in str(exc):
            raise
        return decoder.decode(msgspec.json.encode(whole_floats_as_ints(msgspec.json.decode(raw))))


def old_read_envelope(body: bytes) -> BatchEnvelope:
    try:
        envelope: BatchEnvelope = _decode(_envelope, body)
    except msgspec.ValidationError as exc:
        raise ValidationException(detail=str(exc), extra=[{"message": str(exc), "source": "body"}]) from None
    except msgspec.DecodeError as exc:
        raise ValidationException(detail=f"the body is not valid JSON: {exc}") from None
    if any(body.count(key) > 1 for key in _TOP_KEYS):
        repeated = first_repeated_key(body, top_level_only=True)
        if repeated is not None:
            raise ValidationException(
                detail="the request is not valid",
                extra=[{"key": repeated, "message": "this field is given more than once"}],
            )
    _check_whole(envelope, envelope.candidates)
    return envelope


def _check_whole(options: BatchOptions, candidates: Sequence[msgspec.Raw | BatchCandidate]) -> None:
    if options.target_role is not None and options.role is not None:
        detail = "`role` is the deprecated name of `target_role`: give `target_role` only"
        raise HTTPException(status_code=422, detail=detail, extra={"field": "role"})
    if repeats := _repeated_ids(candidates):
        raise HTTPException(
            status_code=422,
            detail="candidate ids name the results, so each may be used once: "
            + ", ".join(e.message for e in repeats),
            extra={"field": repeats[0].field},
        )


def _repeated_ids(candidates: Sequence[msgspec.Raw | BatchCandidate]) -> list[ErrorDetail]:
    seen: set[str] = set()
    repeats = []
    for index, raw in enumerate(candidates):
        key = raw.id if isinstance(raw, BatchCandidate) else _candidate_id(raw)
        if key is None:
            continue
        if key in seen:
            repeats.append(
                ErrorDetail(field=f"candidates[{index}].id", message=f"id {key!r} is already used")
            )
        seen.add(key)
    return repeats


def _candidate_id(raw: msgspec.Raw) -> str | None:
    try:
        key = _id.decode(raw).id
    except msgspec.MsgspecError:
        return None
    return key if isinstance(key, str) and 1 <= len(key) <= 128 else None


# ---- the comparison ----


def _outcome(read: Any, body: bytes, candidates: bool = True) -> tuple[Any, ...]:
    try:
        envelope = read(body)
    except HTTPException as exc:  # ValidationException is one
        return (type(exc).__name__, exc.status_code, exc.detail, exc.extra)
    options = {f: getattr(envelope, f) for f in BatchOptions.__struct_fields__}
    return ("ok", options, [bytes(raw) for raw in envelope.candidates] if candidates else None)


def _options_outcome(read: Any, body: bytes) -> tuple[Any, ...]:
    """What the gateway's batch route uses of a reading: the error, or the options alone."""
    return _outcome(read, body, candidates=False)


_KEYS = ["top", "role", "target_role", "explain", "candidates", "id", "skills", "years_experience"]
_ODD_IDS: list[Any] = [
    "a",
    "b",
    "top",
    "role",
    "",
    "x" * 129,
    "x" * 128,
    7,
    None,
    [1],
    {"id": "a"},
    'a"b',
    "\\",
    1,
    1.0,
    True,
    0,
    False,
    2.5,
]


def _spelled(key: str, rng: random.Random) -> str:
    """A JSON key for ``key``: usually as is, sometimes with an escaped letter."""
    if rng.random() < 0.15:
        i = rng.randrange(len(key))
        return json.dumps(key[:i])[:-1] + f"\\u{ord(key[i]):04x}" + json.dumps(key[i + 1 :])[1:]
    return json.dumps(key)


def _candidate(rng: random.Random, ids: list[Any]) -> str:
    roll = rng.random()
    if roll < 0.05:
        return rng.choice(["5", '"x"', "null", "[]", "[1, {}]", "true"])
    pairs = [("id", json.dumps(rng.choice(ids)))] if rng.random() < 0.9 else []
    pairs.append(("skills", json.dumps({k: rng.randint(0, 5) for k in rng.sample(_KEYS, rng.randint(0, 3))})))
    if rng.random() < 0.2:
        pairs.append(("years_experience", json.dumps(rng.choice([1, 2.5, "3"]))))
    if rng.random() < 0.1:
        pairs.append((rng.choice(_KEYS), json.dumps(rng.choice(ids))))
    rng.shuffle(pairs)
    return "{" + ", ".join(f"{_spelled(k, rng)}: {v}" for k, v in pairs) + "}"


def _body(rng: random.Random) -> bytes:
    ids: list[Any] = [f"c{i}" for i in range(rng.randint(1, 40))] + rng.sample(_ODD_IDS, 3)
    size = rng.choice([0, 1, 2, 5, 30, 30, 200])
    array = "[" + ", ".join(_candidate(rng, ids) for _ in range(size)) + "]"
    options: list[tuple[str, str]] = [("candidates", array)]
    values = {
        "top": ["3", "1", "2.0", "0", '"3"', "21", "2.5"],
        "role": ['"data-engineer"', '"astronaut"', "null", "3"],
        "target_role": ['"data-engineer"', '"backend-engineer"', "null"],
        "explain": ["true", "false", "1"],
        "candidates": [array, "[]", '"none"'],
    }
    for key in rng.sample(list(values), rng.randint(0, 5)) + rng.sample(list(values), rng.choice([0, 0, 1])):
        good = rng.random() < 0.8  # the first value of each list is a good one
        options.append((key, values[key][0] if good and key != "candidates" else rng.choice(values[key])))
    if rng.random() < 0.05:
        options.append(("extra", "1"))
    rng.shuffle(options)
    text = "{" + rng.choice([", ", ",", " ,\n "]).join(f"{_spelled(k, rng)}:{v}" for k, v in options) + "}"
    data = text.encode()
    if rng.random() < 0.05:
        data = data[: rng.randrange(len(data))]
    return data


def test_read_envelope_answers_as_it_did_for_every_generated_body() -> None:
    rng = random.Random(18)
    kinds: set[str] = set()
    for _ in range(6000):
        body = _body(rng)
        expected = _outcome(old_read_envelope, body)
        assert _outcome(read_envelope, body) == expected, body
        assert _options_outcome(check_envelope, body) == _options_outcome(old_read_envelope, body), body
        kinds.add(f"{expected[0]}:{expected[1] if expected[0] != 'ok' else ''}")
    assert kinds >= {"ok:", "ValidationException:400", "HTTPException:422"}


def test_read_envelope_answers_as_it_did_for_the_edge_bodies() -> None:
    a, b = '{"id": "a", "skills": {}}', '{"id": "b", "skills": {}}'
    bodies = [
        f'{{"candidates": [{a}], "top": 1, "t\\u006fp": 2}}',  # escaped repeat, seen only by the exact parse
        '{"candidates": [{"id": "top", "skills": {}}], "top": 1, "t\\u006fp": 2}',
        f'{{"candidates": [{a}], "candidates": [{a}]}}',
        f'{{"candidates": [{a}, {b}], "candidates": [{a}, {b}]}}',
        f'{{"candidates": [{a}, {a}], "candidates": [{b}]}}',
        f'{{"candidates": [{a}, 5, {a}]}}',
        f'{{"candidates": [{a}, {{"id": "c", "id": "a", "skills": {{}}}}]}}',
        f'{{"explain": true, "candidates": [{a}, {b}], "explain": false}}',
        f'{{"role": "data-engineer", "candidates": [{a}], "role": "data-engineer"}}',
        f'  {{ "candidates" : [ {a} , {b} ] , "top" : 3 }}  ',
    ]
    for text in bodies + _ODD_BODIES:
        body = text.encode()
        assert _outcome(read_envelope, body) == _outcome(old_read_envelope, body), body
        assert _options_outcome(check_envelope, body) == _options_outcome(old_read_envelope, body), body


_A = '{"id": "a", "skills": {}}'
_ODD_BODIES = [
    # a top-level key named inside the candidates too, given twice at the top level plainly or escaped
    '{"candidates": [{"id": "top", "skills": {"top": 1}}], "top": 1, "top": 2}',
    '{"candidates": [{"id": "x", "skills": {"top": 1}}], "top": 1, "\\u0074op": 2}',
    '{"candidates": [{"id": "x", "skills": {"explain": 1}}], "explain": true}',
    '{"top": 1, "candidates": [{"id": "x", "skills": {}}, "\\"top\\""], "top": 2}',
    '{"candidates": [{"id": "x", "skills": {}}], "target_role": "data-engineer", "target_role": null}',
    '{"candidates": [{"id": "x", "skills": {}}], "targ\\u0065t_role": "data-engineer", "role": "x"}',
    '{"r\\u006fle": "data-engineer", "candidates": [{"id": "[x]", "skills": {}}], "role": "data-engineer"}',
    # brackets and backslashes outside the list: in a role (refused) or as an escaped role
    '{"role": "[data-engineer]", "candidates": [{"id": "a", "skills": {}}]}',
    '{"role": "data\\u002dengineer", "candidates": [{"id": "a", "skills": {}}], "role": "data-engineer"}',
    '{"role": "data\\u002dengineer", "candidates": [{"id": "a", "skills": {}}]}',
    # lists in and around the candidates, ids alike, odd and repeated
    '{"candidates": [{"id": "a", "skills": {"x": [1, [2]]}}, {"id": "a", "skills": {}}], "top": 3}',
    '{"candidates": [[], {"id": "a", "skills": {}}], "top": 3, "top": 4}',
    '{"candidates": [{"id": "a"}, {"id": "b"}, {"id": "a"}, {"id": "b"}]}',
    '{"candidates": [{"id": ["a"]}, {"id": ["a"]}, {"id": {"a": 1}}, {"id": 1}, {"id": 1.0}, {"id": true}]}',
    '{"candidates": [{"skills": {}}, {"skills": {}}, {"id": null}]}',
    '{"candidates": [{"id": "a", "id": "b"}, {"id": "b"}]}',
    '{"candidates": [{"id": "\\u0061"}, {"id": "a"}]}',
    # candidates given twice, a repeated option between or after the lists, plainly or escaped
    '{"candidates": [{"id": "a"}], "top": 1, "candidates": [{"id": "b"}], "top": 2}',
    '{"top": 1, "candidates": [{"id": "a"}], "top": 2, "candidates": [{"id": "b"}]}',
    '{"candidates": [{"id": "a"}], "top": 1, "c\\u0061ndidates": [{"id": "b"}], "top": 2}',
    '{"candidates": [{"id": "a"}], "explain": true, "candidates": [], "explain": false}',
    '{"candidates": [{"id": "a"}], "candidates": [{"id": "a"}, {"id": "a"}]}',
    # a repeated key whose first value holds a bracket, read only through the whole-float retry
    '{"candidates": [{"id": "a", "skills": {}}], "top": 3.0, "role": [1], "role": "data-engineer"}',
    '{"candidates": [{"id": "a", "skills": {}}], "top": 3.0, "explain": [], "explain": false}',
    '{"top": 3.0, "role": ["]"], "candidates": [{"id": "a"}], "role": "data-engineer"}',
    # empty, huge, wrong types, whole floats
    '{"candidates": []}',
    '{"candidates": [], "top": 1, "top": 2}',
    "{}",
    "[]",
    '{"candidates": {}}',
    '{"candidates": "[]"}',
    '{"candidates": null}',
    '{"candidates": [{"id": "a", "skills": {}}], "top": 3.0, "top": 2}',
    '{"candidates": [{"id": "a", "skills": {}}], "top": 3.0}',
    '{"candidates": [{"id": "a", "skills": {}}], "top": "3"}',
    '{"candidates": [{"id": "a", "skills": {}}], "explain": 0}',
    '{"candidates": [{"id": "a", "skills": {}}]',
    '{"candidates": [{"id": "a", "skills": {}}]} []',
    '\ufeff{"candidates": [{"id": "a", "skills": {}}]}',
    '{"candidates": [' + ", ".join(f'{{"id": "c{i}", "skills": {{}}}}' for i in range(1000)) + "]}",
    '{"candidates": [' + ", ".join(f'{{"id": "c{i}", "skills": {{}}}}' for i in range(1001)) + "]}",
    '{"candidates": [' + ", ".join(f'{{"id": "c{i % 999}", "skills": {{}}}}' for i in range(1000)) + "]}",
    '{"candidates": [' + ", ".join([_A] * 1000) + '], "top": 3, "explain": false}',
]


def test_check_envelope_answers_as_read_envelope_did_for_random_big_batches() -> None:
    """Batches like the benchmark's (up to 1,000 candidates, skills named like the options), with a few
    repeats, odd ids, non-object candidates and top-level keys given twice, plainly or escaped."""
    rng = random.Random(1818)
    kinds: set[str] = set()
    for _ in range(150):
        size = rng.choice([1, 2, 50, 999, 1000, 1001])
        ids: list[Any] = [f"c{i}" for i in range(size)]
        if rng.random() < 0.3:
            ids[rng.randrange(size)] = rng.choice(_ODD_IDS + ids)
        candidates = []
        for one in ids:
            skills = {k: rng.randint(0, 4) for k in rng.sample(_KEYS, rng.randint(0, 3))}
            candidates.append(json.dumps({"id": one, "skills": skills}))
        if rng.random() < 0.1:
            candidates[rng.randrange(size)] = rng.choice(["5", "[]", "null", '"top"'])
        pairs = [("candidates", "[" + ",".join(candidates) + "]")]
        pairs += [(k, v) for k, v in (("top", "3"), ("explain", "false")) if rng.random() < 0.8]
        if rng.random() < 0.3:
            pairs.append(rng.choice([("top", "2"), ("explain", "true"), ("role", '"data-engineer"')]))
        rng.shuffle(pairs)
        body = ("{" + ", ".join(f"{_spelled(k, rng)}: {v}" for k, v in pairs) + "}").encode()
        expected = _options_outcome(old_read_envelope, body)
        assert _options_outcome(check_envelope, body) == expected, body[:300]
        assert _outcome(read_envelope, body) == _outcome(old_read_envelope, body), body[:300]
        kinds.add(f"{expected[0]}:{expected[1] if expected[0] != 'ok' else ''}")
    assert kinds >= {"ok:", "ValidationException:400", "HTTPException:422"}
