"""JSON bodies read as sent: name a key given twice, and read a whole float (``3.0``) as the integer.

msgspec keeps the last of two equal keys without a word, and refuses ``3.0`` where an integer is due,
though JSON has one number type and JSON Schema calls 3.0 an integer. The gateway's ``strict_body`` and
the batch reader (``shared.batch``) both use these two helpers.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["first_repeated_key", "whole_floats_as_ints"]


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as the parser saw it: every (key, value) pair, repeats included."""


def _first_repeat(value: Any, path: str, depth: int | None) -> str | None:
    if isinstance(value, _Pairs):
        seen: set[str] = set()
        for key, item in value:
            where = f"{path}.{key}" if path else key
            if key in seen:
                return where
            seen.add(key)
            if depth != 0 and (found := _first_repeat(item, where, None if depth is None else depth - 1)):
                return found
    elif isinstance(value, list) and depth != 0:
        for index, item in enumerate(value):
            if (found := _first_repeat(item, f"{path}[{index}]", depth)) is not None:
                return found
    return None


def first_repeated_key(body: bytes | str, *, top_level_only: bool = False) -> str | None:
    """The path of the first key an object of ``body`` gives twice (``candidates[3].skills.python``), or
    None; with ``top_level_only``, only the outermost object's keys count. ``body`` must be JSON; this
    parses it once more keeping every pair, so callers first check cheaply that a repeat is possible."""
    return _first_repeat(json.loads(body, object_pairs_hook=_Pairs), "", 0 if top_level_only else None)


def whole_floats_as_ints(value: Any) -> Any:
    """3.0 -> 3 everywhere in a decoded body (3.5 and strings stay as they are)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: whole_floats_as_ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [whole_floats_as_ints(v) for v in value]
    return value
