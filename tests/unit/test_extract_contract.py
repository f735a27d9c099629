"""The extract contract's shape, which the web page reads (services/gateway/web/static/js/cv.js): a field
renamed or removed here fails this test; one added with a default does not."""

from __future__ import annotations

import msgspec
import pytest

from shared.catalog.extraction import extractor
from shared.contracts.extract import ExtractRequest, ExtractResponse, FoundSkill, IgnoredMention, MatchedWords


@pytest.mark.parametrize(
    ("struct", "fields"),
    [
        (ExtractRequest, {"text"}),
        (ExtractResponse, {"skills", "levels", "ignored"}),
        (FoundSkill, {"skill", "name", "matches", "level", "level_basis", "level_cue"}),
        (MatchedWords, {"text", "start", "end", "utf16_start", "utf16_end"}),
        (IgnoredMention, {"skill", "words", "reason", "cue"}),
    ],
)
def test_fields_stay(struct: type[msgspec.Struct], fields: set[str]) -> None:
    assert fields <= set(struct.__struct_fields__)


def test_an_answer_round_trips_through_the_contract() -> None:
    answer = extractor().extract("Expert in Go; no Kubernetes experience.")
    again = msgspec.json.decode(msgspec.json.encode(answer), type=ExtractResponse)
    assert again == answer and again.levels == {"go": 4}
    assert [i.reason for i in again.ignored] == ["negated"]


def test_the_request_refuses_unknown_fields_and_other_types() -> None:
    with pytest.raises(msgspec.ValidationError, match="unknown field `store`"):
        msgspec.json.decode(b'{"text": "Go", "store": true}', type=ExtractRequest)
    with pytest.raises(msgspec.ValidationError, match=r"\$\.text"):
        msgspec.json.decode(b'{"text": 1}', type=ExtractRequest, strict=True)
