"""Look-alike and invisible text in e-mail addresses and display names (Unicode TR #39, the parts we need).

An address is normalised (NFKC, case-folded) before it is stored or looked up, so a full-width copy of an
address *is* that address. What normalisation cannot fold is refused with a :class:`BadText` naming the
field: control and format characters (zero-width, bidirectional overrides), scripts mixed inside the
local part or one domain label (``аdmin`` with a Cyrillic ``а``), and, at sign-up, an address whose
*skeleton* equals an existing account's (``rооt@example.com`` against ``root@example.com``).

The skeleton is TR #39's: map every character to the prototype of its confusable class, in NFD. The
classes come from the Unicode confusables data shipped by ``confusable-homoglyphs``, whose file lists
each pair in both directions; so the classes are rebuilt here (union of every listed pair) and each is
named by one member: a multi-character prototype when the class has one (``m`` -> ``rn``), else the member
that lists the most others (the prototype lists all its look-alikes), else the lowest code point. Only
equality of skeletons is ever used, which any consistent choice of member gives.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable

from confusable_homoglyphs import categories

__all__ = [
    "BadText",
    "checked_display_name",
    "checked_email",
    "contract_display_name",
    "email_skeleton",
    "display_name_problem",
    "email_problem",
    "invisible",
    "normalise_display_name",
    "normalise_email",
    "skeleton",
]

# Default_Ignorable_Code_Point (DerivedCoreProperties.txt) that are not already Cf: fillers and
# variation selectors that render as nothing. Python's unicodedata has no such property.
_IGNORABLE_RANGES = (
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x115F, 0x1160),  # hangul choseong / jungseong fillers
    (0x17B4, 0x17B5),  # khmer inherent vowels
    (0x180B, 0x180F),  # mongolian free variation selectors, vowel separator
    (0x3164, 0x3164),  # hangul filler
    (0xFFA0, 0xFFA0),  # halfwidth hangul filler
    (0xFE00, 0xFE0F),  # variation selectors
    (0xE0100, 0xE01EF),  # variation selectors supplement
)
_BLANK = frozenset("\u2800")  # braille pattern blank: So, but shows nothing
# Control, format, surrogate, line/paragraph separator. Unassigned (Cn) and private-use (Co) code points
# are not refused: they show as a box or a glyph, and a future Unicode may assign them.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_JOINERS = frozenset("\u200c\u200d")  # ZWNJ / ZWJ: needed inside Persian, Indic words and emoji sequences
_VARIATION = frozenset(chr(c) for c in range(0xFE00, 0xFE10))  # emoji / text presentation (❤️)
# Scripts that are written together (TR #39's augmented script sets: Japanese, Korean, Chinese).
_TOGETHER = (
    frozenset({"HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"HAN", "HANGUL"}),
    frozenset({"HAN", "BOPOMOFO"}),
)


class BadText(ValueError):
    """A value refused for what its characters are; ``field`` names it in the 400 answer."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _ignorable(char: str) -> bool:
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in _IGNORABLE_RANGES)


def invisible(char: str) -> bool:
    """Control, format, surrogate, line/paragraph separators and default-ignorables."""
    return unicodedata.category(char) in _INVISIBLE_CATEGORIES or _ignorable(char)


def _describe(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}"


# ---- skeleton ---------------------------------------------------------------------------------------
@functools.cache
def _prototypes() -> dict[str, str]:
    from confusable_homoglyphs.confusables import confusables_data

    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def clean(text: str) -> str:  # the data wraps right-to-left characters in LRM marks for display
        return unicodedata.normalize("NFD", text.replace("\u200e", ""))

    listed: dict[str, int] = {}
    for key, entries in confusables_data.items():
        source = clean(key)
        listed[source] = max(listed.get(source, 0), len(entries))
        for entry in entries:
            parent[find(clean(entry["c"]))] = find(source)
    classes: dict[str, list[str]] = {}
    for member in list(parent):
        classes.setdefault(find(member), []).append(member)
    mapping: dict[str, str] = {}
    for members in classes.values():
        name = min(members, key=lambda m: (len(m) == 1, -listed.get(m, 0), [ord(c) for c in m]))
        for member in members:
            if len(member) == 1 and member != name:
                mapping[member] = name
    return mapping


def skeleton(text: str) -> str:
    """TR #39 ``skeleton(X)``: NFD, each character to its prototype, NFD again."""
    mapping = _prototypes()
    mapped = "".join(mapping.get(c, c) for c in unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", mapped)


def email_skeleton(email: str) -> str:
    """The key two addresses that look alike share: skeleton of the folded address, folded again
    (so a digit zero, whose prototype is a capital O, meets a small o)."""
    return skeleton(skeleton(email).casefold())


# ---- e-mail addresses -------------------------------------------------------------------------------
def normalise_email(email: str) -> str:
    """The stored and compared form: NFKC, case-folded, surrounding white space removed."""
    return unicodedata.normalize("NFKC", email.strip()).casefold()


def _scripts(text: str) -> set[str]:
    return {categories.alias(c) for c in text} - {"COMMON", "INHERITED", "Unknown"}


def _mixed(text: str) -> bool:
    scripts = _scripts(text)
    return len(scripts) > 1 and not any(scripts <= together for together in _TOGETHER)


def email_problem(email: str) -> str | None:
    """Why a normalised address is refused, or None."""
    for char in email:
        if invisible(char) or unicodedata.category(char) in ("Zs", "Mn", "Me") or char in _BLANK:
            return f"contains an invisible, control or formatting character ({_describe(char)})"
    local, _, domain = email.rpartition("@")
    if not local or "." not in domain:
        return "is not an e-mail address"
    if _mixed(local):
        return "mixes scripts in the part before @ (" + ", ".join(sorted(_scripts(local))).lower() + ")"
    for label in domain.split("."):
        if _mixed(label):
            return f"mixes scripts in the domain label {label!r}"
    return None


def _checked(
    text: str, field: str, what: str, normalise: Callable[[str], str], problem: Callable[[str], str | None]
) -> str:
    normal = normalise(text)
    why = problem(normal)
    if why:
        raise BadText(field, f"{what} {why}")
    return normal


def checked_email(email: str, field: str = "email") -> str:
    """The normalised address, or :class:`BadText`."""
    return _checked(email, field, "the e-mail address", normalise_email, email_problem)


# ---- display names ----------------------------------------------------------------------------------
def normalise_display_name(name: str) -> str:
    return unicodedata.normalize("NFKC", name)


def _shown(char: str) -> bool:
    return not (invisible(char) or char.isspace())


def display_name_problem(name: str) -> str | None:
    """Why a normalised display name is refused, or None. Joiners are allowed between two visible
    characters (Persian, Indic, emoji sequences), variation selectors after one (❤️); nothing else
    invisible, and something must be left to see."""
    for i, char in enumerate(name):
        if char in _JOINERS and 0 < i < len(name) - 1 and _shown(name[i - 1]) and _shown(name[i + 1]):
            continue
        if char in _VARIATION and i > 0 and _shown(name[i - 1]):
            continue
        if invisible(char):
            return f"contains an invisible, control or formatting character ({_describe(char)})"
    if not any(_shown(c) and c not in _BLANK and unicodedata.category(c) not in ("Mn", "Me") for c in name):
        return "is blank: it has no visible character"
    return None


def checked_display_name(name: str, field: str = "display_name") -> str:
    """The normalised display name, or :class:`BadText`."""
    return _checked(name, field, "the display name", normalise_display_name, display_name_problem)


def contract_display_name(name: str) -> str:
    """For a contract's ``__post_init__``: the normalised name, or a ``ValueError`` that msgspec turns
    into a validation error naming the field (``$.display_name``) like its own constraint errors."""
    try:
        return checked_display_name(name)
    except BadText as exc:
        raise ValueError(f"{exc.message} - at `$.{exc.field}`") from None
