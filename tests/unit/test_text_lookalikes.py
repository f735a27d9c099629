"""Look-alike and invisible text (shared.text): TR #39 skeletons, mixed scripts, invisible characters."""

from __future__ import annotations

import pytest

from shared.text import (
    BadText,
    checked_display_name,
    checked_email,
    email_problem,
    email_skeleton,
    normalise_email,
    skeleton,
)

ROOT = "root@example.com"


@pytest.mark.parametrize(
    "copy",
    [
        "r\u043e\u043et@example.com",  # Cyrillic о
        "r\u03bf\u03bft@example.com",  # Greek ο
        "r00t@example.com",  # digit zero: prototype capital O, folded again
        "ROOT@EXAMPLE.COM",
        "\uff52\uff4f\uff4f\uff54@example.com",  # full-width letters
        "root@\u0435x\u0430mple.com",  # Cyrillic е, а in the domain
    ],
)
def test_copies_of_an_address_share_its_skeleton(copy: str) -> None:
    assert email_skeleton(normalise_email(copy)) == email_skeleton(ROOT)


@pytest.mark.parametrize("other", ["rot@example.com", "roots@example.com", "r\u00f6ot@example.com"])
def test_different_addresses_do_not(other: str) -> None:
    assert email_skeleton(normalise_email(other)) != email_skeleton(ROOT)


def test_skeleton_follows_tr39_examples() -> None:
    assert skeleton("m") == skeleton("rn")  # a multi-character prototype
    assert skeleton("1") == skeleton("l") == skeleton("I")
    assert skeleton("\u0430") == "a" and skeleton("paypal") == skeleton("\u0440\u0430\u0443\u0440\u0430l")


def test_full_width_forms_are_folded_not_refused() -> None:
    assert checked_email("\uff21\uff24\uff2d\uff29\uff2e@Example.COM") == "admin@example.com"
    assert checked_email("Stra\u00dfe@example.de") == "strasse@example.de"  # case folding, not lower()


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("ro\u200bot@example.com", "U+200B ZERO WIDTH SPACE"),
        ("root\u202e@example.com", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("root@exa\u2060mple.com", "U+2060 WORD JOINER"),
        ("ro\u00adot@example.com", "U+00AD SOFT HYPHEN"),
        ("ro\u3164ot@example.com", "HANGUL"),
        ("r\u043e\u043et@example.com", "mixes scripts in the part before @ (cyrillic, latin)"),
        ("root@\u0435x\u0430mple.com", "mixes scripts in the domain label"),
        ("root\u0301@example.com", "COMBINING ACUTE"),  # NFKC cannot compose t + acute
    ],
)
def test_invisible_and_mixed_script_addresses_are_refused(address: str, why: str) -> None:
    with pytest.raises(BadText) as refused:
        checked_email(address)
    assert refused.value.field == "email"
    assert why in refused.value.message


def test_single_script_addresses_in_other_scripts_are_fine() -> None:
    assert (
        email_problem(
            normalise_email("\u0438\u0432\u0430\u043d@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444")
        )
        is None
    )
    assert email_problem("\u5c71\u7530\u305f\u308d\u3046@example.jp") is None  # Han + Hiragana: Japanese
    assert email_problem("j\u00fcrgen@m\u00fcller.de") is None


@pytest.mark.parametrize(
    "name",
    [
        "\u200b",
        "\u3164",
        "\u2800",
        "   ",
        "\u0301",
        "A\u202eB",
        "Ada\u0000",
        "\u200dAda",
        "Ada\u2066",
        "\ufeffAda",
    ],
)
def test_invisible_or_blank_display_names_are_refused(name: str) -> None:
    with pytest.raises(BadText) as refused:
        checked_display_name(name)
    assert refused.value.field == "display_name"


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("Ada", "Ada"),
        ("\uff21\uff44\uff41", "Ada"),  # full-width: NFKC
        ("\U0001f469\u200d\U0001f4bb dev", "\U0001f469\u200d\U0001f4bb dev"),  # emoji ZWJ sequence
        ("\u2764\ufe0f Ada", "\u2764\ufe0f Ada"),  # emoji presentation selector
        (
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
        ),  # Persian ZWNJ
        ("Jos\u0065\u0301", "Jos\u00e9"),
    ],
)
def test_visible_display_names_are_kept_normalised(name: str, stored: str) -> None:
    assert checked_display_name(name) == stored
