"""Password-reset contracts: asking for a reset link by e-mail and using it (browser <-> gateway <->
profile)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from shared.contracts.accounts import Email, Password
from shared.contracts.common import described

__all__ = [
    "RESET_ACCEPTED",
    "ResetAccepted",
    "ResetAsk",
    "ResetAsked",
    "ResetConfirm",
    "ResetUse",
    "TOKEN_REFUSED",
]

# The token is checked by the profile service (well-formed or not, the answer is the same words), so the
# contract caps its size only.
Token = Annotated[str, msgspec.Meta(max_length=256)]
TOKEN_REFUSED = "This reset link has expired or was already used; ask for a new one."
RESET_ACCEPTED = (
    "If an account uses this address, a link to choose a new password is on its way; it works once and "
    "for a limited time. Nothing arrived? Check the address and your spam folder, then ask again."
)


class ResetAsked(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Ask for a password-reset link by e-mail."""

    email: Annotated[
        Email,
        described(
            "The address of the account (3-254 characters). The answer is the same whether or not an "
            "account uses it.",
            "ada@example.com",
        ),
    ]


class ResetAccepted(msgspec.Struct, kw_only=True, frozen=True):
    """The request was taken: the same answer whether or not an account uses the address."""

    detail: Annotated[str, described("What happens next, in words for the person who asked.", RESET_ACCEPTED)]


class ResetConfirm(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Choose a new password with the token from the reset mail."""

    token: Annotated[
        Token,
        described(
            "The token from the reset link (`/#/reset?token=…`). It works once, for a limited time; a "
            "newer request replaces it.",
            "q3Zt8mW0a1-bYc2dE4fG5hJ6kL7nP9rS0tUvWxYz_Ab",
        ),
    ]
    password: Annotated[
        Password,
        described(
            "The new password, 10-256 characters, not easy to guess (judged by zxcvbn: common passwords, "
            "words, repeats, keyboard rows and the account's own address are refused, 422 naming "
            "`password` with the reason).",
            "plum violet harbor kettle",
        ),
    ]


class ResetAsk(msgspec.Struct, kw_only=True, frozen=True):
    """Internal (gateway -> profile): make and mail a reset token when an account uses ``email``."""

    email: Email
    ip: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class ResetUse(msgspec.Struct, kw_only=True, frozen=True):
    """Internal (gateway -> profile): use a token to set a new password."""

    token: Token
    password: Password
    ip: Annotated[str, msgspec.Meta(max_length=64)] | None = None
