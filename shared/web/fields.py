"""Every invalid field of a JSON body, not only the first.

msgspec stops at the first error. When a body fails, :func:`invalid_fields` walks the decoded JSON against
the contract type and converts each field on its own, so one answer names them all: a value of the wrong
type or out of range, a missing or unknown field, a dict key outside its enum (``skills.<id>``), at any
depth (``candidates[2].skills.python``), each with its JSON Pointer. It runs only after a conversion has
failed: a valid body costs nothing more.
"""

from __future__ import annotations

import functools
import re
import types
import typing
from collections.abc import Iterator
from typing import Any, NamedTuple

import msgspec

__all__ = ["MAX_ERRORS", "Invalid", "invalid_fields"]

MAX_ERRORS = 100
"""At most this many fields are named in one answer (a 1,000-candidate batch could have thousands)."""


class Invalid(NamedTuple):
    field: str
    """Dotted path: ``candidates[2].skills.python`` (``body`` for the body as a whole)."""
    pointer: str
    """JSON Pointer (RFC 6901): ``/candidates/2/skills/python`` (``""`` for the body as a whole)."""
    message: str


def invalid_fields(value: Any, target: Any, *, strict: bool = True) -> list[Invalid]:
    """Every field of ``value`` (decoded JSON) that does not convert to ``target``, in document order, at
    most :data:`MAX_ERRORS`; empty when ``value`` converts."""
    found: list[Invalid] = []
    for item in _walk(value, target, (), strict):
        found.append(item)
        if len(found) >= MAX_ERRORS:
            break
    return found


@functools.cache
def _box(target: Any) -> type[msgspec.Struct]:
    """A one-field Struct holding ``target``: msgspec keeps a Struct's decoding plan, while converting to a
    bare ``Literal`` of the catalogue's ids rebuilds one each time (0.6 ms against 10 us)."""
    return msgspec.defstruct("Field", [("v", target)])


def _convert(value: Any, target: Any, strict: bool) -> None:
    msgspec.convert({"v": value}, _box(target), strict=strict)


def _message(exc: msgspec.ValidationError) -> str:
    return str(exc).split(" - at `", 1)[0]


def _field(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "body"


def _pointer(path: tuple[str | int, ...]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _invalid(path: tuple[str | int, ...], message: str) -> Invalid:
    return Invalid(_field(path), _pointer(path), message)


def _strip(target: Any) -> Any:
    """The type under ``Annotated[...]`` and ``X | None`` (when the value is not None)."""
    target = _unwrap_optional(target)
    while typing.get_origin(target) is typing.Annotated:
        target = _unwrap_optional(typing.get_args(target)[0])
    return target


def _walk(value: Any, target: Any, path: tuple[str | int, ...], strict: bool) -> Iterator[Invalid]:
    try:
        _convert(value, target, strict)
        return
    except msgspec.ValidationError as exc:
        whole = exc
    inner = _strip(target)
    origin = typing.get_origin(inner) or inner
    children: list[Invalid] = []
    if isinstance(inner, type) and issubclass(inner, msgspec.Struct) and isinstance(value, dict):
        children = list(_struct(value, inner, path, strict))
    elif origin in (list, tuple, set, frozenset) and isinstance(value, list):
        (item_type, *_) = typing.get_args(inner) or (Any,)
        for index, item in enumerate(value):
            children.extend(_walk(item, item_type, (*path, index), strict))
    elif origin is dict and isinstance(value, dict):
        key_type, value_type = typing.get_args(inner) or (Any, Any)
        for key, item in value.items():
            try:
                _convert(key, key_type, strict)
            except msgspec.ValidationError as exc:
                children.append(_invalid((*path, key), _message(exc)))
                continue
            children.extend(_walk(item, value_type, (*path, key), strict))
    if children:
        yield from children
        # the container's own constraint (a list too long, too many skills) is a problem as well
        if (own := _length_error(value, target)) is not None:
            yield _invalid(path, own)
    else:  # a scalar, or a rule about the whole (a constraint, a check across fields): msgspec's own words
        text, _, at = str(whole).rpartition(" - at `$.v")  # where in the value (after the box's field)
        message, _, named = (text or str(whole)).partition(" - at `$")  # a check that names its field
        yield _invalid((*path, *_parts(at.rstrip("`")), *_parts(named.rstrip("`"))), message)


_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def _parts(where: str) -> list[str | int]:
    """msgspec's path suffix (``.candidates[2].id``) as path parts."""
    return [int(index) if index else key for key, index in _PART.findall(where)]


def _length_error(value: Any, target: Any) -> str | None:
    """A container's own length constraint (its items were checked one by one)."""
    target = _unwrap_optional(target)
    if typing.get_origin(target) is not typing.Annotated or not isinstance(value, (list, dict)):
        return None
    kind = "array" if isinstance(value, list) else "object"
    for meta in typing.get_args(target)[1:]:
        if isinstance(meta, msgspec.Meta):
            if meta.min_length is not None and len(value) < meta.min_length:
                return f"Expected `{kind}` of length >= {meta.min_length}"
            if meta.max_length is not None and len(value) > meta.max_length:
                return f"Expected `{kind}` of length <= {meta.max_length}"
    return None


def _unwrap_optional(target: Any) -> Any:
    if typing.get_origin(target) in (typing.Union, types.UnionType):
        kept = [a for a in typing.get_args(target) if a is not type(None)]
        return kept[0] if len(kept) == 1 else target
    return target


def _struct(
    value: dict[str, Any], cls: type[msgspec.Struct], path: tuple[str | int, ...], strict: bool
) -> Iterator[Invalid]:
    fields = {f.encode_name: f for f in msgspec.structs.fields(cls)}
    for name, field in fields.items():
        if name not in value:
            if field.required:
                yield _invalid((*path, name), f"Object missing required field `{name}`")
            continue
        yield from _walk(value[name], field.type, (*path, name), strict)
    if cls.__struct_config__.forbid_unknown_fields:
        for name in value:
            if name not in fields:
                yield _invalid((*path, name), f"Object contains unknown field `{name}`")
