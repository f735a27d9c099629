"""Whether a new password is strong enough, and why not in words (zxcvbn's estimate of guesses).

Applied wherever a password is set: sign-up, a password reset, ``careerpath create-admin``. Never on
log-in (an account made before the rule still signs in). zxcvbn scores 0-4 by the guesses an attacker
who knows common passwords, words, names, keyboard walks, repeats, dates and the user's own address would
need; below 3 ("safely unguessable: moderate protection from an offline attack") is refused. zxcvbn reads
at most its first 72 characters (longer ones would cost it up to half a second of CPU each): a password
longer than that is judged on its first 72 characters.
"""

from __future__ import annotations

import re

from zxcvbn import zxcvbn

__all__ = ["MIN_LENGTH", "MIN_SCORE", "JUDGED_LENGTH", "weakness"]

MIN_LENGTH = 10
MIN_SCORE = 3
JUDGED_LENGTH = 72


def _user_inputs(email: str) -> list[str]:
    """The address, its local part and the local part's words: a password made of them is guessable."""
    local, _, domain = email.partition("@")
    words = [w for w in re.split(r"[^\w]+|_", local) if len(w) >= 3]
    return [email, local, domain.split(".")[0], *words]


def weakness(password: str, email: str = "") -> str | None:
    """Why ``password`` is refused (a sentence or two for the person choosing it), or None when it is
    strong enough. ``email`` is the account's address (its parts are guessable)."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    result = zxcvbn(password[:JUDGED_LENGTH], user_inputs=_user_inputs(email) if email else None)
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result["feedback"]
    warning = str(feedback.get("warning") or "").strip()
    lowered = password.casefold()
    if not warning and email and any(p and p.casefold() in lowered for p in _user_inputs(email)):
        warning = "It contains your e-mail address or a part of it."
    reasons = [warning or "It is too easy to guess.", *feedback.get("suggestions", [])]
    sentences = (r if r.endswith(".") else r + "." for r in reasons)
    return "This password is too easy to guess. " + " ".join(sentences)
