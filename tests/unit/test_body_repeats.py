"""The repeated-key check of the gateway's strict bodies: exact, whatever the strings hold."""

from __future__ import annotations

import msgspec
import pytest

from services.gateway.bodies import duplicate_key

CASES = [
    (b'{"a":1,"b":2}', None),
    (b'{"a":1,"a":2}', "a"),
    (b'{"a":"x:y","a":"z"}', "a"),
    (b'{"a":[":", "b"], "c": {"d": ":", "d": 1}}', "c.d"),
    (b'{"a":"1:2:3","b":{"c":":"}}', None),  # colons in strings only
    (b'{"a":"\\u003a","b":1}', None),  # an escaped colon, no repeat
    (b'{"a":"\\u003a\\u003a","b":1,"b":2}', "b"),  # an escaped colon hides nothing
    (b'{"c":[{"id":"a"},{"id":"b","id":"c"}]}', "c[1].id"),
    (b'{"k\\"":1,"k\\"":2}', 'k"'),
    (b"[1, 2, {}]", None),
]


@pytest.mark.parametrize(("body", "path"), CASES)
def test_repeats_are_found_and_named(body: bytes, path: str | None) -> None:
    assert duplicate_key(body, msgspec.json.decode(body)) == path
