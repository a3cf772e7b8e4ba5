"""The pass's token: what the QR code carries and the public pass page's address holds.

A token is the pass's random `code` signed with the site's secret key under a salt of its own
(django.core.signing), so a token cannot be made up or altered, and it never holds the pass's id.
The guard may also type the short code printed under the QR (the `code` alone, grouped by a dash):
it names the same pass, and it is as hard to guess as a password of ten characters.
"""

from __future__ import annotations

import secrets

from django.core import signing

SALT = "webapp.passes.token"
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed at the gate
CODE_LENGTH = 10


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def token_for(code: str) -> str:
    """The signed token of a pass's code."""
    return signing.Signer(salt=SALT).sign(code)


def code_of_token(token: str) -> str | None:
    """The code a token was signed for; None when it is not a token of ours or was altered."""
    try:
        return signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None


def display_code(code: str) -> str:
    """The short code as printed under the QR: ABCDE-FGHJK."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def code_of_text(text: object) -> str | None:
    """What the guard scanned or typed → a pass code: a signed token (the QR), or the short code
    (any case, spaces and dashes ignored). None for anything else."""
    raw = str(text or "").strip()
    if not raw or len(raw) > 200:
        return None
    if ":" in raw:
        code = code_of_token(raw)
        return code if code and _is_code(code) else None
    short = raw.replace("-", "").replace(" ", "").upper()
    return short if _is_code(short) else None


def _is_code(value: str) -> bool:
    return len(value) == CODE_LENGTH and all(c in ALPHABET for c in value)
